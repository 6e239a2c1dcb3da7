package conformance_test

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/conformance"
	"github.com/axioms-go/axioms-echo/openapi"
)

func TestEcho4(t *testing.T) { conformance.Run(t, echo4Driver{}) }

// echo4Driver installs echoaxioms, the Echo v4 middleware, with e.Use.
type echo4Driver struct{}

func (echo4Driver) Router() conformance.Router { return conformance.Router{} }

func (echo4Driver) Handler(tb testing.TB, s conformance.Setup) http.Handler {
	cfg := echoaxioms.Config{
		Policies:       s.Policies,
		DPoP:           s.DPoP,
		DPoPBaseURL:    s.DPoPBaseURL,
		Validator:      s.Validator,
		Authenticators: map[string]echoaxioms.Authenticator{},
		OwnerLoaders:   map[string]echoaxioms.OwnerLoader{},
		Logger:         slog.New(slog.DiscardHandler),
		AuditHook: func(_ echo.Context, r echoaxioms.AuditRecord) {
			s.Audit(conformance.AuditRecord{Operation: r.OperationID, Outcome: string(r.Outcome), Reason: string(r.Reason), Status: r.Status, Subject: r.Subject})
		},
	}
	if s.SchemeValidators != nil {
		cfg.SchemeValidators = map[string]echoaxioms.TokenValidator{}
		for name, v := range s.SchemeValidators {
			cfg.SchemeValidators[name] = v
		}
	}
	for name, a := range s.Authenticators {
		cfg.Authenticators[name] = func(c echo.Context, scheme openapi.Scheme) (openapi.Principal, error) {
			return a(c.Request(), scheme)
		}
	}
	for name, l := range s.OwnerLoaders {
		cfg.OwnerLoaders[name] = func(c echo.Context) (any, error) {
			obj, err := l.Load(c.Param(l.Param))
			if errors.Is(err, conformance.ErrNotFound) {
				return nil, echo.NewHTTPError(http.StatusNotFound)
			}
			return obj, err
		}
	}
	mw, err := cfg.ToMiddleware()
	if err != nil {
		tb.Fatal(err)
	}
	e := echo.New()
	e.Use(mw)
	for _, r := range s.Routes {
		e.Add(r.Method, conformance.ColonPath(r.Path), func(c echo.Context) error {
			obj, _ := echoaxioms.Object[any](c)
			conformance.Respond(c.Response(), r.Name, echoaxioms.Principal(c), obj)
			return nil
		})
	}
	return e
}
