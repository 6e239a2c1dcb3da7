package axiomstest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// OpaqueTokenPrefix starts every token [Issuer.OpaqueToken] mints: the tokens have no
// dot, so a validator takes them for opaque ones and introspects them.
const OpaqueTokenPrefix = "axiomstest_at_"

// maxIntrospectionRequest bounds the body of an introspection request.
const maxIntrospectionRequest = 64 << 10

// OpaqueToken mints an opaque access token, as Ory Hydra or node oidc-provider issue
// by default: a random string whose claims only the issuer's introspection endpoint
// (POST {URL}/introspect, the introspection_endpoint of its discovery document)
// reveals. claims are merged over the default claims, as TokenSpec.Claims are (see
// the package documentation), and the endpoint answers them with "active": true and
// "token_type": "Bearer" until exp (by IssuerConfig.Now) or [Issuer.Revoke]; then, as
// for any token it did not mint, {"active": false}. A value of [Omit] removes a claim;
// top-level time.Time values become NumericDates; without exp (removed with Omit) the
// token stays active until revoked. It fails the test if the claims cannot be encoded
// as JSON, or if exp is not a number.
func (i *Issuer) OpaqueToken(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	now := i.cfg.Now()
	set := map[string]any{
		"iss": i.URL(), "aud": i.cfg.Audience, "sub": DefaultSubject,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(i.cfg.TokenTTL).Unix(), "jti": randomHex(16),
	}
	merge(set, i.cfg.Claims)
	merge(set, claims)
	for name, v := range set {
		if t, ok := v.(time.Time); ok {
			set[name] = t.Unix()
		}
	}
	set["active"], set["token_type"] = true, "Bearer"
	answer, err := json.Marshal(set)
	if err != nil {
		tb.Fatalf("axiomstest: encoding the claims: %v", err)
	}
	var exp struct {
		Exp *float64 `json:"exp"`
	}
	if err := json.Unmarshal(answer, &exp); err != nil {
		tb.Fatalf("axiomstest: the exp claim is not a number: %v", err)
	}
	token := OpaqueTokenPrefix + randomHex(24)
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.opaque == nil {
		i.opaque = map[string]opaqueEntry{}
	}
	e := opaqueEntry{answer: answer}
	if exp.Exp != nil {
		e.exp, e.hasExp = *exp.Exp, true
	}
	i.opaque[token] = e
	return token
}

// opaqueEntry is what the introspection endpoint knows about one opaque token.
type opaqueEntry struct {
	answer  []byte  // the active answer
	exp     float64 // NumericDate
	hasExp  bool
	revoked bool
}

// Revoke makes the introspection endpoint answer {"active": false} for token from
// now on. Validators that cached an active answer keep it until their cache entry
// ends (validator.Introspection.TTL). A token the issuer did not mint is ignored.
func (i *Issuer) Revoke(token string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if e, ok := i.opaque[token]; ok {
		e.revoked = true
		i.opaque[token] = e
	}
}

// IntrospectionURL returns the URL of the introspection endpoint, URL() +
// "/introspect": the introspection_endpoint of the discovery document.
func (i *Issuer) IntrospectionURL() string { return i.srv.URL + "/introspect" }

// IntrospectionFetches returns how many requests have reached the introspection
// endpoint, faulted ones included.
func (i *Issuer) IntrospectionFetches() int { return int(i.introFetches.Load()) }

// FailIntrospection makes the introspection endpoint answer with fault f, replacing
// any introspection fault in effect, as [Issuer.Fail] does for the JWK set endpoint
// (whose faults it leaves alone); f.Times counts from this call. A Status or Body
// replaces the answer the endpoint would give. It panics if f is invalid.
func (i *Issuer) FailIntrospection(f Fault) {
	f = checkFault(f)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.introFault = &f
	i.introRemaining = f.Times
}

// serveIntrospection answers an RFC 7662 request: POST of a form with token (and any
// token_type_hint). It requires the client credentials of IssuerConfig.IntrospectionClientID
// and IntrospectionClientSecret when they are set, sent as client_secret_basic or
// client_secret_post.
func (i *Issuer) serveIntrospection(w http.ResponseWriter, r *http.Request) {
	i.introFetches.Add(1)
	i.mu.Lock()
	f := takeFault(&i.introFault, &i.introRemaining)
	i.mu.Unlock()
	if f != nil && i.holdBack(w, r, f) {
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, maxIntrospectionRequest)
	status, body := http.StatusOK, []byte(`{"active":false}`)
	switch err := r.ParseForm(); {
	case err != nil || r.PostForm.Get("token") == "":
		status, body = http.StatusBadRequest, []byte(`{"error":"invalid_request"}`)
	case !i.introspectionClient(r):
		status, body = http.StatusUnauthorized, []byte(`{"error":"invalid_client"}`)
		w.Header().Set("WWW-Authenticate", `Basic realm="introspection"`)
	default:
		i.mu.Lock()
		e, ok := i.opaque[r.PostForm.Get("token")]
		i.mu.Unlock()
		if ok && !e.revoked && (!e.hasExp || float64(i.cfg.Now().Unix()) < e.exp) {
			body = e.answer
		}
	}
	if f != nil {
		if f.Body != nil {
			body = f.Body
		}
		if f.Status != 0 {
			status = f.Status
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// introspectionClient reports whether r carries the configured client credentials
// (always true when none are configured).
func (i *Issuer) introspectionClient(r *http.Request) bool {
	id, secret := i.cfg.IntrospectionClientID, i.cfg.IntrospectionClientSecret
	if id == "" && secret == "" {
		return true
	}
	gotID, gotSecret, basic := r.BasicAuth()
	if basic {
		var err error
		if gotID, err = url.QueryUnescape(gotID); err != nil {
			return false
		}
		if gotSecret, err = url.QueryUnescape(gotSecret); err != nil {
			return false
		}
	} else {
		gotID, gotSecret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return subtle.ConstantTimeCompare([]byte(gotID), []byte(id)) == 1 &&
		subtle.ConstantTimeCompare([]byte(gotSecret), []byte(secret)) == 1
}
