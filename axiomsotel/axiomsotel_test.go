package axiomsotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/axioms-go/axioms-echo/axiomsotel"
	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

const document = `
openapi: 3.1.0
info: {title: test, version: "1"}
security: [{oauth2: []}]
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {"read:data": read}}}}
paths:
  /health: {get: {operationId: health, security: [], responses: {"200": {description: ok}}}}
  /data/{id}: {get: {operationId: getData, security: [{oauth2: ["read:data"]}], parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}, "403": {description: no}}}}
`

// harness is an issuer, a validator trusting it, a net/http service protected by the
// document whose decisions go to axiomsotel, and the SDK's in-memory reader and span
// recorder. Every request runs in a span of its own.
type harness struct {
	iss     *axiomstest.Issuer
	v       *validator.Validator
	reader  *sdkmetric.ManualReader
	spans   *tracetest.SpanRecorder
	handler http.Handler
}

func newHarness(t *testing.T, issCfg axiomstest.IssuerConfig) *harness {
	t.Helper()
	h := &harness{iss: axiomstest.NewIssuer(t, issCfg), reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	cfg := h.iss.ValidatorConfig()
	cfg.Now = issCfg.Now
	var err error
	h.v, err = validator.New(context.Background(), cfg)
	require.NoError(t, err)
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader)).Meter(axiomsotel.ScopeName)
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans)).Tracer("test")

	record, err := axiomsotel.AuditHook(meter)
	require.NoError(t, err)
	reg, err := axiomsotel.Instrument(meter, h.v)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, reg.Unregister()) })

	policies, err := openapi.LoadData([]byte(document), openapi.LoadOptions{})
	require.NoError(t, err)
	mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: h.v,
		AuditHook: func(r *http.Request, rec httpaxioms.AuditRecord) { record(r.Context(), rec) }})
	require.NoError(t, err)
	mux.HandleFunc("GET /health", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /data/{id}", func(http.ResponseWriter, *http.Request) {})
	require.NoError(t, mux.CheckRoutes().Err())
	h.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), "request")
		defer span.End()
		mux.ServeHTTP(w, r.WithContext(ctx))
	})
	return h
}

func (h *harness) do(t *testing.T, path, token string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec.Code
}

func (h *harness) collect(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, axiomsotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// attrs renders an attribute set as "k=v,k=v" in key order.
func attrs(s attribute.Set) string {
	var b []string
	for _, kv := range s.ToSlice() {
		b = append(b, string(kv.Key)+"="+kv.Value.Emit())
	}
	return strings.Join(b, ",")
}

// sums returns the points of an Int64 sum by their attributes.
func sums(t *testing.T, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is an int64 sum, not %T", m.Name, m.Data)
	assert.True(t, sum.IsMonotonic, m.Name)
	out := map[string]int64{}
	for _, p := range sum.DataPoints {
		out[attrs(p.Attributes)] = p.Value
	}
	return out
}

func TestDecisions(t *testing.T) {
	h := newHarness(t, axiomstest.IssuerConfig{})
	reader := h.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "read:data"}})
	other := h.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "write:data"}})
	expired := h.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}})

	assert.Equal(t, http.StatusOK, h.do(t, "/health", ""))
	assert.Equal(t, http.StatusOK, h.do(t, "/data/1", reader))
	assert.Equal(t, http.StatusOK, h.do(t, "/data/2", reader))
	assert.Equal(t, http.StatusUnauthorized, h.do(t, "/data/1", ""))
	assert.Equal(t, http.StatusUnauthorized, h.do(t, "/data/1", expired))
	assert.Equal(t, http.StatusForbidden, h.do(t, "/data/1", other))

	m := h.collect(t)
	require.Contains(t, m, "axioms.decisions")
	assert.Equal(t, "{decision}", m["axioms.decisions"].Unit)
	assert.Equal(t, map[string]int64{
		"operation=health,outcome=public,reason=":                    1,
		"operation=getData,outcome=allowed,reason=":                  2,
		"operation=getData,outcome=denied,reason=missing_token":      1,
		"operation=getData,outcome=denied,reason=expired":            1,
		"operation=getData,outcome=denied,reason=insufficient_scope": 1,
	}, sums(t, m["axioms.decisions"]))

	ended := h.spans.Ended()
	require.Len(t, ended, 6)
	var events []string
	for _, s := range ended {
		require.Len(t, s.Events(), 1, "one decision event per request")
		e := s.Events()[0]
		assert.Equal(t, axiomsotel.DecisionEvent, e.Name)
		events = append(events, attrs(attribute.NewSet(e.Attributes...)))
	}
	assert.Equal(t, []string{
		"http.request.method=GET,http.response.status_code=200,http.route=/health,operation=health,outcome=public,reason=",
		"http.request.method=GET,http.response.status_code=200,http.route=/data/{id},operation=getData,outcome=allowed,reason=",
		"http.request.method=GET,http.response.status_code=200,http.route=/data/{id},operation=getData,outcome=allowed,reason=",
		"http.request.method=GET,http.response.status_code=401,http.route=/data/{id},operation=getData,outcome=denied,reason=missing_token",
		"http.request.method=GET,http.response.status_code=401,http.route=/data/{id},operation=getData,outcome=denied,reason=expired",
		"http.request.method=GET,http.response.status_code=403,http.route=/data/{id},operation=getData,outcome=denied,reason=insufficient_scope",
	}, events)
}

