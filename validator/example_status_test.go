package validator_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// A readiness probe for a service whose issuer is down when it starts: 503 with the
// reason until a fetch brings keys, then 200.
func ExampleReadyHandler() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	iss.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})

	clock := axiomstest.NewClock(time.Now())
	cfg := iss.ValidatorConfig()
	cfg.Now = clock.Now
	v, err := validator.New(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", validator.ReadyHandler(v))

	probe := func() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		st := v.Status()
		fmt.Println(rec.Code, st.Ready(), strings.ReplaceAll(st.LastError, iss.URL(), "{issuer}"))
	}
	probe()

	iss.ClearFaults()
	clock.Advance(time.Second) // retries start 1s apart while no key set was obtained
	token, err := iss.TokenErr(axiomstest.TokenSpec{})
	if err != nil {
		panic(err)
	}
	if _, err := v.Validate(context.Background(), token); err != nil {
		panic(err)
	}
	probe()
	// Output:
	// 503 false GET {issuer}/.well-known/jwks.json: HTTP 503
	// 200 true
}
