package conformance_test

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/internal/conformance"
	"github.com/axioms-go/axioms-echo/openapi"
)

func TestEcho5(t *testing.T) { conformance.Run(t, echo5Driver{}) }

// echo5Driver installs echo5axioms, the Echo v5 middleware, with e.Use.
type echo5Driver struct{}

func (echo5Driver) Router() conformance.Router { return conformance.Router{} }

func (echo5Driver) Handler(tb testing.TB, s conformance.Setup) http.Handler {
	cfg := echo5axioms.Config{
		Policies:       s.Policies,
		DPoP:           s.DPoP,
		DPoPBaseURL:    s.DPoPBaseURL,
		Validator:      s.Validator,
		Authenticators: map[string]echo5axioms.Authenticator{},
		OwnerLoaders:   map[string]echo5axioms.OwnerLoader{},
		Logger:         slog.New(slog.DiscardHandler),
		AuditHook: func(_ *echo.Context, r echo5axioms.AuditRecord) {
			s.Audit(conformance.AuditRecord{Operation: r.OperationID, Outcome: string(r.Outcome), Reason: string(r.Reason), Status: r.Status, Subject: r.Subject})
		},
	}
	if s.SchemeValidators != nil {
		cfg.SchemeValidators = map[string]echo5axioms.TokenValidator{}
		for name, v := range s.SchemeValidators {
			cfg.SchemeValidators[name] = v
		}
	}
	for name, a := range s.Authenticators {
		cfg.Authenticators[name] = func(c *echo.Context, scheme openapi.Scheme) (openapi.Principal, error) {
			return a(c.Request(), scheme)
		}
	}
	for name, l := range s.OwnerLoaders {
		cfg.OwnerLoaders[name] = func(c *echo.Context) (any, error) {
			obj, err := l.Load(c.Param(l.Param))
			if errors.Is(err, conformance.ErrNotFound) {
				return nil, echo.ErrNotFound
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
		e.Add(r.Method, conformance.ColonPath(r.Path), func(c *echo.Context) error {
			obj, _ := echo5axioms.Object[any](c)
			conformance.Respond(c.Response(), r.Name, echo5axioms.Principal(c), obj)
			return nil
		})
	}
	return e
}