// A decision of a Require… helper carries its check; a context without a recording
// span gets the counter only.
func TestDecisionCheckWithoutSpan(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	record, err := axiomsotel.AuditHook(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter(axiomsotel.ScopeName))
	require.NoError(t, err)
	for range 3 {
		record(context.Background(), enforce.AuditRecord{Outcome: enforce.OutcomeDenied, Reason: enforce.ReasonInsufficientPermission,
			Check: "RequireRoles", Method: http.MethodPost, Route: "/admin", Status: http.StatusForbidden})
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	require.Len(t, rm.ScopeMetrics[0].Metrics, 1)
	assert.Equal(t, map[string]int64{"check=RequireRoles,operation=,outcome=denied,reason=insufficient_permission": 3},
		sums(t, rm.ScopeMetrics[0].Metrics[0]))
}

func TestInstrument(t *testing.T) {
	clk := axiomstest.NewClock(time.Now().Add(-time.Hour))
	h := newHarness(t, axiomstest.IssuerConfig{Now: clk.Now})
	token := h.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"scope": "read:data"}})
	for range 3 {
		assert.Equal(t, http.StatusOK, h.do(t, "/data/1", token))
	}
	assert.Equal(t, http.StatusUnauthorized, h.do(t, "/data/1", "not-a-token"))

	m := h.collect(t)
	issuer := "issuer=" + h.iss.URL()
	for name, want := range map[string]int64{
		"axioms.keyset.fetches":     1,
		"axioms.keyset.failures":    0,
		"axioms.token_cache.hits":   2,
		"axioms.token_cache.misses": 2, // the first presentation of each token
	} {
		require.Contains(t, m, name)
		assert.Equal(t, map[string]int64{issuer: want}, sums(t, m[name]), name)
	}
	keys, ok := m["axioms.keyset.keys"].Data.(metricdata.Gauge[int64])
	require.True(t, ok)
	require.Len(t, keys.DataPoints, 1)
	assert.Equal(t, int64(h.v.Status().Keys), keys.DataPoints[0].Value)
	assert.Positive(t, keys.DataPoints[0].Value)
	age, ok := m["axioms.keyset.age"].Data.(metricdata.Gauge[float64])
	require.True(t, ok)
	require.Len(t, age.DataPoints, 1)
	assert.Equal(t, "s", m["axioms.keyset.age"].Unit)
	assert.InDelta(t, time.Hour.Seconds(), age.DataPoints[0].Value, 60, "the key set was fetched an hour ago by the validator's clock")
	assert.Equal(t, issuer, attrs(age.DataPoints[0].Attributes))
}

// The introspection counters of a validator introspecting opaque tokens: requests sent,
// failures, inactive answers, throttled validations and introspection-cache lookups.
func TestInstrumentIntrospection(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	cfg := iss.ValidatorConfig()
	cfg.Introspection = &validator.Introspection{Endpoint: iss.IntrospectionURL()}
	v, err := validator.New(t.Context(), cfg)
	require.NoError(t, err)
	reader := sdkmetric.NewManualReader()
	_, err = axiomsotel.Instrument(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter(axiomsotel.ScopeName), v)
	require.NoError(t, err)

	active := iss.OpaqueToken(t, nil)
	for range 3 {
		_, err := v.Validate(t.Context(), active)
		require.NoError(t, err)
	}
	revoked := iss.OpaqueToken(t, nil)
	iss.Revoke(revoked)
	_, err = v.Validate(t.Context(), revoked)
	require.ErrorIs(t, err, validator.ErrInvalidToken)
	iss.FailIntrospection(axiomstest.Fault{Status: http.StatusBadGateway})
	_, err = v.Validate(t.Context(), iss.OpaqueToken(t, nil))
	require.ErrorIs(t, err, validator.ErrKeysUnavailable)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	m := map[string]metricdata.Metrics{}
	for _, mm := range rm.ScopeMetrics[0].Metrics {
		m[mm.Name] = mm
	}
	issuer := "issuer=" + iss.URL()
	for name, want := range map[string]int64{
		"axioms.introspection.requests":     3,
		"axioms.introspection.failures":     1,
		"axioms.introspection.inactive":     1,
		"axioms.introspection.throttled":    0,
		"axioms.introspection_cache.hits":   2,
		"axioms.introspection_cache.misses": 3,
		"axioms.token_cache.misses":         0,
	} {
		require.Contains(t, m, name)
		assert.Equal(t, map[string]int64{issuer: want}, sums(t, m[name]), name)
	}
	st := v.Status()
	assert.Equal(t, uint64(3), st.IntrospectionRequests, "the same figures as Status")
}

