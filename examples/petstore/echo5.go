package main

import (
	"net/http"

	echo5 "github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/examples/petstore/api5"
	"github.com/axioms-go/axioms-echo/openapi"
)

// newServer5 is newServer for Echo v5: the echo5axioms middleware, then the
// echo5-server routes (package api5) under the document's base path, checked against
// the document at startup.
func newServer5(v echo5axioms.TokenValidator) (*echo5.Echo, error) {
	policies, err := openapi.LoadData(specYAML, openapi.LoadOptions{})
	if err != nil {
		return nil, err
	}
	e := echo5.New()
	mw, err := echo5axioms.Config{
		Policies:     policies,
		Validator:    v,
		OwnerLoaders: map[string]echo5axioms.OwnerLoader{"pet": loadPet5},
	}.ToMiddleware()
	if err != nil {
		return nil, err
	}
	e.Use(mw)
	api5.RegisterHandlersWithBaseURL(e, server5{}, policies.BasePath())
	if err := echo5axioms.CheckRoutes(e, policies).Err(); err != nil {
		return nil, err
	}
	return e, nil
}

// loadPet5 is loadPet for Echo v5.
func loadPet5(c *echo5.Context) (any, error) {
	p, status, msg := findPet(c.Param("petId"))
	if p == nil {
		return nil, echo5.NewHTTPError(status, msg)
	}
	return p, nil
}

// server5 implements the echo5-server's api5.ServerInterface.
type server5 struct{}

// Health answers the liveness probe.
func (server5) Health(c *echo5.Context) error {
	return c.JSON(http.StatusOK, api5.Message{Message: "ok"})
}

// GetPet answers with the pet the owner loader loaded.
func (server5) GetPet(c *echo5.Context, _ int64) error {
	p, ok := echo5axioms.Object[*Pet](c)
	if !ok {
		return errMissingPet
	}
	return c.JSON(http.StatusOK, api5.Pet{Id: p.ID, Name: p.Name, Owner: p.Owner})
}
