// Command articles is the axioms-echo example service: an articles API whose every
// access rule lives in its OpenAPI document (spec.example.yaml, embedded).
//
// Run it from the repository root:
//
//	go -C examples run ./articles
//
// With no issuer configured (neither AXIOMS_ISS_URL nor AXIOMS_JWKS_URL nor
// AXIOMS_DOMAIN set), it starts a development issuer in-process on loopback and prints
// ready-to-paste curl commands with fresh tokens for several personas. Otherwise it
// trusts the configured issuer (AXIOMS_* variables and a .env file). A variable set but
// empty (AXIOMS_ISS_URL=) is an error, never "no issuer configured"; an unknown AXIOMS_*
// name is reported at startup with the closest known one.
//
// Environment: ADDR (default 127.0.0.1:8000), DATABASE_PATH (default articles.db),
// AXIOMS_SPEC (default: the embedded document), and the AXIOMS_* variables of the
// validator.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// specYAML is a copy of the repository's spec.example.yaml (a test keeps them identical).
//
//go:embed spec.example.yaml
var specYAML []byte

// Defaults of the environment variables.
const (
	defaultAddr   = "127.0.0.1:8000"
	defaultDBPath = "articles.db"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, options{stdout: os.Stdout, stderr: os.Stderr}); err != nil {
		fmt.Fprintf(os.Stderr, "articles: %v\n", err)
		os.Exit(1)
	}
}

// options are what tests change; everything else comes from the environment.
type options struct {
	stdout, stderr io.Writer
	// ready, if set, is called once the service accepts requests.
	ready func(started)
	// configure, if set, adjusts the validator configuration just before the validator is
	// built, after the environment and the development issuer filled it (the soak test
	// shortens the key refresh intervals and counts key-set fetches).
	configure func(*validator.Config)
}

// started describes a running service.
type started struct {
	URL string
	// Dev is the in-process development issuer, nil when an issuer is configured.
	Dev *axiomstest.Issuer
}

