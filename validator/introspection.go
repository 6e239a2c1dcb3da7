package validator

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by [New] to zero-valued [Introspection] fields.
const (
	DefaultIntrospectionTTL             = 5 * time.Minute  // Introspection.TTL
	DefaultIntrospectionNegativeTTL     = 10 * time.Second // Introspection.NegativeTTL
	DefaultMaxIntrospectionResponseSize = 64 << 10         // Introspection.MaxResponseSize: 64 KiB
	DefaultIntrospectionMaxConcurrent   = 32               // Introspection.MaxConcurrent
)

// Client authentication methods of [Introspection.AuthMethod] (RFC 7591 §2 names).
const (
	AuthClientSecretBasic = "client_secret_basic" // HTTP Basic, id and secret form-urlencoded (RFC 6749 §2.3.1)
	AuthClientSecretPost  = "client_secret_post"  // client_id and client_secret in the form body
)

// Introspection configures OAuth 2.0 Token Introspection (RFC 7662) for a [Validator]:
// tokens the issuer issues as opaque strings (Ory Hydra's ory_at_…, node
// oidc-provider's default) are sent to the issuer's introspection endpoint, and its
// answer is checked as a JWT's claims would be (see the package doc, Introspection).
// Set it in Config.Introspection; nil (the default) turns introspection off. Its
// values come from the service's configuration, never from the OpenAPI document: a
// security scheme whose tokens are introspected is bound to a Validator configured
// with it, as any scheme is bound to its issuer's Validator.
//
// private_key_jwt client authentication (RFC 7523) is not supported.
type Introspection struct {
	// Endpoint is the introspection endpoint's URL. If empty, the introspection_endpoint
	// of the issuer's OIDC discovery document, which is then read for jwks_uri as
	// well; that needs keys to come from discovery: with Config.JWKS or Config.JWKSURL
	// set, Endpoint is required. It must be https, except for loopback hosts
	// (localhost, 127.0.0.0/8, ::1) or with Config.InsecureSkipHTTPSCheck, and carry no
	// credentials; a discovered endpoint is held to the same rule.
	Endpoint string

	// ClientID and ClientSecret authenticate this resource server to the endpoint
	// (RFC 7662 §2.1), with AuthMethod. Set both, or neither for an endpoint that asks
	// no client authentication (Ory Hydra's admin endpoint, reachable only from a
	// private network). The secret never appears in errors or logs.
	ClientID     string
	ClientSecret string // see ClientID; default empty (no client authentication)

	// AuthMethod is how ClientID and ClientSecret are sent: [AuthClientSecretBasic] (an
	// Authorization: Basic header) or [AuthClientSecretPost] (form members). If empty,
	// AuthClientSecretBasic. Any other value is an error.
	AuthMethod string

	// All, if true, introspects every token, JWTs included, whose signature is then
	// not checked here. If false (the default), only tokens that are not shaped as a
	// compact JWS are introspected: a token with exactly two dots takes the JWT path and
	// gets its errors (malformed, bad_signature, ...), every other token (no dot, one
	// dot as in Ory Hydra's tokens, four as a JWE's) is introspected.
	All bool

	// TTL bounds how long an active result is reused: until the token's exp or TTL
	// after the introspection, whichever comes first. A token revoked at the issuer may
	// thus be accepted for up to TTL. If zero, [DefaultIntrospectionTTL] (5m); negative
	// is an error.
	TTL time.Duration

	// NegativeTTL is how long a refusal (active false, or an answer whose claims fail a
	// check) is reused, so that a flood of bad tokens does not reach the endpoint more
	// than once each per NegativeTTL. If zero, [DefaultIntrospectionNegativeTTL] (10s);
	// negative is an error.
	NegativeTTL time.Duration

	// Timeout bounds each introspection request. If zero, Config.FetchTimeout (5s by
	// default); negative is an error.
	Timeout time.Duration

	// MaxResponseSize is the largest introspection response body accepted, in bytes; a
	// larger one makes the token unjudged (introspection_unavailable). If zero,
	// [DefaultMaxIntrospectionResponseSize] (64 KiB); negative is an error.
	MaxResponseSize int64

	// MaxConcurrent bounds the introspection requests in flight at once for this
	// Validator, so that a flood of distinct unknown tokens costs the endpoint at most
	// MaxConcurrent requests at a time and this process at most MaxConcurrent
	// goroutines waiting on them. A token not cached, and not already being
	// introspected, that finds MaxConcurrent requests in flight waits for one to end,
	// for at most Timeout and never past its ctx; if none ends in time it is unjudged
	// (introspection_unavailable, HTTP 503), never accepted. If zero,
	// [DefaultIntrospectionMaxConcurrent] (32); negative is an error.
	//
	// Without Config.HTTPClient, introspection requests use a transport of their own
	// that keeps up to MaxConcurrent idle connections to the endpoint. A Config.HTTPClient
	// is used as it is: give its transport as many idle connections per host
	// (http.Transport.MaxIdleConnsPerHost, 2 by default), or under load most
	// introspection requests open a new connection.
	MaxConcurrent int
}