// A validator whose issuer is down: failures counted, no usable key, no age.
func TestInstrumentIssuerDown(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	iss.Fail(axiomstest.Fault{Status: http.StatusServiceUnavailable})
	v := iss.Validator(t)
	reader := sdkmetric.NewManualReader()
	_, err := axiomsotel.Instrument(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter(axiomsotel.ScopeName), v)
	require.NoError(t, err)
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	m := map[string]metricdata.Metrics{}
	for _, mm := range rm.ScopeMetrics[0].Metrics {
		m[mm.Name] = mm
	}
	issuer := "issuer=" + iss.URL()
	assert.Equal(t, map[string]int64{issuer: 1}, sums(t, m["axioms.keyset.failures"]))
	assert.Equal(t, map[string]int64{issuer: 1}, sums(t, m["axioms.keyset.fetches"]))
	keys, ok := m["axioms.keyset.keys"].Data.(metricdata.Gauge[int64])
	require.True(t, ok)
	require.Len(t, keys.DataPoints, 1)
	assert.Zero(t, keys.DataPoints[0].Value)
	assert.NotContains(t, m, "axioms.keyset.age", "no key set: no age")
}

func TestNilArguments(t *testing.T) {
	_, err := axiomsotel.AuditHook(nil)
	assert.ErrorContains(t, err, "meter is nil")
	_, err = axiomsotel.Instrument(nil)
	assert.ErrorContains(t, err, "meter is nil")
	meter := sdkmetric.NewMeterProvider().Meter(axiomsotel.ScopeName)
	_, err = axiomsotel.Instrument(meter, nil)
	assert.ErrorContains(t, err, "validator 0 is nil")
}

// No attribute value recorded, in metrics or span events, holds any part of a token or
// its subject, whatever the decision.
func TestNoTokenContent(t *testing.T) {
	h := newHarness(t, axiomstest.IssuerConfig{})
	const subject = "subject-7f3a9c"
	var tokens []string
	for _, claims := range []map[string]any{
		{"sub": subject, "scope": "read:data"},
		{"sub": subject, "scope": "write:data"},
		{"sub": subject, "exp": time.Now().Add(-time.Hour).Unix()},
		{"sub": subject, "aud": "another-api"},
	} {
		tokens = append(tokens, h.iss.Token(t, axiomstest.TokenSpec{Claims: claims}))
	}
	tokens = append(tokens, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdWJqZWN0LTdmM2E5YyJ9.c2lnbmF0dXJl")
	for _, token := range tokens {
		for range 2 {
			h.do(t, "/data/1", token)
		}
	}

	var values []string
	m := h.collect(t)
	require.Len(t, m, 13, "every instrument has points")
	for _, metric := range m {
		switch d := metric.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				values = append(values, attributeValues(p.Attributes.ToSlice())...)
			}
		case metricdata.Gauge[int64]:
			for _, p := range d.DataPoints {
				values = append(values, attributeValues(p.Attributes.ToSlice())...)
			}
		case metricdata.Gauge[float64]:
			for _, p := range d.DataPoints {
				values = append(values, attributeValues(p.Attributes.ToSlice())...)
			}
		default:
			t.Fatalf("%s: unexpected data %T", metric.Name, d)
		}
	}
	for _, s := range h.spans.Ended() {
		for _, e := range s.Events() {
			values = append(values, attributeValues(e.Attributes)...)
		}
	}
	require.NotEmpty(t, values)
	for _, token := range tokens {
		for _, part := range strings.Split(token, ".") {
			for _, v := range values {
				assert.NotContains(t, v, part)
			}
		}
	}
	for _, v := range values {
		assert.NotContains(t, v, subject)
	}
}

func attributeValues(kvs []attribute.KeyValue) []string {
	var out []string
	for _, kv := range kvs {
		if v := kv.Value.Emit(); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Recording a decision allocates nothing once its combination of attributes was seen
// (with the SDK, outside a recording span).
func TestDecisionAllocations(t *testing.T) {
	record, err := axiomsotel.AuditHook(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())).Meter(axiomsotel.ScopeName))
	require.NoError(t, err)
	r := enforce.AuditRecord{Outcome: enforce.OutcomeAllowed, OperationID: "getData", Method: http.MethodGet, Route: "/data/{id}", Status: http.StatusOK}
	ctx := context.Background()
	record(ctx, r)
	assert.Zero(t, testing.AllocsPerRun(100, func() { record(ctx, r) }))
}
