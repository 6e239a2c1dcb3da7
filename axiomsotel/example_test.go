package axiomsotel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/axioms-go/axioms-echo/axiomsotel"
	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// A net/http service whose decisions and key set are OpenTelemetry metrics. The
// ManualReader stands for the application's exporter (Prometheus, OTLP, ...).
func Example() {
	iss, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{})
	if err != nil {
		panic(err)
	}
	defer iss.Close()
	v, err := validator.New(context.Background(), iss.ValidatorConfig())
	if err != nil {
		panic(err)
	}

	reader := sdkmetric.NewManualReader()
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter(axiomsotel.ScopeName)
	record, err := axiomsotel.AuditHook(meter)
	if err != nil {
		panic(err)
	}
	if _, err := axiomsotel.Instrument(meter, v); err != nil {
		panic(err)
	}

	policies, err := openapi.LoadData([]byte(`
openapi: 3.1.0
info: {title: example, version: "1"}
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {}}}}
paths:
  /data: {get: {operationId: getData, security: [{oauth2: []}], responses: {"401": {description: no}}}}
`), openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: v,
		AuditHook: func(r *http.Request, rec httpaxioms.AuditRecord) { record(r.Context(), rec) }})
	if err != nil {
		panic(err)
	}
	mux.HandleFunc("GET /data", func(http.ResponseWriter, *http.Request) {})

	token, err := iss.TokenErr(axiomstest.TokenSpec{})
	if err != nil {
		panic(err)
	}
	for _, auth := range []string{"Bearer " + token, "Bearer " + token, ""} {
		req := httptest.NewRequest(http.MethodGet, "/data", nil)
		req.Header.Set("Authorization", auth)
		mux.ServeHTTP(httptest.NewRecorder(), req)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			for _, p := range sum.DataPoints {
				outcome, _ := p.Attributes.Value("outcome")
				reason, _ := p.Attributes.Value("reason")
				if m.Name == "axioms.decisions" {
					fmt.Println(m.Name, outcome.Emit(), reason.Emit(), p.Value)
				} else {
					fmt.Println(m.Name, p.Value)
				}
			}
		}
	}
	// Unordered output:
	// axioms.decisions allowed  2
	// axioms.decisions denied missing_token 1
	// axioms.keyset.fetches 1
	// axioms.keyset.failures 0
	// axioms.token_cache.hits 1
	// axioms.token_cache.misses 1
	// axioms.introspection.requests 0
	// axioms.introspection.failures 0
	// axioms.introspection.inactive 0
	// axioms.introspection.throttled 0
	// axioms.introspection_cache.hits 0
	// axioms.introspection_cache.misses 0
}
