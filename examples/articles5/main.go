// Command articles5 is the articles example on Echo v5: the same OpenAPI document
// (spec.example.yaml, embedded) enforced by echo5axioms, with an in-memory store. The
// Echo v4 example, with its SQLite store, is examples/articles.
//
// Run it from the repository root:
//
//	go -C examples run ./articles5
//
// With no issuer configured (neither AXIOMS_ISS_URL nor AXIOMS_JWKS_URL nor
// AXIOMS_DOMAIN set), it starts a development issuer in-process on loopback and prints
// tokens and curl commands to try. Otherwise it trusts the configured issuer (AXIOMS_*
// variables and a .env file); a variable set but empty is an error.
//
// Environment: ADDR (default 127.0.0.1:8005), AXIOMS_SPEC (default: the embedded
// document), and the AXIOMS_* variables of the validator.
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
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// specYAML is a copy of the repository's spec.example.yaml (a test keeps them identical).
//
//go:embed spec.example.yaml
var specYAML []byte

// defaultAddr is where the service listens when ADDR is unset.
const defaultAddr = "127.0.0.1:8005"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, nil); err != nil {
		fmt.Fprintf(os.Stderr, "articles5: %v\n", err)
		os.Exit(1)
	}
}

// run starts the service, calls ready (if set) with its URL and development issuer (nil
// when an issuer is configured) once it accepts requests, and serves until ctx ends.
func run(ctx context.Context, out io.Writer, ready func(url string, dev *axiomstest.Issuer)) error {
	env, err := envconfig.Load("")
	if err != nil {
		return err
	}
	for _, w := range env.Unknown() {
		fmt.Fprintf(out, "articles5: warning: %s\n", w)
	}
	vcfg, err := env.ValidatorConfig()
	if err != nil {
		return err
	}
	var dev *axiomstest.Issuer
	if !issuerConfigured(env) {
		// A development issuer, only when no issuer variable is set at all: an empty
		// AXIOMS_ISS_URL= is an error above, never a reason to trust a local issuer.
		dev, err = axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"RS256"}, Audience: "axioms-echo-example",
			Header: map[string]any{"typ": "at+jwt"}, Claims: map[string]any{"sub": axiomstest.Omit}, TokenEndpoint: true})
		if err != nil {
			return err
		}
		defer dev.Close()
		vcfg.Issuer, vcfg.Audiences = dev.URL(), []string{dev.Audience()}
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return envconfig.Explain(err)
	}
	spec := specYAML
	if path, ok, err := env.Get("AXIOMS_SPEC"); err != nil {
		return err
	} else if ok {
		if spec, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("AXIOMS_SPEC: %w", err)
		}
	}
	policies, err := openapi.LoadData(spec, openapi.LoadOptions{})
	if err != nil {
		return err
	}
	e, err := newServer(newStore(), spec, policies, v)
	if err != nil {
		return err
	}

	addr, ok, err := env.Get("ADDR")
	if err != nil {
		return err
	} else if !ok {
		addr = defaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	printGuide(out, url, vcfg, dev)
	if ready != nil {
		ready(url, dev)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func issuerConfigured(env *envconfig.Env) bool {
	for _, name := range []string{"AXIOMS_ISS_URL", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN"} {
		if _, set, _ := env.Get(name); set {
			return true
		}
	}
	return false
}

// newServer builds the Echo v5 app: recovery, request IDs, a body limit, the
// spec-driven middleware, and a route for every operation — checked against the
// document at startup (a route without an operation, or an operation without a route,
// stops the service).
func newServer(s *store, spec []byte, policies *openapi.Policies, v echo5axioms.TokenValidator) (*echo.Echo, error) {
	a := &api{store: s, spec: spec}
	e := echo.New()
	e.Use(middleware.Recover(), middleware.RequestID(), middleware.BodyLimit(1<<20))
	mw, err := echo5axioms.Config{
		Policies:  policies,
		Validator: v,
		OwnerLoaders: map[string]echo5axioms.OwnerLoader{
			"getArticle": a.loadArticle, "updateArticle": a.loadArticle, "deleteArticle": a.loadArticle,
			"publishArticle": a.loadArticle, "updateComment": a.loadComment, "deleteComment": a.loadComment,
			"getProject": a.loadProject,
		},
	}.ToMiddleware()
	if err != nil {
		return nil, err
	}
	e.Use(mw)

	e.GET("/", a.index)
	e.GET("/health", a.health)
	e.GET("/openapi.yaml", a.openAPI)
	e.GET("/public-data", a.publicData)
	e.GET("/protected", caller("you hold a valid access token"))
	e.GET("/me", caller("this is what the service knows about you"))
	e.DELETE("/me", a.deleteMe)
	e.GET("/api/read", caller("read:data or admin scope"))
	e.GET("/api/write", caller("write:data and openid scopes"))
	e.GET("/api/strict", caller("openid or profile scope, editor role, resource:write permission"))
	e.GET("/admin/users", caller("admin or superuser role"))
	e.GET("/users/:user_id/profile", caller("your own profile"))
	e.DELETE("/admin/users/:user_id", a.deleteUser)
	e.POST("/api/resource", a.createResource)
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

	if err := echo5axioms.CheckRoutes(e, policies).Err(); err != nil {
		return nil, err
	}
	return e, nil
}

// personas are the callers the guide mints tokens for.
var personas = []struct {
	env    string
	claims map[string]any
}{
	{"READER", map[string]any{"sub": "reader-1", "email": "reader@example.com", "scope": "read:data openid profile"}},
	{"WRITER", map[string]any{"sub": "writer-1", "scope": "write:data openid", "permissions": []string{"resource:create"}}},
	{"EDITOR", map[string]any{"sub": "editor-1", "email": "editor@example.com", "scope": "openid articles:publish",
		"roles": []string{"editor"}, "permissions": []string{"articles:publish", "resource:write"}}},
	{"OTHER", map[string]any{"sub": "someone-else", "scope": "read:data"}},
}

// printGuide tells the newcomer what is running and what to try.
func printGuide(w io.Writer, url string, cfg validator.Config, dev *axiomstest.Issuer) {
	fmt.Fprintf(w, "axioms-echo example on Echo v5 listening on %s; every rule is in %s/openapi.yaml\n", url, url)
	if dev == nil {
		fmt.Fprintf(w, "Trusting issuer %s for audience %s.\n", cfg.Issuer, strings.Join(cfg.Audiences, ", "))
		fmt.Fprintf(w, "Try: curl -i %s/protected -H \"Authorization: Bearer $TOKEN\"\n", url)
		return
	}
	fmt.Fprintf(w, "No issuer configured: a development issuer runs at %s (%s).\nTokens, valid for an hour:\n\n", dev.URL(), axiomstest.DevelopmentWarning)
	for _, p := range personas {
		tok, err := dev.TokenErr(axiomstest.TokenSpec{Claims: p.claims})
		if err != nil {
			fmt.Fprintf(w, "  (could not mint a token for %s: %v)\n", p.env, err)
			continue
		}
		fmt.Fprintf(w, "export %s=%s\n", p.env, tok)
	}
	fmt.Fprint(w, strings.ReplaceAll(`
Then try:
  curl -i {base}/public-data                                     # 200, anonymous
  curl -i {base}/protected                                       # 401: no token
  curl -i {base}/protected -H "Authorization: Bearer $READER"    # 200
  curl -i {base}/api/write -H "Authorization: Bearer $READER"    # 403 insufficient_scope
  curl -i {base}/api/write -H "Authorization: Bearer $WRITER"    # 200
  curl -i -X POST {base}/articles -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' -d '{"title":"Hello","content":"First post"}'   # 201
  curl -i {base}/articles/1 -H "Authorization: Bearer $OTHER"    # 403 insufficient_permission: not the owner
  curl -i -X DELETE {base}/me -H "Authorization: Bearer $EDITOR" # 401 insufficient_user_authentication: a multi-factor login is needed
`, "{base}", url))
	fmt.Fprint(w, "Step-up: log in again with a second factor, then delete your data:\n", mfaLogin(dev.URL()),
		"  curl -i -X DELETE ", url, "/me -H \"Authorization: Bearer $EDITOR_MFA\"   # 204\n")
	fmt.Fprintf(w, "More tokens: curl -s -X POST %s/token -d '{\"sub\":\"alice\",\"scope\":\"read:data\"}'\n\n", dev.URL())
}

// mfaLogin is the guide's command for a fresh multi-factor login at the development
// issuer: a token whose acr and auth_time satisfy DELETE /me's step-up rule
// (x-axioms-acr urn:example:mfa, x-axioms-max-age 600), kept in $EDITOR_MFA.
func mfaLogin(issuer string) string {
	return "  export EDITOR_MFA=$(curl -s -X POST " + issuer +
		`/token -d '{"sub":"editor-1","acr":"urn:example:mfa","auth_time":'"$(date +%s)"'}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')` + "\n"
}
