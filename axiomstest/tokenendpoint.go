package axiomstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const (
	// maxEndpointTTL bounds the lifetime of the tokens POST /token mints.
	maxEndpointTTL = 30 * 24 * time.Hour
	// maxTokenRequest bounds a POST /token body.
	maxTokenRequest = 64 << 10
)

// serveToken answers POST /token (IssuerConfig.TokenEndpoint): the body is a JSON
// object of claims, merged over the default claims as [TokenSpec].Claims are. An
// optional "expires_in" member, in seconds, sets the lifetime instead of TokenTTL; an
// "exp" claim (a number, exclusive with expires_in) sets the expiry itself, and one in
// the past mints an already expired token answered with "expires_in": 0. The
// lifetime is at most 30 days.
func (i *Issuer) serveToken(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTokenRequest+1))
	if err != nil || len(body) > maxTokenRequest {
		tokenError(w, "the body must be a JSON object of claims, at most 64 KiB")
		return
	}
	claims := map[string]any{}
	if s := strings.TrimSpace(string(body)); s != "" {
		if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
			tokenError(w, "the body must be a JSON object of claims")
			return
		}
	}
	exp, hasExp := claims["exp"].(float64)
	if _, ok := claims["exp"]; ok {
		if !hasExp {
			tokenError(w, "exp must be a number of seconds since the epoch")
			return
		}
		if _, both := claims["expires_in"]; both {
			tokenError(w, "give exp or expires_in, not both")
			return
		}
	}
	ttl := i.cfg.TokenTTL
	if v, ok := claims["expires_in"]; ok {
		secs, ok := v.(float64)
		if !ok || secs <= 0 {
			tokenError(w, "expires_in must be a positive number of seconds")
			return
		}
		ttl = time.Duration(secs * float64(time.Second))
		delete(claims, "expires_in")
	}
	if ttl > maxEndpointTTL {
		tokenError(w, fmt.Sprintf("lifetime %s exceeds %s", ttl, maxEndpointTTL))
		return
	}
	tok, now, err := i.mint(TokenSpec{Claims: claims}, ttl)
	if err != nil {
		tokenError(w, err.Error())
		return
	}
	lifetime := ttl
	if hasExp {
		lifetime = max(time.Unix(int64(exp), 0).Sub(now), 0)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int64(lifetime.Round(time.Second) / time.Second),
	})
}

// serveIndex answers GET / (IssuerConfig.TokenEndpoint): what the issuer is and how to
// get a token.
func (i *Issuer) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "axioms development issuer at %s\n%s\n\nPOST /token with a JSON object of claims, e.g.\n  curl -s -X POST %s/token -d '{\"sub\":\"alice\",\"scope\":\"read:data\"}'\n", i.URL(), DevelopmentWarning, i.URL())
}

// tokenError answers 400 invalid_request (RFC 6749 §5.2) with description.
func tokenError(w http.ResponseWriter, description string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
