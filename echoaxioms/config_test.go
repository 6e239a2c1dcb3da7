package echoaxioms_test

import (
	"bytes"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

func TestToMiddlewareRefusesMisconfiguration(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	v, auth := h.cfg.Validator, h.cfg.Authenticators["key"]
	// full is the harness's configuration, which builds; a copy each time.
	full := func() echoaxioms.Config {
		cfg := h.cfg
		cfg.OwnerLoaders = maps.Clone(cfg.OwnerLoaders)
		cfg.Authenticators = maps.Clone(cfg.Authenticators)
		return cfg
	}
	_, err := full().ToMiddleware()
	require.NoError(t, err)

	for name, c := range map[string]struct {
		mutate func(*echoaxioms.Config)
		want   []string
	}{
		"no policies":              {func(c *echoaxioms.Config) { c.Policies = nil }, []string{"Policies is required"}},
		"no validator":             {func(c *echoaxioms.Config) { c.Validator = nil }, []string{`scheme "oauth2" needs a token validator`}},
		"no authenticator":         {func(c *echoaxioms.Config) { c.Authenticators = nil }, []string{`"key" (apiKey) is used by operations but has no Authenticator`}},
		"missing loaders":          {func(c *echoaxioms.Config) { c.OwnerLoaders = nil }, []string{`"deleteArticle" (DELETE /articles/{id})`, `"getArticle" (GET /articles/{id})`}},
		"unknown scheme":           {func(c *echoaxioms.Config) { c.SchemeValidators = map[string]echoaxioms.TokenValidator{"oauth": v} }, []string{`SchemeValidators names "oauth", which the document does not declare`}},
		"validator for api key":    {func(c *echoaxioms.Config) { c.SchemeValidators = map[string]echoaxioms.TokenValidator{"key": v} }, []string{`a apiKey scheme the library does not enforce`}},
		"authenticator typo":       {func(c *echoaxioms.Config) { c.Authenticators["kee"] = auth }, []string{`Authenticators names "kee"`}},
		"authenticator for oauth2": {func(c *echoaxioms.Config) { c.Authenticators["oauth2"] = auth }, []string{`a bearer scheme the library enforces itself`}},
		"nil authenticator":        {func(c *echoaxioms.Config) { c.Authenticators["key"] = nil }, []string{`Authenticators["key"] is nil`}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := full()
			c.mutate(&cfg)
			mw, err := cfg.ToMiddleware()
			require.Error(t, err)
			assert.Nil(t, mw)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Panics(t, func() { echoaxioms.WithConfig(cfg) })
		})
	}

	// Per-scheme validators can replace the default validator.
	cfg := full()
	cfg.Validator = nil
	cfg.SchemeValidators = map[string]echoaxioms.TokenValidator{"oauth2": v}
	_, err = cfg.ToMiddleware()
	assert.NoError(t, err)
}

func TestPreInstallationFailsClosed(t *testing.T) {
	h := newHarness(t, harnessOptions{install: func(e *echo.Echo, mw echo.MiddlewareFunc) { e.Pre(mw) }})
	for _, target := range []string{"/public", "/any"} {
		rec := h.do("GET", target, "")
		assert.Equal(t, http.StatusNotFound, rec.Code, "installed before routing, nothing runs")
		assert.NotContains(t, rec.Body.String(), `"route"`, "%s reached its handler", target)
	}
}

func TestGroupPrefixAndBasePath(t *testing.T) {
	doc := specgen.Doc{Servers: `[{url: "https://api.example.com/v1"}]`, Security: "[{bearer: []}]", Schemes: []string{specgen.Bearer("bearer")}}.YAML(`
  /things/{id}:
    get: {parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {"401": {description: no}}}
  /open:
    get: {security: [], responses: {"200": {description: ok}}}
`)
	h := newHarness(t, harnessOptions{doc: doc, install: func(e *echo.Echo, mw echo.MiddlewareFunc) {
		g := e.Group("/v1", mw)
		g.GET("/things/:thing", ok)
		g.GET("/open", ok)
	}})
	h.e.GET("/things/:thing", ok) // outside the group: no middleware at all
	assert.Equal(t, 401, h.do("GET", "/v1/things/7", "").Code)
	assert.Equal(t, 200, h.do("GET", "/v1/things/7", h.bearer(nil)).Code)
	assert.Equal(t, 200, h.do("GET", "/v1/open", "").Code)
	assert.Equal(t, 200, h.do("GET", "/things/7", "").Code, "routes outside the group are not this middleware's")
	report := echoaxioms.CheckRoutes(h.e, h.policies)
	assert.Equal(t, []string{"GET /things/:thing"}, report.Undocumented)
	assert.Empty(t, report.Unrouted)
}

