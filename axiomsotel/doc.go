// Package axiomsotel records the library's decisions, key sets and token cache as
// OpenTelemetry metrics and span events. It uses only the OpenTelemetry API packages
// (metric, trace, attribute): the SDK and the exporters, Prometheus included, are the
// application's choice, and packages that do not import axiomsotel do not depend on
// OpenTelemetry at all.
//
// Two calls wire it up, with a meter from the application's MeterProvider:
//
//	meter := provider.Meter(axiomsotel.ScopeName)
//	record, err := axiomsotel.AuditHook(meter)
//	reg, err := axiomsotel.Instrument(meter, v) // v: the *validator.Validator
//	defer reg.Unregister()
//
// and the adapter's Config hands each decision to record, with the request's context
// (where an OpenTelemetry HTTP middleware keeps the request's span):
//
//	echoaxioms.Config{..., AuditHook: func(c echo.Context, r echoaxioms.AuditRecord) { record(c.Request().Context(), r) }}
//	httpaxioms.Config{..., AuditHook: func(r *http.Request, rec httpaxioms.AuditRecord) { record(r.Context(), rec) }}
//	enforce.Config{..., AuditHook: func(ctx context.Context, _ any, r enforce.AuditRecord) { record(ctx, r) }}
//
// # Instruments
//
//	name                               kind                   unit             attributes
//	axioms.decisions                   counter                {decision}       outcome, reason, operation, check (when not "")
//	axioms.keyset.fetches              asynchronous counter   {fetch}          issuer
//	axioms.keyset.failures             asynchronous counter   {fetch}          issuer
//	axioms.keyset.keys                 asynchronous gauge     {key}            issuer
//	axioms.keyset.age                  asynchronous gauge     s                issuer (fetched key sets only)
//	axioms.token_cache.hits            asynchronous counter   {lookup}         issuer
//	axioms.token_cache.misses          asynchronous counter   {lookup}         issuer
//	axioms.introspection.requests      asynchronous counter   {request}        issuer
//	axioms.introspection.failures      asynchronous counter   {introspection}  issuer
//	axioms.introspection.inactive      asynchronous counter   {answer}         issuer
//	axioms.introspection.throttled     asynchronous counter   {validation}     issuer
//	axioms.introspection_cache.hits    asynchronous counter   {lookup}         issuer
//	axioms.introspection_cache.misses  asynchronous counter   {lookup}         issuer
//
// outcome is an [enforce.Outcome], reason an [enforce.Reason] ("" for an allowed,
// public or anonymous request), operation the operationId ("" for a route without
// one), check the Require… helper that decided ("" for the document's enforcement).
// The asynchronous instruments read [validator.Validator.Status] once per validator at
// each collection: fetches and failures count the key-set fetches since the validator
// was built, keys the usable keys in use (0: not ready), age the seconds from the
// moment the key set in use was fetched (by the validator's clock, Config.Now) to the
// collection (by time.Now). The axioms.introspection instruments are the introspection
// counters of Status (requests sent to the endpoint, introspections without a usable
// answer, answers active false, validations refused because
// validator.Introspection.MaxConcurrent requests were in flight, and the introspection
// cache's hits and misses); they stay 0 for a validator without introspection.
//
// Each decision also adds an event named axioms.decision to the span of the context
// passed to the hook, when that span is recording, with the attributes outcome,
// reason, operation, check, http.request.method, http.route and
// http.response.status_code (the status of a denial, 200 otherwise).
//
// # Security
//
// Nothing recorded holds token content: no token, claim or subject. Attribute values
// come from the API document (operation, route), the configuration (issuer) and the
// library's closed sets (outcome, reason, check).
//
// # Concurrency
//
// The function AuditHook returns is safe for concurrent use, as an AuditHook must be;
// it allocates only the first time it sees a combination of attributes (a span event
// allocates what the tracer allocates). The callbacks registered by Instrument may run
// concurrently with requests.
package axiomsotel
