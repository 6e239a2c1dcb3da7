package validator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxRedirects bounds redirects followed by discovery and key-set requests.
const maxRedirects = 5

// keyStore holds the issuer's current key set and fetches it: at most one fetch runs at
// a time (callers that need keys join it), fetches are spaced by an interval that
// starts at MinRefreshInterval and backs off while they bring nothing (see
// intervalLocked), and a failed fetch leaves the last good keys in place.
type keyStore struct {
	s         *settings
	client    *http.Client
	static    bool
	current   atomic.Pointer[keySet]
	onRemoved func([]*key)

	// nextBackground is the earliest time (UnixNano) a background refresh may start; read
	// without the lock on every request.
	nextBackground atomic.Int64

	mu         sync.Mutex
	inflight   *flight
	lastStart  time.Time // start of the most recent fetch
	failures   int       // consecutive failed fetches
	misses     int       // consecutive fetches asked for by unknown kids that brought no new key
	lastKidAsk time.Time // when a token with an unknown kid last asked for a fetch
	lastErr    error     // error of the most recent fetch, nil after a success

	// fetches and fetchFailures count completed fetches and failed ones (Status).
	fetches, fetchFailures uint64

	// jwksURL is resolved by the first successful discovery; only the running fetch
	// touches it, and one fetch runs at a time.
	jwksURL string

	// introspection is the introspection endpoint the discovery document names (or why
	// it names no usable one), stored by the first successful discovery; nil before.
	introspection atomic.Pointer[discoveredIntrospection]
}

type flight struct {
	done chan struct{}
	err  error

	// forKid is set, under keyStore.mu, when a token with an unknown kid started or
	// joined the fetch.
	forKid bool
}

