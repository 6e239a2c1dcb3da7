package axiomsotel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/validator"
)

// ScopeName is the instrumentation scope to name the meter after:
// provider.Meter(axiomsotel.ScopeName).
const ScopeName = "github.com/axioms-go/axioms-echo/axiomsotel"

// DecisionEvent is the name of the span event added for each decision.
const DecisionEvent = "axioms.decision"

// AuditHook returns a function that records one decision: it adds 1 to the
// axioms.decisions counter of meter and, when the span of ctx is recording, adds a
// [DecisionEvent] to it (see the package doc for the attributes). Call it from the
// adapter's AuditHook with the request's context. It fails when meter is nil or
// refuses the counter. The function is safe for concurrent use.
func AuditHook(meter metric.Meter) (func(ctx context.Context, r enforce.AuditRecord), error) {
	if meter == nil {
		return nil, errors.New("axiomsotel: AuditHook: meter is nil")
	}
	counter, err := meter.Int64Counter("axioms.decisions", metric.WithUnit("{decision}"),
		metric.WithDescription("Decisions on requests, by outcome, reason, operation and check."))
	if err != nil {
		return nil, fmt.Errorf("axiomsotel: AuditHook: %w", err)
	}
	d := &decisions{counter: counter, sets: map[decisionKey][]metric.AddOption{}}
	return d.record, nil
}

// decisionKey is what the counter's attributes are made of.
type decisionKey struct {
	outcome          enforce.Outcome
	reason           enforce.Reason
	operation, check string
}

// maxAttributeSets bounds the attribute sets decisions keeps; past it, a new
// combination is built for each decision.
const maxAttributeSets = 4096

// decisions holds the counter and its attribute sets, built once per combination: the
// combinations are bounded by the document's operations and the closed sets of
// outcomes, reasons and checks, and the number kept by maxAttributeSets.
type decisions struct {
	counter metric.Int64Counter
	mu      sync.RWMutex
	sets    map[decisionKey][]metric.AddOption // one option each, passed as is: no allocation
}

func (d *decisions) record(ctx context.Context, r enforce.AuditRecord) {
	k := decisionKey{outcome: r.Outcome, reason: r.Reason, operation: r.OperationID, check: r.Check}
	d.counter.Add(ctx, 1, d.options(k)...)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent(DecisionEvent, trace.WithAttributes(append(k.attributes(),
			attribute.String("http.request.method", r.Method),
			attribute.String("http.route", r.Route),
			attribute.Int("http.response.status_code", r.Status))...))
	}
}

func (d *decisions) options(k decisionKey) []metric.AddOption {
	d.mu.RLock()
	opt, ok := d.sets[k]
	d.mu.RUnlock()
	if ok {
		return opt
	}
	opt = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(k.attributes()...))}
	d.mu.Lock()
	if len(d.sets) < maxAttributeSets {
		d.sets[k] = opt
	}
	d.mu.Unlock()
	return opt
}

func (k decisionKey) attributes() []attribute.KeyValue {
	kv := []attribute.KeyValue{
		attribute.String("outcome", string(k.outcome)),
		attribute.String("reason", string(k.reason)),
		attribute.String("operation", k.operation),
	}
	if k.check != "" {
		kv = append(kv, attribute.String("check", k.check))
	}
	return kv
}

// Instrument registers the asynchronous instruments of vs on meter (key-set fetches,
// failures, usable keys and age, token-cache hits and misses, introspection requests,
// failures, inactive answers, throttled validations and introspection-cache hits and
// misses: see the package doc),
// each observation carrying the validator's issuer. The returned Registration
// unregisters them. It fails when meter is nil, a validator is nil, or meter refuses
// an instrument or the callback.
func Instrument(meter metric.Meter, vs ...*validator.Validator) (metric.Registration, error) {
	if meter == nil {
		return nil, errors.New("axiomsotel: Instrument: meter is nil")
	}
	for i, v := range vs {
		if v == nil {
			return nil, fmt.Errorf("axiomsotel: Instrument: validator %d is nil", i)
		}
	}
	vs = append([]*validator.Validator(nil), vs...)
	var errs []error
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	fetches := counter("axioms.keyset.fetches", "{fetch}", "Key-set fetches completed, by issuer.")
	failures := counter("axioms.keyset.failures", "{fetch}", "Key-set fetches that failed, by issuer.")
	hits := counter("axioms.token_cache.hits", "{lookup}", "Verified-token cache lookups that answered the token, by issuer.")
	misses := counter("axioms.token_cache.misses", "{lookup}", "Verified-token cache lookups that did not, by issuer.")
	introRequests := counter("axioms.introspection.requests", "{request}", "Requests sent to the introspection endpoint, by issuer.")
	introFailures := counter("axioms.introspection.failures", "{introspection}", "Introspections without a usable answer (introspection_unavailable), by issuer.")
	introInactive := counter("axioms.introspection.inactive", "{answer}", "Introspection answers active false, by issuer.")
	introThrottled := counter("axioms.introspection.throttled", "{validation}",
		"Validations refused because Introspection.MaxConcurrent requests were in flight, by issuer.")
	introHits := counter("axioms.introspection_cache.hits", "{lookup}", "Introspection cache lookups that answered the token, by issuer.")
	introMisses := counter("axioms.introspection_cache.misses", "{lookup}", "Introspection cache lookups that did not, by issuer.")
	keys, err := meter.Int64ObservableGauge("axioms.keyset.keys", metric.WithUnit("{key}"),
		metric.WithDescription("Usable keys in the key set in use (0: not ready), by issuer."))
	errs = append(errs, err)
	age, err := meter.Float64ObservableGauge("axioms.keyset.age", metric.WithUnit("s"),
		metric.WithDescription("Seconds since the key set in use was fetched, by issuer."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("axiomsotel: Instrument: %w", err)
	}
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		now := time.Now()
		for _, v := range vs {
			st := v.Status()
			issuer := metric.WithAttributeSet(attribute.NewSet(attribute.String("issuer", st.Issuer)))
			o.ObserveInt64(fetches, int64(st.Fetches), issuer)
			o.ObserveInt64(failures, int64(st.FetchFailures), issuer)
			o.ObserveInt64(hits, int64(st.CacheHits), issuer)
			o.ObserveInt64(misses, int64(st.CacheMisses), issuer)
			o.ObserveInt64(introRequests, int64(st.IntrospectionRequests), issuer)
			o.ObserveInt64(introFailures, int64(st.IntrospectionFailures), issuer)
			o.ObserveInt64(introInactive, int64(st.IntrospectionInactive), issuer)
			o.ObserveInt64(introThrottled, int64(st.IntrospectionThrottled), issuer)
			o.ObserveInt64(introHits, int64(st.IntrospectionCacheHits), issuer)
			o.ObserveInt64(introMisses, int64(st.IntrospectionCacheMisses), issuer)
			o.ObserveInt64(keys, int64(st.Keys), issuer)
			if !st.LastSuccess.IsZero() {
				o.ObserveFloat64(age, now.Sub(st.LastSuccess).Seconds(), issuer)
			}
		}
		return nil
	}, fetches, failures, hits, misses, introRequests, introFailures, introInactive, introThrottled, introHits, introMisses, keys, age)
	if err != nil {
		return nil, fmt.Errorf("axiomsotel: Instrument: %w", err)
	}
	return reg, nil
}