func TestErrorHandlerHook(t *testing.T) {
	var seen []*echoaxioms.Error
	h := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.ErrorHandler = func(ctx echo.Context, denial *echoaxioms.Error) error {
			seen = append(seen, denial)
			switch ctx.Request().URL.Query().Get("mode") {
			case "write":
				return ctx.JSON(denial.Status, map[string]string{"custom": string(denial.Reason)})
			case "error":
				return echo.NewHTTPError(http.StatusTeapot)
			}
			return nil // neither wrote nor returned: the request must still end, denied
		}
	}})
	rec := h.do("GET", "/any?mode=write", "")
	assert.Equal(t, 401, rec.Code)
	assert.JSONEq(t, `{"custom":"missing_token"}`, rec.Body.String())
	assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"), "headers are set before the hook")

	assert.Equal(t, http.StatusTeapot, h.do("GET", "/any?mode=error", "").Code)

	rec = h.do("GET", "/any", "")
	assert.Equal(t, 401, rec.Code, "a nil return never lets the request through")
	assert.NotContains(t, rec.Body.String(), "route")
	require.Len(t, seen, 3)
	assert.NotSame(t, seen[0], seen[2], "a fresh denial each time")
}

func TestHTTPErrorsAreFresh(t *testing.T) {
	var errs []error
	h := newHarness(t, harnessOptions{})
	h.e.HTTPErrorHandler = func(err error, c echo.Context) {
		errs = append(errs, err)
		h.e.DefaultHTTPErrorHandler(err, c)
	}
	h.do("GET", "/any", "")
	h.do("GET", "/any", "")
	require.Len(t, errs, 2)
	var he1, he2 *echo.HTTPError
	require.True(t, errors.As(errs[0], &he1))
	require.True(t, errors.As(errs[1], &he2))
	assert.NotSame(t, he1, he2)
	var denial *echoaxioms.Error
	require.True(t, errors.As(he1.Internal, &denial), "the cause is in Internal")
	assert.Equal(t, echoaxioms.ReasonMissingToken, denial.Reason)
	assert.Equal(t, echoaxioms.Body{Error: "unauthorized", ErrorDescription: "authentication required"}, he1.Message)
}

func TestSuccessHandlerAndSkipper(t *testing.T) {
	var calls atomic.Int32
	h := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.SuccessHandler = func(ctx echo.Context) {
			assert.NotNil(t, echoaxioms.Claims(ctx))
			calls.Add(1)
		}
		c.Skipper = func(ctx echo.Context) bool { return ctx.Request().Header.Get("X-Skip") == "yes" }
	}})
	assert.Equal(t, 200, h.do("GET", "/any", h.bearer(nil)).Code)
	assert.Equal(t, 401, h.do("GET", "/any", "").Code)
	assert.EqualValues(t, 1, calls.Load())
	assert.Equal(t, 200, h.do("GET", "/any", "", "X-Skip", "yes").Code, "skipped requests are not checked")
}

func TestLoggerNeverLogsTokens(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	h := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	tok := h.iss.Token(t, axiomstest.TokenSpec{Claims: map[string]any{"sub": "alice"}})
	h.do("GET", "/any", "Bearer "+tok)
	h.do("GET", "/write", "Bearer "+tok)
	h.do("GET", "/any", "Bearer "+tok[:len(tok)-3]+"AAA")
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, "axioms: allowed")
	assert.Contains(t, out, "axioms: denied")
	assert.Contains(t, out, "reason=insufficient_scope")
	assert.Contains(t, out, "subject=alice")
	for _, seg := range []string{tok[:30], tok[len(tok)-20:]} {
		assert.NotContains(t, out, seg)
	}
}

// TestConcurrentRequests runs every path of the middleware at once (audit hook and
// logger, owner loader, general path, undocumented routes) for the race detector, and
// checks each answer and that every decision was recorded once.
func TestConcurrentRequests(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	h := newHarness(t, harnessOptions{config: func(c *echoaxioms.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	h.e.Router().Add(http.MethodGet, "/router-add", ok)
	editor := h.bearer(map[string]any{"roles": []string{"editor"}})
	cases := []struct {
		method, target, auth, key string
		status                    int
	}{
		{"GET", "/read", h.bearer(map[string]any{"scope": "read:data"}), "", 200},
		{"GET", "/read", h.bearer(map[string]any{"scope": "admin", "sub": "other"}), "", 200},
		{"GET", "/read", h.bearer(nil), "", 403},
		{"GET", "/read", "Bearer broken.token.value", "", 401},
		{"GET", "/articles/1", h.bearer(nil), "", 200},
		{"GET", "/articles/2", h.bearer(nil), "", 403},
		{"GET", "/articles/999", h.bearer(nil), "", 404},
		{"DELETE", "/articles/1", editor, "", 200},
		{"GET", "/key-or-token", "", "good-key", 200},
		{"GET", "/key-or-token", "Bearer broken.token.value", "good-key", 401},
		{"GET", "/multi", h.bearer(map[string]any{"scope": "read:data"}), "good-key", 200},
		{"GET", "/undocumented", editor, "", 403},
		{"GET", "/router-add", editor, "", 403},
		{"GET", "/optional", "", "", 200},
		{"GET", "/public", "", "", 200},
		{"GET", "/users/user-1/profile", h.bearer(nil), "", 200},
	}
	const n = 1000
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := range n {
		wg.Go(func() {
			c := cases[i%len(cases)]
			var header []string
			if c.key != "" {
				header = []string{"X-API-Key", c.key}
			}
			rec := h.do(c.method, c.target, c.auth, header...)
			if rec.Code != c.status {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.Len(t, h.records(), n, "one record per decision")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, n, bytes.Count(logs.Bytes(), []byte(`msg="axioms: `)), "one log record per decision")
}
