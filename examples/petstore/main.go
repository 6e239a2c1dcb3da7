// Command petstore is an API whose Echo v4 server code oapi-codegen generates from
// petstore.yaml, protected by the axioms-echo middleware driven by the same document.
// Two variants of the generated code are wired: the plain echo-server (package api)
// and the strict server (package strictapi), whose handlers get a context.Context.
//
//	go -C examples run ./petstore          # the echo-server variant
//	go -C examples run ./petstore -strict  # the strict-server variant
//	go -C examples run ./petstore -echo5   # the echo5-server variant, on Echo v5
//
// It starts a development issuer and prints a token for the owner of pet 1. go generate
// in this directory regenerates the server code; a test fails when it is stale.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/examples/petstore/api"
	"github.com/axioms-go/axioms-echo/examples/petstore/strictapi"
	"github.com/axioms-go/axioms-echo/oapiauth"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// specYAML is the document as written: the middleware loads it rather than the
// generated GetSwagger, which would rename the operationIds (getPet → GetPet).
//
//go:embed petstore.yaml
var specYAML []byte

// Pet is a stored pet; its owner field is what the x-axioms-owner rule compares with
// the token's sub.
type Pet struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Owner string `json:"owner"`
}

// pets is the example's read-only store.
var pets = map[int64]*Pet{
	1: {ID: 1, Name: "Rex", Owner: "alice"},
	2: {ID: 2, Name: "Tom", Owner: "bob"},
}

// options chooses how newServer wires the generated code.
type options struct {
	// strict registers the strict server instead of the echo-server handlers.
	strict bool
	// validate installs the request validator (openapi3filter) after the middleware.
	validate bool
	// auth is the validator's AuthenticationFunc: oapiauth.Authenticate in a real
	// service; nil shows what the validator does without one.
	auth openapi3filter.AuthenticationFunc
}

// newServer builds the Echo app: the middleware first, then (optionally) the request
// validator, then the generated routes under the document's base path, checked against
// the document at startup.
func newServer(v echoaxioms.TokenValidator, opts options) (*echo.Echo, error) {
	policies, err := openapi.LoadData(specYAML, openapi.LoadOptions{})
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	mw, err := echoaxioms.Config{
		Policies:  policies,
		Validator: v,
		// Named in the document (loader: pet), so the name does not follow operationIds.
		OwnerLoaders: map[string]echoaxioms.OwnerLoader{"pet": loadPet},
	}.ToMiddleware()
	if err != nil {
		return nil, err
	}
	e.Use(mw)
	if opts.validate {
		rv, err := requestValidator(opts.auth)
		if err != nil {
			return nil, err
		}
		e.Use(rv)
	}
	// Without the base path (/api/v1) every route would be undocumented (403).
	if opts.strict {
		strictapi.RegisterHandlersWithBaseURL(e, strictapi.NewStrictHandler(strictServer{}, nil), policies.BasePath())
	} else {
		api.RegisterHandlersWithBaseURL(e, server{}, policies.BasePath())
	}
	if err := echoaxioms.CheckRoutes(e, policies).Err(); err != nil {
		return nil, err
	}
	return e, nil
}

// loadPet is the owner loader of GET /pets/{petId}. It runs in the middleware, before
// the generated wrapper binds the parameter, so it parses petId itself: an unparsable
// id is the caller's mistake (400), an unknown one is not found (404).
func loadPet(c echo.Context) (any, error) {
	p, status, msg := findPet(c.Param("petId"))
	if p == nil {
		return nil, echo.NewHTTPError(status, msg)
	}
	return p, nil
}

// findPet finds the pet whose id is raw, or says why not: the status and message of
// the answer.
func findPet(raw string) (p *Pet, status int, msg string) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, http.StatusBadRequest, "invalid petId"
	}
	if p, ok := pets[id]; ok {
		return p, 0, ""
	}
	return nil, http.StatusNotFound, "no such pet"
}

