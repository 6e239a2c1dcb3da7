// Package oapiauth connects the middleware of this module to kin-openapi's request
// validation (openapi3filter), the validation behind oapi-codegen's
// OapiRequestValidator.
//
// openapi3filter checks an operation's security requirements by calling its
// Options.AuthenticationFunc for each scheme; without one, every request for an
// operation with security fails ("missing AuthenticationFunc", 403 from
// OapiRequestValidator). [Authenticate] is that function: it reports the decision
// this module's middleware already made for the request. Install this module's
// middleware first and the request validator after it:
//
//	e.Use(echoaxioms.WithConfig(cfg))
//	e.Use(middleware.OapiRequestValidatorWithOptions(swagger, &middleware.Options{
//		Options: openapi3filter.Options{AuthenticationFunc: oapiauth.Authenticate},
//	}))
//
// The middleware denies what the document does not allow (401, 403) before the
// validator runs, so the validator sees only authorised requests. In the other order
// the validator would run before any token is checked, and Authenticate would refuse
// every request that needs credentials.
//
// # Security
//
// Authenticate never says yes by itself: a requirement is met only when the
// middleware authenticated the request (a principal in its context) and that
// principal holds every scope the requirement lists. It does not validate tokens
// again, and it cannot stand in for the middleware.
//
// # Concurrency
//
// Authenticate is safe for concurrent use; it only reads the request's context.
package oapiauth