// introSettings is a validated Introspection with defaults applied.
type introSettings struct {
	endpoint    string // "" = discovered
	clientID    string
	secret      string
	post        bool // client_secret_post
	all         bool
	ttl         time.Duration
	negativeTTL time.Duration
	timeout     time.Duration
	maxSize     int64
	concurrent  int // MaxConcurrent
}

func (in *Introspection) settings(c *Config, s *settings, bad func(string, ...any)) *introSettings {
	is := &introSettings{
		endpoint: strings.TrimSpace(in.Endpoint),
		clientID: in.ClientID,
		secret:   in.ClientSecret,
		all:      in.All,
	}
	switch in.AuthMethod {
	case "", AuthClientSecretBasic:
	case AuthClientSecretPost:
		is.post = true
	default:
		bad("validator: Introspection.AuthMethod: %q is not supported (use %q or %q)", in.AuthMethod, AuthClientSecretBasic, AuthClientSecretPost)
	}
	if (in.ClientID == "") != (in.ClientSecret == "") {
		bad("validator: Introspection: ClientID and ClientSecret must be set together (or neither, for an endpoint without client authentication)")
	}
	if is.endpoint != "" {
		if err := checkFetchURL(is.endpoint, s.allowHTTP); err != nil {
			bad("validator: Introspection.Endpoint: %w", err)
		}
	} else if len(c.JWKS) > 0 || strings.TrimSpace(c.JWKSURL) != "" {
		bad("validator: Introspection.Endpoint is required when JWKS or JWKSURL is set (it is discovered only with the key set)")
	}
	is.ttl = positiveOr(in.TTL, DefaultIntrospectionTTL, "Introspection.TTL", bad)
	is.negativeTTL = positiveOr(in.NegativeTTL, DefaultIntrospectionNegativeTTL, "Introspection.NegativeTTL", bad)
	is.timeout = positiveOr(in.Timeout, s.fetchTimeout, "Introspection.Timeout", bad)
	is.maxSize = positiveOr(in.MaxResponseSize, DefaultMaxIntrospectionResponseSize, "Introspection.MaxResponseSize", bad)
	is.concurrent = positiveOr(in.MaxConcurrent, DefaultIntrospectionMaxConcurrent, "Introspection.MaxConcurrent", bad)
	return is
}

// isCompactJWS reports whether token is shaped as a compact JWS: exactly two dots.
func isCompactJWS(token string) bool {
	return strings.Count(token, ".") == 2
}

// isToken68 reports whether token matches token68 (RFC 7235 §2.1), the syntax of a
// bearer token (RFC 6750 §2.1) and of a DPoP one (RFC 9449 §7.1): 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=". A token that is not is refused before it
// is introspected: it can be no bearer token, and a caller that reads tokens from the
// Authorization header may have left this check to Validate (compact JWS in canonical
// base64url, all the JWT path accepts, is token68).
func isToken68(token string) bool {
	i := 0
	for ; i < len(token); i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(token); i++ {
		if token[i] != '=' {
			return false
		}
	}
	return true
}

// introspector sends tokens to the introspection endpoint, at most one request per
// token and Introspection.MaxConcurrent in all at a time, and caches the results.
type introspector struct {
	v      *Validator
	is     *introSettings
	client *http.Client
	cache  *introCache // nil when Config.CacheSize is negative

	// slots holds one element per introspection in flight: a flight is started only
	// once its starter has put one in, and its run takes it out when it ends.
	slots chan struct{}
	// after returns a channel that fires after d, and a function stopping it: the
	// bound of a wait for a slot (time.NewTimer; tests replace it).
	after func(d time.Duration) (<-chan time.Time, func() bool)

	mu       sync.Mutex
	inflight map[[sha256.Size]byte]*introFlight

	// Counters reported by Validator.Status.
	requests  atomic.Uint64 // requests sent to the endpoint
	failures  atomic.Uint64 // introspections without a usable answer
	inactive  atomic.Uint64 // answers active false
	throttled atomic.Uint64 // validations refused for want of a slot

	// lastLog (UnixNano) and unlogged bound the failure log to one line per
	// logInterval, however many requests fail while the endpoint is down.
	lastLog  atomic.Int64
	unlogged atomic.Int64
}