// run starts the service and blocks until ctx ends, then shuts down gracefully: requests
// in flight finish, the database is closed (every committed write is on disk).
func run(ctx context.Context, opts options) error {
	env, err := envconfig.Load("")
	if err != nil {
		return err
	}
	for _, w := range env.Unknown() {
		fmt.Fprintf(opts.stderr, "articles: warning: %s\n", w)
	}
	addr, err := setting(env, "ADDR", defaultAddr)
	if err != nil {
		return err
	}
	dbPath, err := setting(env, "DATABASE_PATH", defaultDBPath)
	if err != nil {
		return err
	}

	vcfg, useDev, err := validatorConfig(env)
	if err != nil {
		return err
	}
	var dev *axiomstest.Issuer
	if useDev {
		if dev, err = startDevIssuer(vcfg.Audiences); err != nil {
			return err
		}
		defer dev.Close()
		vcfg.Issuer, vcfg.Audiences = dev.URL(), []string{dev.Audience()}
	}
	if opts.configure != nil {
		opts.configure(&vcfg)
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return envconfig.Explain(err)
	}

	var policies *openapi.Policies
	spec := specYAML
	path, ok, err := env.Get("AXIOMS_SPEC")
	if err != nil {
		return err
	}
	if ok {
		if spec, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("AXIOMS_SPEC: %w", err)
		}
	}
	if policies, err = openapi.LoadData(spec, openapi.LoadOptions{}); err != nil {
		return err
	}

	store, err := OpenStore(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	e, err := newServer(store, spec, policies, v)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	url := "http://" + ln.Addr().String()
	printGuide(opts.stdout, url, dbPath, vcfg, dev)
	if opts.ready != nil {
		opts.ready(started{URL: url, Dev: dev})
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(opts.stderr, "articles: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newServer builds the Echo app: recovery, request IDs, a body limit, the spec-driven
// middleware, and the routes — checked against the document at startup (strict: a route
// without an operation, or an operation without a route, stops the service).
func newServer(store *Store, spec []byte, policies *openapi.Policies, v echoaxioms.TokenValidator) (*echo.Echo, error) {
	a := &api{store: store, spec: spec}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover(), middleware.RequestID(), middleware.BodyLimit("1M"))
	mw, err := echoaxioms.Config{
		Policies:  policies,
		Validator: v,
		OwnerLoaders: map[string]echoaxioms.OwnerLoader{
			"getArticle":     a.loadArticle,
			"updateArticle":  a.loadArticle,
			"deleteArticle":  a.loadArticle,
			"publishArticle": a.loadArticle,
			"updateComment":  a.loadComment,
			"deleteComment":  a.loadComment,
			"getProject":     a.loadProject,
		},
	}.ToMiddleware()
	if err != nil {
		return nil, err
	}
	e.Use(mw)

	e.GET("/", a.index)
	e.GET("/health", a.health)
	e.GET("/openapi.yaml", a.openAPI)
	e.GET("/protected", a.caller("you hold a valid access token"))
	e.GET("/me", a.caller("this is what the service knows about you"))
	e.DELETE("/me", a.deleteMe)
	e.GET("/public-data", a.publicData)
	e.GET("/api/read", a.caller("read:data or admin scope"))
	e.GET("/api/write", a.caller("write:data and openid scopes"))
	e.GET("/admin/users", a.caller("admin or superuser role"))
	e.DELETE("/admin/users/:user_id", a.deleteUser)
	e.POST("/api/resource", a.createResource)
	e.GET("/api/strict", a.caller("openid or profile scope, editor role, resource:write permission"))
	e.POST("/articles", a.createArticle)
	e.GET("/articles", a.listArticles)
	e.GET("/articles/:article_id", a.getArticle)
	e.PATCH("/articles/:article_id", a.updateArticle)
	e.DELETE("/articles/:article_id", a.deleteArticle)
	e.POST("/articles/:article_id/publish", a.publishArticle)
	e.POST("/articles/:article_id/comments", a.createComment)
	e.PATCH("/comments/:comment_id", a.updateComment)
	e.DELETE("/comments/:comment_id", a.deleteComment)
	e.POST("/projects", a.createProject)
	e.GET("/projects/:project_id", a.getProject)
	e.GET("/users/:user_id/profile", a.caller("your own profile"))

	if err := echoaxioms.CheckRoutes(e, policies).Err(); err != nil {
		return nil, err
	}
	return e, nil
}

// devAudience is the audience of the development issuer when none is configured.
const devAudience = "axioms-echo-example"

// startDevIssuer runs a development issuer on a free loopback port, with an in-memory
// RS256 key: POST /token mints RFC 9068 access tokens (typ at+jwt) with the claims it
// is given, and no subject unless one is given.
func startDevIssuer(audiences []string) (*axiomstest.Issuer, error) {
	aud := devAudience
	if len(audiences) > 0 {
		aud = audiences[0]
	}
	return axiomstest.NewIssuerErr(axiomstest.IssuerConfig{
		Algorithms:    []string{"RS256"},
		Audience:      aud,
		Header:        map[string]any{"typ": "at+jwt"},
		Claims:        map[string]any{"sub": axiomstest.Omit},
		TokenEndpoint: true,
	})
}

// validatorConfig reads the validator's configuration from env and decides whether the
// development issuer runs: only when no issuer is configured at all (AXIOMS_ISS_URL,
// AXIOMS_JWKS_URL and AXIOMS_DOMAIN all unset). A variable set but empty is an error
// naming it, never "unset": AXIOMS_ISS_URL= in a deployment must not start an issuer that
// signs admin tokens for anyone, trusted for the deployment's audience.
func validatorConfig(env *envconfig.Env) (cfg validator.Config, useDev bool, err error) {
	if cfg, err = env.ValidatorConfig(); err != nil {
		return validator.Config{}, false, err
	}
	for _, name := range []string{"AXIOMS_ISS_URL", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN"} {
		if _, set, _ := env.Get(name); set {
			return cfg, false, nil
		}
	}
	return cfg, true, nil
}

// setting returns the value of the variable name, or def when it is unset; set but empty,
// it is an error.
func setting(env *envconfig.Env, name, def string) (string, error) {
	v, ok, err := env.Get(name)
	if !ok {
		return def, nil
	}
	return v, err
}