func newKeyStore(s *settings, onRemoved func([]*key)) *keyStore {
	ks := &keyStore{s: s, jwksURL: s.jwksURL, onRemoved: onRemoved}
	client := *s.client // never modify the caller's client
	prev := client.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		if err := checkFetchURL(req.URL.String(), s.allowHTTP); err != nil {
			return fmt.Errorf("redirect refused: %w", err)
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	ks.client = &client
	return ks
}

// setStatic installs a key set given in the configuration; it is never refreshed.
func (ks *keyStore) setStatic(body []byte) error {
	keys, err := parseKeySet(body, ks.s.logger)
	if err != nil {
		return err
	}
	set, _, _ := newKeySet(keys, nil, ks.s.now(), time.Time{})
	ks.static = true
	ks.current.Store(set)
	return nil
}

func (ks *keyStore) get() *keySet { return ks.current.Load() }

// demand makes sure a fetch has been attempted recently enough: it joins a running
// fetch, or starts one when the interval allows, and waits for it (or for ctx). It
// returns the fetch error, or the last error when no fetch was allowed. unknownKid says
// that a token names a kid the current key set lacks; otherwise no key set has been
// obtained yet.
func (ks *keyStore) demand(ctx context.Context, now time.Time, unknownKid bool) error {
	if ks.static {
		return nil
	}
	ks.mu.Lock()
	if unknownKid {
		if now.Sub(ks.lastKidAsk) >= ks.s.maxBackoff {
			ks.misses = 0 // no unknown kid for a whole MaxRefreshBackoff: a flood, if any, is over
		}
		ks.lastKidAsk = now
	}
	f := ks.inflight
	if f == nil {
		if !ks.lastStart.IsZero() && now.Sub(ks.lastStart) < ks.intervalLocked(unknownKid) {
			err := ks.lastErr
			ks.mu.Unlock()
			return err
		}
		f = ks.startLocked(ctx, now)
	}
	if unknownKid {
		f.forKid = true
	}
	ks.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// intervalLocked is the shortest time from the start of the last fetch to the next one.
//
// While no key set has ever been obtained, retries back off from 1s up to
// MinRefreshInterval, so a service that started before its issuer recovers quickly.
// Otherwise the interval is MinRefreshInterval doubled once per failed fetch in a row
// and, for a fetch asked for by an unknown kid, once more per such fetch in a row that
// brought no new key, up to MaxRefreshBackoff: a flood of random kids, or an issuer that
// is down, sees fewer and fewer requests, while the scheduled refresh (unknownKid false)
// is never held back by the flood.
func (ks *keyStore) intervalLocked(unknownKid bool) time.Duration {
	if ks.current.Load() == nil {
		return min(time.Second<<min(ks.failures, 16)/2, ks.s.minRefresh)
	}
	n := ks.failures
	if unknownKid {
		n += ks.misses
	}
	d := ks.s.minRefresh
	for ; n > 0 && d < ks.s.maxBackoff; n-- {
		d *= 2
	}
	return min(d, ks.s.maxBackoff)
}

// maybeRefresh starts a background refresh when the key set is due and the interval
// since the last fetch has passed. It never blocks the caller; the hot path costs two
// atomic loads.
func (ks *keyStore) maybeRefresh(now time.Time) {
	set := ks.current.Load()
	if set == nil || set.refreshAt.IsZero() || now.Before(set.refreshAt) {
		return
	}
	if now.UnixNano() < ks.nextBackground.Load() {
		return
	}
	ks.mu.Lock()
	if ks.inflight == nil && now.Sub(ks.lastStart) >= ks.intervalLocked(false) {
		ks.startLocked(context.Background(), now)
	}
	ks.mu.Unlock()
}

// startLocked starts a fetch detached from the caller's cancellation (values such as
// trace IDs are kept), so a cancelled request never fails the fetch others wait for.
func (ks *keyStore) startLocked(ctx context.Context, now time.Time) *flight {
	f := &flight{done: make(chan struct{})}
	ks.inflight = f
	ks.lastStart = now
	ks.nextBackground.Store(now.Add(ks.s.minRefresh).UnixNano())
	go ks.run(context.WithoutCancel(ctx), f)
	return f
}

func (ks *keyStore) run(ctx context.Context, f *flight) {
	keys, maxAge, err := ks.fetch(ctx)
	added := 0
	if err == nil {
		now := ks.s.now()
		var set *keySet
		var removed []*key
		set, removed, added = newKeySet(keys, ks.current.Load(), now, now.Add(ks.s.refreshAfter(maxAge)))
		// Keys that left the set stop verifying before the new set is visible, cached
		// verifications included.
		for _, k := range removed {
			k.removed.Store(true)
		}
		ks.current.Store(set)
		if len(removed) > 0 && ks.onRemoved != nil {
			ks.onRemoved(removed)
		}
	} else if mismatch := (*issuerMismatchError)(nil); errors.As(err, &mismatch) {
		ks.s.logger.Error("axioms: the issuer's discovery document names another issuer; no keys are fetched until the configured issuer matches it",
			"issuer", ks.s.issuer, "error", err.Error())
	} else {
		ks.s.logger.Warn("axioms: fetching signing keys failed; last good keys stay in use",
			"issuer", ks.s.issuer, "error", err.Error(), "have_keys", ks.current.Load() != nil)
	}
	ks.mu.Lock()
	ks.inflight = nil
	ks.fetches++
	switch {
	case err != nil:
		ks.fetchFailures++
		ks.failures++
		ks.lastErr = err
	case added > 0:
		ks.failures, ks.misses, ks.lastErr = 0, 0, nil
	default:
		ks.failures, ks.lastErr = 0, nil
		if f.forKid {
			ks.misses++
		}
	}
	ks.nextBackground.Store(ks.lastStart.Add(ks.intervalLocked(false)).UnixNano())
	ks.mu.Unlock()
	f.err = err
	close(f.done)
}

// fetch resolves the key-set URL (discovery, once) and downloads and parses the set.
func (ks *keyStore) fetch(ctx context.Context) ([]*key, time.Duration, error) {
	if ks.jwksURL == "" {
		u, err := ks.discover(ctx)
		if err != nil {
			return nil, 0, err
		}
		ks.jwksURL = u
	}
	body, hdr, err := ks.httpGet(ctx, ks.jwksURL)
	if err != nil {
		return nil, 0, err
	}
	keys, err := parseKeySet(body, ks.s.logger)
	if err != nil {
		return nil, 0, fmt.Errorf("key set from %s: %w", ks.jwksURL, err)
	}
	return keys, maxAge(hdr.Get("Cache-Control")), nil
}

// errNoDiscovery marks a discovery document that does not exist (HTTP 404).
var errNoDiscovery = errors.New("no discovery document")

// issuerMismatchError is a discovery document naming an issuer other than the
// configured one: a configuration error, which no retry repairs.
type issuerMismatchError struct {
	url        string // of the discovery document
	named      string // its issuer
	configured string // Config.Issuer
}

func (e *issuerMismatchError) Error() string {
	return fmt.Sprintf("the discovery document at %s names issuer %q, not the configured %q (set the issuer exactly as the document writes it, which is the iss of its tokens)",
		e.url, e.named, e.configured)
}

// discover reads {issuer}/.well-known/openid-configuration and returns its jwks_uri,
// after checking that the document names the configured issuer. Without a discovery
// document (404) it falls back to {issuer}/.well-known/jwks.json.
func (ks *keyStore) discover(ctx context.Context) (string, error) {
	base := strings.TrimSuffix(ks.s.issuer, "/")
	docURL := base + "/.well-known/openid-configuration"
	body, _, err := ks.httpGet(ctx, docURL)
	if errors.Is(err, errNoDiscovery) {
		if in := ks.s.introspection; in != nil && in.endpoint == "" {
			ks.introspection.Store(&discoveredIntrospection{err: fmt.Errorf("the issuer %s has no discovery document to name an introspection endpoint", ks.s.issuer)})
		}
		return base + "/.well-known/jwks.json", nil
	}
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer                string    `json:"issuer"`
		JWKSURI               string    `json:"jwks_uri"`
		IntrospectionEndpoint jsonValue `json:"introspection_endpoint"` // read only when introspecting
	}
	if err := decodeJSON(body, &doc); err != nil {
		return "", fmt.Errorf("discovery document of %s is not valid JSON: %w", ks.s.issuer, err)
	}
	if doc.Issuer != ks.s.issuer {
		return "", &issuerMismatchError{url: docURL, named: doc.Issuer, configured: ks.s.issuer}
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("discovery document of %s has no jwks_uri", ks.s.issuer)
	}
	if err := checkFetchURL(doc.JWKSURI, ks.s.allowHTTP); err != nil {
		return "", fmt.Errorf("discovery jwks_uri: %w", err)
	}
	if in := ks.s.introspection; in != nil && in.endpoint == "" {
		ks.introspection.Store(discoveredEndpoint(doc.IntrospectionEndpoint, ks.s.issuer, ks.s.allowHTTP))
	}
	return doc.JWKSURI, nil
}

func (ks *keyStore) httpGet(ctx context.Context, url string) ([]byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, ks.s.fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	req.Header.Set("User-Agent", "axioms-echo")
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound && strings.HasSuffix(url, "/.well-known/openid-configuration") {
		return nil, nil, errNoDiscovery
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, ks.s.maxJWKSSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if int64(len(body)) > ks.s.maxJWKSSize {
		return nil, nil, fmt.Errorf("GET %s: response exceeds %d bytes", url, ks.s.maxJWKSSize)
	}
	return body, resp.Header, nil
}

// refreshAfter is how long a fetched key set is used before a background refresh: the
// response's max-age (0 when it has none) clamped to [MinRefreshInterval, 24h], else
// RefreshInterval.
func (s *settings) refreshAfter(maxAge time.Duration) time.Duration {
	if maxAge <= 0 {
		return s.refresh
	}
	return min(max(maxAge, s.minRefresh), maxRefreshInterval)
}

// maxAge returns the max-age of a Cache-Control header, or 0 when absent, invalid, or
// overridden by no-store/no-cache.
func maxAge(cc string) time.Duration {
	var age time.Duration
	for dir := range strings.SplitSeq(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
			if err != nil || n <= 0 {
				return 0
			}
			age = time.Duration(min(n, int64(maxRefreshInterval/time.Second))) * time.Second
		}
	}
	return age
}
