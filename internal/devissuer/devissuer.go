// Package devissuer is a local OAuth 2.0 issuer for development: OIDC discovery, a JWKS,
// and a POST /token endpoint that signs whatever claims it is given (JWTForge-style). It
// is for development only: it authenticates nobody. It backs the `axioms issuer` and
// `axioms token` commands and the example service's embedded mode.
package devissuer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"time"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// Defaults.
const (
	DefaultAlgorithm = "RS256"
	DefaultTTL       = time.Hour
	DefaultAudience  = "axioms-echo-example"
	// maxTTL bounds the lifetime of minted tokens.
	maxTTL = 30 * 24 * time.Hour
	// maxRequest bounds a POST /token body.
	maxRequest = 64 << 10
)

// Warning is printed by everything that starts a development issuer.
const Warning = "DEVELOPMENT ONLY: this issuer signs any claims for anyone who asks. Never expose it beyond loopback, never trust it in production."

// Keys is the issuer's signing key, kept in a key file so restarts keep tokens valid.
type Keys struct {
	Key *signing.Key
}

// LoadOrCreateKeys reads the private key in path, or creates one (RS256) and writes it
// with mode 0600. An empty path keeps the key in memory only.
func LoadOrCreateKeys(path string) (*Keys, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			k, err := signing.ParsePrivateJWK(data)
			if err != nil {
				return nil, fmt.Errorf("key file %s: %w", path, err)
			}
			return &Keys{Key: k}, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
	}
	k, err := signing.Generate(DefaultAlgorithm, "")
	if err != nil {
		return nil, err
	}
	if path != "" {
		data, err := k.PrivateJWK()
		if err != nil {
			return nil, err
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, err
			}
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("writing key file %s: %w", path, err)
		}
	}
	return &Keys{Key: k}, nil
}

// Issuer mints tokens with its key for its issuer URL. Its fields must not change once
// it is in use; it is then safe for concurrent use.
type Issuer struct {
	// URL is the issuer identifier: the iss of minted tokens and the base of the
	// discovery, JWKS and token endpoints. Required.
	URL string
	// Audience is the aud of minted tokens. If empty, [DefaultAudience].
	Audience string
	// TTL is the lifetime of minted tokens. If zero, [DefaultTTL]; at most 30 days.
	TTL time.Duration
	// Keys holds the signing key. Required.
	Keys *Keys
	// Now is the clock for iat, nbf and exp. If nil, time.Now.
	Now func() time.Time
}

// Mint signs claims. Defaults fill what claims leave out: iss (the issuer URL), aud (the
// issuer's audience), iat and nbf (now), exp (now + TTL, or now + ttl when ttl > 0), and a
// random jti. It returns the token and its lifetime: the time left until exp, never
// negative (an exp in the past, which callers may give to test how expired tokens are
// refused, yields a lifetime of 0).
func (i *Issuer) Mint(claims map[string]any, ttl time.Duration) (string, time.Duration, error) {
	now := time.Now
	if i.Now != nil {
		now = i.Now
	}
	t := now()
	if ttl <= 0 {
		ttl = i.TTL
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if ttl > maxTTL {
		return "", 0, fmt.Errorf("lifetime %s exceeds %s", ttl, maxTTL)
	}
	out := map[string]any{
		"iss": i.URL,
		"aud": i.Audience,
		"iat": t.Unix(),
		"nbf": t.Unix(),
		"exp": t.Add(ttl).Unix(),
		"jti": fmt.Sprintf("dev-%d", t.UnixNano()),
	}
	if i.Audience == "" {
		out["aud"] = DefaultAudience
	}
	for k, v := range claims {
		out[k] = v
	}
	if _, given := claims["exp"]; given {
		if exp, ok := numericDate(out["exp"]); ok {
			ttl = max(exp.Sub(t), 0)
		}
	}
	tok, err := i.Keys.Key.Sign(map[string]any{"typ": "at+jwt"}, out)
	return tok, ttl, err
}

// Handler serves discovery, the JWKS and POST /token.
func (i *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                i.URL,
			"jwks_uri":                              i.URL + "/.well-known/jwks.json",
			"token_endpoint":                        i.URL + "/token",
			"response_types_supported":              []string{"token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{i.Keys.Key.Alg},
		})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		set, err := signing.JWKS(i.Keys.Key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(set)
	})
	mux.HandleFunc("POST /token", i.serveToken)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "axioms development issuer at %s\n%s\n\nPOST /token with a JSON object of claims, e.g.\n  curl -s -X POST %s/token -d '{\"sub\":\"alice\",\"scope\":\"read:data\"}'\n", i.URL, Warning, i.URL)
	})
	return mux
}

// numericDate reads a NumericDate claim (seconds since the epoch) given as a JSON number
// or a Go integer.
func numericDate(v any) (time.Time, bool) {
	switch n := v.(type) {
	case float64:
		return time.Unix(int64(n), 0), true
	case int64:
		return time.Unix(n, 0), true
	case int:
		return time.Unix(int64(n), 0), true
	}
	return time.Time{}, false
}

// serveToken answers POST /token: the body is a JSON object of claims. An optional
// "expires_in" member, in seconds, sets the lifetime; an "exp" claim (a number, exclusive
// with expires_in) sets the expiry itself, and one in the past mints an already expired
// token answered with "expires_in": 0.
func (i *Issuer) serveToken(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil || len(body) > maxRequest {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body must be a JSON object of claims, at most 64 KiB"})
		return
	}
	claims := map[string]any{}
	if s := strings.TrimSpace(string(body)); s != "" {
		if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body must be a JSON object of claims"})
			return
		}
	}
	var ttl time.Duration
	if v, ok := claims["exp"]; ok {
		if _, isNumber := v.(float64); !isNumber {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "exp must be a number of seconds since the epoch"})
			return
		}
		if _, both := claims["expires_in"]; both {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "give exp or expires_in, not both"})
			return
		}
	}
	if v, ok := claims["expires_in"]; ok {
		secs, ok := v.(float64)
		if !ok || secs <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "expires_in must be a positive number of seconds"})
			return
		}
		ttl = time.Duration(secs * float64(time.Second))
		delete(claims, "expires_in")
	}
	tok, lifetime, err := i.Mint(claims, ttl)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int64(lifetime.Round(time.Second) / time.Second),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
