package conformance_test

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/internal/conformance"
)

func TestNetHTTP(t *testing.T) { conformance.Run(t, httpDriver{}) }

// httpDriver installs httpaxioms, the net/http middleware, with httpaxioms.NewMux: an
// http.ServeMux whose every handler it wraps.
type httpDriver struct{}

func (httpDriver) Router() conformance.Router { return conformance.Router{HeadAsGet: true} }

func (httpDriver) Handler(tb testing.TB, s conformance.Setup) http.Handler {
	cfg := httpaxioms.Config{
		Policies:       s.Policies,
		DPoP:           s.DPoP,
		DPoPBaseURL:    s.DPoPBaseURL,
		Validator:      s.Validator,
		Authenticators: map[string]httpaxioms.Authenticator{},
		OwnerLoaders:   map[string]httpaxioms.OwnerLoader{},
		Logger:         slog.New(slog.DiscardHandler),
		AuditHook: func(_ *http.Request, r httpaxioms.AuditRecord) {
			s.Audit(conformance.AuditRecord{Operation: r.OperationID, Outcome: string(r.Outcome), Reason: string(r.Reason), Status: r.Status, Subject: r.Subject})
		},
	}
	if s.SchemeValidators != nil {
		cfg.SchemeValidators = map[string]httpaxioms.TokenValidator{}
		for name, v := range s.SchemeValidators {
			cfg.SchemeValidators[name] = v
		}
	}
	for name, a := range s.Authenticators {
		cfg.Authenticators[name] = httpaxioms.Authenticator(a)
	}
	for name, l := range s.OwnerLoaders {
		cfg.OwnerLoaders[name] = func(r *http.Request) (any, error) {
			obj, err := l.Load(r.PathValue(l.Param))
			if errors.Is(err, conformance.ErrNotFound) {
				return nil, &httpaxioms.StatusError{Status: http.StatusNotFound}
			}
			return obj, err
		}
	}
	mux, err := httpaxioms.NewMux(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range s.Routes {
		mux.HandleFunc(r.Method+" "+r.Path, func(w http.ResponseWriter, req *http.Request) {
			obj, _ := httpaxioms.Object[any](req)
			conformance.Respond(w, r.Name, httpaxioms.Principal(req), obj)
		})
	}
	return mux
}