// logInterval is the least time between two log lines about failed introspections.
const logInterval = 10 * time.Second

// introFlight is one introspection request, shared by every caller presenting the same
// token while it runs.
type introFlight struct {
	done   chan struct{}
	joined int // callers that joined the running request (under introspector.mu)
	claims *Claims
	err    *validationError
}

func newIntrospector(v *Validator, is *introSettings, userClient bool) *introspector {
	client := *v.s.client // never modify the caller's client
	if !userClient {
		client.Timeout = 0 // bounded by is.timeout through the request's context
		// Keep a connection per request that may be in flight: with the default
		// transport's two idle connections per host, a busy endpoint would cost a new
		// connection (and TLS handshake) for most requests.
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			t = t.Clone()
			t.MaxIdleConnsPerHost = is.concurrent
			client.Transport = t
		}
	}
	// Redirects are never followed: the client's credentials and the token would go
	// wherever the endpoint points. A redirect is answered as an unavailable endpoint.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	in := &introspector{v: v, is: is, client: &client, inflight: map[[sha256.Size]byte]*introFlight{},
		slots: make(chan struct{}, is.concurrent), after: newTimer}
	if v.s.cacheSize > 0 {
		in.cache = newIntroCache(v.s.cacheSize, v.s.cacheMaxBytes)
	}
	return in
}

// validate answers an introspected token: from the cache, or by joining the request
// for it or starting one once a slot is free.
func (in *introspector) validate(ctx context.Context, token string, now time.Time) (*Claims, *validationError) {
	h := sha256.Sum256([]byte(token))
	if in.cache != nil {
		if c, e, ok := in.cache.get(h, now); ok {
			if e != nil {
				return nil, fail(e)
			}
			return c, nil
		}
	}
	f, e := in.flight(ctx, h, token)
	if e != nil {
		return nil, e
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, introspectionUnavailable(ctx.Err())
	}
	if f.err != nil {
		return nil, fail(f.err)
	}
	return f.claims, nil
}

// flight returns the request for the token hashed h: the one in flight, joined, or a
// new one, started once a slot is free. When no slot frees in time it returns
// introspection_unavailable, unless a request for the token started meanwhile.
func (in *introspector) flight(ctx context.Context, h [sha256.Size]byte, token string) (*introFlight, *validationError) {
	if f := in.join(h); f != nil {
		return f, nil
	}
	if e := in.acquire(ctx); e != nil {
		if f := in.join(h); f != nil {
			return f, nil
		}
		in.throttled.Add(1)
		in.logFailure(e)
		return nil, e
	}
	in.mu.Lock()
	f := in.inflight[h]
	if f != nil { // started while this caller waited for its slot
		f.joined++
		in.mu.Unlock()
		<-in.slots
		return f, nil
	}
	f = &introFlight{done: make(chan struct{})}
	in.inflight[h] = f
	in.mu.Unlock()
	go in.run(context.WithoutCancel(ctx), h, token, f)
	return f, nil
}

// join returns the request in flight for the token hashed h, counting the caller in,
// or nil.
func (in *introspector) join(h [sha256.Size]byte) *introFlight {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.inflight[h]
	if f != nil {
		f.joined++
	}
	return f
}

// acquire takes a slot for a new request, waiting for one for at most the
// introspection Timeout and never past ctx.
func (in *introspector) acquire(ctx context.Context) *validationError {
	select {
	case in.slots <- struct{}{}:
		return nil
	default:
	}
	expired, stop := in.after(in.is.timeout)
	defer stop()
	select {
	case in.slots <- struct{}{}:
		return nil
	case <-expired:
		return introspectionUnavailable(fmt.Errorf("%d introspection requests in flight (Introspection.MaxConcurrent), none ended within %v", cap(in.slots), in.is.timeout))
	case <-ctx.Done():
		return introspectionUnavailable(fmt.Errorf("waiting for one of %d introspection requests in flight (Introspection.MaxConcurrent) to end: %w", cap(in.slots), ctx.Err()))
	}
}