// errMissingPet is a handler's error when the owner loader's pet is not in the request:
// the middleware is not installed before the routes.
var errMissingPet = errors.New("petstore: GetPet without the owner loader's pet")

// server implements the echo-server's api.ServerInterface.
type server struct{}

// Health answers the liveness probe.
func (server) Health(c echo.Context) error {
	return c.JSON(http.StatusOK, api.Message{Message: "ok"})
}

// GetPet answers with the pet the owner loader loaded.
func (server) GetPet(c echo.Context, _ int64) error {
	p, ok := echoaxioms.Object[*Pet](c)
	if !ok {
		return errMissingPet
	}
	return c.JSON(http.StatusOK, api.Pet{Id: p.ID, Name: p.Name, Owner: p.Owner})
}

// strictServer implements strictapi.StrictServerInterface: its handlers get the
// request's context.Context, which carries the claims and the loaded object.
type strictServer struct{}

// Health answers the liveness probe.
func (strictServer) Health(context.Context, strictapi.HealthRequestObject) (strictapi.HealthResponseObject, error) {
	return strictapi.Health200JSONResponse{Message: "ok"}, nil
}

// GetPet answers with the pet the owner loader loaded, read from ctx with the
// caller's claims.
func (strictServer) GetPet(ctx context.Context, _ strictapi.GetPetRequestObject) (strictapi.GetPetResponseObject, error) {
	claims, ok := validator.FromContext(ctx)
	if !ok {
		return nil, errors.New("petstore: GetPet without the caller's claims")
	}
	p, ok := echoaxioms.ObjectFrom[*Pet](ctx)
	if !ok {
		return nil, errMissingPet
	}
	if claims.Subject() != p.Owner {
		return nil, errors.New("petstore: GetPet for a pet the caller does not own")
	}
	return strictapi.GetPet200JSONResponse{Id: p.ID, Name: p.Name, Owner: p.Owner}, nil
}

// requestValidator validates requests against the document as oapi-codegen's
// OapiRequestValidator (github.com/oapi-codegen/echo-middleware) does, with
// openapi3filter.ValidateRequest: security failures are 403, other failures 400. It
// runs after the axioms middleware, and auth reports that middleware's decision.
func requestValidator(auth openapi3filter.AuthenticationFunc) (echo.MiddlewareFunc, error) {
	doc, err := openapi3.NewLoader().LoadFromData(specYAML)
	if err != nil {
		return nil, err
	}
	// Match on the server URL's path only, whatever host the request names.
	doc.Servers = openapi3.Servers{{URL: "/api/v1"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			route, params, err := router.FindRoute(req)
			if errors.Is(err, routers.ErrPathNotFound) {
				return echo.NewHTTPError(http.StatusNotFound, err.Error())
			}
			if err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, err.Error())
			}
			err = openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: auth},
			})
			var sec *openapi3filter.SecurityRequirementsError
			switch {
			case errors.As(err, &sec):
				return echo.NewHTTPError(http.StatusForbidden, err.Error())
			case err != nil:
				return echo.NewHTTPError(http.StatusBadRequest, err.Error())
			}
			return next(c)
		}
	}, nil
}

func main() {
	strict := flag.Bool("strict", false, "serve the strict-server variant")
	echo5 := flag.Bool("echo5", false, "serve the echo5-server variant, on Echo v5")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	if err := run(*addr, *strict, *echo5); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(addr string, strict, echo5 bool) error {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		return err
	}
	defer iss.Close()
	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		return err
	}
	var h http.Handler
	if echo5 {
		h, err = newServer5(v)
	} else {
		h, err = newServer(v, options{strict: strict, validate: true, auth: oapiauth.Authenticate})
	}
	if err != nil {
		return err
	}
	token, err := iss.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"sub": "alice", "scope": "pets:read"}})
	if err != nil {
		return err
	}
	log.Printf("curl -H 'Authorization: Bearer %s' http://%s/api/v1/pets/1", token, addr)
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}
