package validator

import (
	"encoding/json"
	"net/http"
	"time"
)

// KeySource says where a [Validator]'s keys come from, in [Status.Source].
type KeySource string

// Key sources.
const (
	KeySourceStatic KeySource = "static" // Config.JWKS: never fetched
	KeySourceRemote KeySource = "remote" // fetched from Config.JWKSURL or by discovery
)

// Status is a snapshot of a [Validator]'s key set and counters, returned by
// [Validator.Status]. It never holds token content.
type Status struct {
	// Issuer is the configured issuer (Config.Issuer).
	Issuer string
	// Source says whether the keys are static (Config.JWKS) or fetched.
	Source KeySource
	// Keys is the number of usable keys in the key set in use: 0 until a key set has
	// been obtained, and never 0 again afterwards (a failed fetch keeps the last good
	// keys).
	Keys int
	// LastSuccess is when the key set in use was fetched; zero for static keys and
	// before the first successful fetch.
	LastSuccess time.Time
	// LastAttempt is when the most recent fetch started, successful or not; zero for
	// static keys and before the first fetch.
	LastAttempt time.Time
	// LastError is the error text of the most recent fetch, "" when it succeeded or
	// none has completed. It names URLs and HTTP statuses, never token content.
	LastError string
	// Fetches and FetchFailures count the completed fetches (discovery and key set
	// together count as one) and those of them that failed, since New.
	Fetches, FetchFailures uint64
	// CacheHits and CacheMisses count the lookups of the verified-token cache that
	// answered a token, and those that did not (the token was then verified), since New;
	// both stay 0 when the cache is off (Config.CacheSize negative).
	CacheHits, CacheMisses uint64
	// IntrospectionRequests counts the requests sent to the introspection endpoint,
	// whatever their answer; IntrospectionFailures the introspections that got no usable
	// answer (introspection_unavailable: the endpoint unknown, unreachable, slower than
	// Introspection.Timeout, an error status, an invalid answer); IntrospectionInactive
	// the answers active false; IntrospectionThrottled the validations refused
	// (introspection_unavailable) because Introspection.MaxConcurrent requests were in
	// flight until their wait for a slot ended. All since New; all 0 without
	// Config.Introspection.
	IntrospectionRequests, IntrospectionFailures, IntrospectionInactive, IntrospectionThrottled uint64
	// IntrospectionCacheHits and IntrospectionCacheMisses count the lookups of the
	// introspection cache that answered a token (active or refused), and those that did
	// not (the token was then introspected, or joined the request in flight), since New;
	// both stay 0 without Config.Introspection or with the cache off.
	IntrospectionCacheHits, IntrospectionCacheMisses uint64
}

// Ready reports whether the validator has usable keys: true once a key set has been
// obtained (static keys always), whatever later fetches did.
func (s Status) Ready() bool { return s.Keys > 0 }

// Status returns a snapshot of the validator's key set and counters, for readiness
// probes ([ReadyHandler]) and metrics. It is safe for concurrent use and never blocks
// on a fetch; it takes a lock shared with the key-set fetch and sums the cache's
// counters, so it suits a probe or a metrics scrape, not every request.
func (v *Validator) Status() Status {
	st := Status{Issuer: v.s.issuer, Source: KeySourceRemote}
	ks := v.keys
	if set := ks.get(); set != nil {
		st.Keys = len(set.all)
		if !ks.static {
			st.LastSuccess = set.fetchedAt
		}
	}
	if ks.static {
		st.Source = KeySourceStatic
	} else {
		ks.mu.Lock()
		st.LastAttempt, st.Fetches, st.FetchFailures = ks.lastStart, ks.fetches, ks.fetchFailures
		if ks.lastErr != nil {
			st.LastError = ks.lastErr.Error()
		}
		ks.mu.Unlock()
	}
	if v.cache != nil {
		st.CacheHits, st.CacheMisses = v.cache.counts()
	}
	if in := v.intro; in != nil {
		st.IntrospectionRequests, st.IntrospectionFailures = in.requests.Load(), in.failures.Load()
		st.IntrospectionInactive, st.IntrospectionThrottled = in.inactive.Load(), in.throttled.Load()
		if in.cache != nil {
			st.IntrospectionCacheHits, st.IntrospectionCacheMisses = in.cache.counts()
		}
	}
	return st
}

// readyIssuer is one validator in the body of [ReadyHandler]'s answer.
type readyIssuer struct {
	Issuer      string     `json:"issuer"`
	Ready       bool       `json:"ready"`
	Source      KeySource  `json:"source"`
	Keys        int        `json:"keys"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastAttempt *time.Time `json:"last_attempt,omitempty"`
	Error       string     `json:"error,omitempty"`
}

// ReadyHandler returns a handler for readiness probes (/readyz): it answers 200 when
// every one of vs has usable keys ([Status.Ready]) and 503 otherwise, whatever the
// request's method and path, with a JSON body that lists each validator's issuer,
// readiness, key source and count, the times of the last successful fetch and of the
// last attempt (RFC 3339, absent when zero) and the last fetch error (absent when
// none):
//
//	{"ready":false,"issuers":[{"issuer":"https://issuer.example/","ready":false,"source":"remote","keys":0,
//	  "last_attempt":"2026-01-02T15:04:05Z","error":"GET https://issuer.example/keys: HTTP 500"}]}
//
// With no validator it always answers 200. The body names issuers and key-set URLs:
// serve it where probes reach it, not on the public API. The handler is safe for
// concurrent use; each request reads [Validator.Status] once per validator.
func ReadyHandler(vs ...*Validator) http.Handler {
	vs = append([]*Validator(nil), vs...)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		body := struct {
			Ready   bool          `json:"ready"`
			Issuers []readyIssuer `json:"issuers"`
		}{Ready: true, Issuers: make([]readyIssuer, 0, len(vs))}
		for _, v := range vs {
			st := v.Status()
			body.Ready = body.Ready && st.Ready()
			body.Issuers = append(body.Issuers, readyIssuer{Issuer: st.Issuer, Ready: st.Ready(), Source: st.Source,
				Keys: st.Keys, LastSuccess: timeOrNil(st.LastSuccess), LastAttempt: timeOrNil(st.LastAttempt), Error: st.LastError})
		}
		status := http.StatusOK
		if !body.Ready {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