// newTimer is introspector.after outside tests: a time.Timer.
func newTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// run introspects token, caches the answer (not an unavailable endpoint's), releases
// its slot and the callers waiting for it.
func (in *introspector) run(ctx context.Context, h [sha256.Size]byte, token string, f *introFlight) {
	c, e := in.introspect(ctx, token)
	<-in.slots
	if e != nil && e.reason == ReasonInactive {
		in.inactive.Add(1)
	}
	if e != nil && e.Is(ErrKeysUnavailable) {
		in.failures.Add(1)
		in.logFailure(e)
	} else if in.cache != nil {
		now := in.v.s.now()
		if e != nil {
			in.cache.put(h, nil, e, now.Add(in.is.negativeTTL), now)
		} else {
			until := now.Add(in.is.ttl)
			if c.expiresAt.Before(until) {
				until = c.expiresAt
			}
			in.cache.put(h, c, nil, until, now)
		}
	}
	f.claims, f.err = c, e
	in.mu.Lock()
	delete(in.inflight, h)
	in.mu.Unlock()
	close(f.done)
}

// logFailure logs a failed introspection (its cause names the endpoint, never the token
// nor the client secret), at most once per logInterval, with the number of failures
// not logged since the last line.
func (in *introspector) logFailure(e *validationError) {
	now := in.v.s.now().UnixNano()
	last := in.lastLog.Load()
	if last != 0 && now-last < int64(logInterval) || !in.lastLog.CompareAndSwap(last, now) {
		in.unlogged.Add(1)
		return
	}
	in.v.s.logger.Warn("axioms: token introspection failed; the token was not judged (503)",
		"issuer", in.v.s.issuer, "error", e.Error(), "failures_not_logged", in.unlogged.Swap(0))
}

// introspect asks the endpoint about token (RFC 7662 §2.1) and checks its answer.
func (in *introspector) introspect(ctx context.Context, token string) (*Claims, *validationError) {
	endpoint, err := in.endpoint(ctx)
	if err != nil {
		return nil, introspectionUnavailable(err)
	}
	body, err := in.post(ctx, endpoint, token)
	if err != nil {
		return nil, introspectionUnavailable(err)
	}
	return in.v.checkIntrospection(body, in.v.s.now())
}

// endpoint returns the configured endpoint, or the discovered one. Until discovery
// has succeeded it asks the key store for a fetch (spaced as key-set fetches are).
func (in *introspector) endpoint(ctx context.Context) (string, error) {
	if in.is.endpoint != "" {
		return in.is.endpoint, nil
	}
	d := in.v.keys.introspection.Load()
	if d == nil {
		err := in.v.keys.demand(ctx, in.v.s.now(), false)
		if d = in.v.keys.introspection.Load(); d == nil {
			if err == nil {
				err = errors.New("the discovery document has not been read")
			}
			return "", fmt.Errorf("introspection endpoint unknown: %w", err)
		}
	}
	return d.url, d.err
}

// post sends the introspection request and returns the body of its 200 answer.
func (in *introspector) post(ctx context.Context, endpoint, token string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, in.is.timeout)
	defer cancel()
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	if in.is.post && in.is.clientID != "" {
		form.Set("client_id", in.is.clientID)
		form.Set("client_secret", in.is.secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "axioms-echo")
	if !in.is.post && in.is.clientID != "" {
		// RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(in.is.clientID), url.QueryEscape(in.is.secret))
	}
	in.requests.Add(1)
	resp, err := in.client.Do(req)
	if err != nil {
		// *url.Error names the method and URL; its text holds neither the form nor
		// the Authorization header.
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: HTTP %d", endpoint, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, in.is.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", endpoint, err)
	}
	if int64(len(body)) > in.is.maxSize {
		return nil, fmt.Errorf("POST %s: response exceeds %d bytes", endpoint, in.is.maxSize)
	}
	return body, nil
}

// errIntrospectionResponse is the cause of introspection_unavailable for an answer
// that is not a valid introspection response; its text never quotes the answer,
// which may echo the token.
type errIntrospectionResponse string

func (e errIntrospectionResponse) Error() string {
	return "introspection response " + string(e)
}

