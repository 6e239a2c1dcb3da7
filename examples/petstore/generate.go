package main

//go:generate go tool oapi-codegen -config api/config.yaml petstore.yaml
//go:generate go tool oapi-codegen -config strictapi/config.yaml petstore.yaml
//go:generate go tool oapi-codegen -config api5/config.yaml petstore.yaml