// checkIntrospection reads an introspection response (RFC 7662 §2.2) and checks it as
// a JWT's claims are checked. An answer that is not a JSON object, has duplicate
// member names, an active member that is not a JSON boolean or a registered member of
// the wrong type is the endpoint's fault (introspection_unavailable); active false is
// inactive; a claim failing a check (iss, aud, exp, nbf, iat, Config.RequiredClaims)
// gets the reason a JWT would. An active answer with token_type DPoP but no cnf.jkt is
// the endpoint's fault too: it names no key to bind the token to.
func (v *Validator) checkIntrospection(body []byte, now time.Time) (*Claims, *validationError) {
	set, err := decodeIntrospection(body)
	if err != nil {
		return nil, introspectionUnavailable(err)
	}
	if !set["active"].(bool) {
		return nil, fail(errInactive)
	}
	if e := checkTokenUse(set); e != nil {
		return nil, e
	}
	if e := v.checkIssuer(set); e != nil {
		return nil, e
	}
	c, e := v.checkClaims(set, body, now)
	if e != nil {
		if e.reason == ReasonMalformed {
			// A member of the wrong type found by the claim checks (a configured claim
			// name or pointer): the endpoint's fault, not the token's.
			return nil, introspectionUnavailable(errIntrospectionResponse("member has the wrong type: " + e.desc))
		}
		return nil, e
	}
	if typ, _ := set["token_type"].(string); strings.EqualFold(typ, "DPoP") && c.dpopJKT == "" {
		// RFC 9449 §6.2: the answer about a DPoP-bound token carries its key's
		// thumbprint. Without it, the token would pass for an unbound one, presented as
		// Bearer by whoever holds it.
		return nil, introspectionUnavailable(errIntrospectionResponse("has token_type DPoP but no cnf.jkt"))
	}
	return c, nil
}

// introspectionTypes are the types RFC 7662 §2.2 gives the registered members of an
// answer: 's' a string, 'n' a number, 'a' a string or an array of strings.
var introspectionTypes = map[string]byte{
	"scope": 's', "client_id": 's', "username": 's', "token_type": 's', "sub": 's',
	"iss": 's', "jti": 's', "token_use": 's',
	"exp": 'n', "iat": 'n', "nbf": 'n',
	"aud": 'a',
}

// decodeIntrospection decodes an introspection response: a JSON object without
// duplicate names, whose active member is a JSON boolean and whose registered members
// have their registered types.
func decodeIntrospection(body []byte) (map[string]any, error) {
	var set map[string]any
	if err := decodeJSON(body, &set); err != nil {
		if errors.Is(err, errDuplicateName) {
			return nil, errIntrospectionResponse("has duplicate member names")
		}
		return nil, errIntrospectionResponse("is not a valid JSON object")
	}
	if set == nil {
		return nil, errIntrospectionResponse("is not a valid JSON object")
	}
	if _, ok := set["active"].(bool); !ok {
		return nil, errIntrospectionResponse("has no boolean active member")
	}
	for name, want := range introspectionTypes {
		x, present := set[name]
		if !present {
			continue
		}
		ok := false
		switch x := x.(type) {
		case string:
			ok = want == 's' || want == 'a'
		case float64:
			ok = want == 'n'
		case []any:
			ok = want == 'a'
			for _, e := range x {
				if _, isString := e.(string); !isString {
					ok = false
				}
			}
		}
		if !ok {
			return nil, errIntrospectionResponse("member " + name + " has the wrong type")
		}
	}
	return set, nil
}

// checkTokenUse refuses an active answer about a token that is not an access token: a
// refresh token sent as a bearer token, which some endpoints report as active (Ory
// Hydra's token_use, a token_type naming refresh_token).
func checkTokenUse(set map[string]any) *validationError {
	if use, ok := set["token_use"].(string); ok && use != "access_token" {
		return fail(errNotAccessToken)
	}
	if typ, ok := set["token_type"].(string); ok && strings.EqualFold(typ, "refresh_token") {
		return fail(errNotAccessToken)
	}
	return nil
}

// introspectionUnavailable is the error for a token that cannot be judged because the
// introspection endpoint did not answer usably.
func introspectionUnavailable(cause error) *validationError {
	return &validationError{reason: ReasonIntrospectionUnavailable, desc: "token introspection unavailable", cause: cause}
}

// discoveredIntrospection is what discovery found for the introspection endpoint: its
// URL, or why there is none.
type discoveredIntrospection struct {
	url string
	err error
}

// discoveredEndpoint reads the introspection_endpoint member of issuer's discovery
// document: a string naming a URL checkFetchURL accepts.
func discoveredEndpoint(member jsonValue, issuer string, allowHTTP bool) *discoveredIntrospection {
	var u string
	if len(member) > 0 {
		if err := decodeJSON(member, &u); err != nil {
			return &discoveredIntrospection{err: fmt.Errorf("the discovery document of %s names an introspection_endpoint that is not a string", issuer)}
		}
	}
	if u == "" {
		return &discoveredIntrospection{err: fmt.Errorf("the discovery document of %s names no introspection_endpoint", issuer)}
	}
	if err := checkFetchURL(u, allowHTTP); err != nil {
		return &discoveredIntrospection{err: fmt.Errorf("discovery introspection_endpoint: %w", err)}
	}
	return &discoveredIntrospection{url: u}
}
