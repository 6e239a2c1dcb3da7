// Command articleshttp is the articles API of spec.example.yaml on net/http alone: an
// http.ServeMux with Go 1.22+ patterns, every handler protected by httpaxioms from the
// rules of the document (embedded), the objects kept in memory.
//
// Run it from the repository root:
//
//	go -C examples run ./articleshttp
//
// With no issuer configured (neither AXIOMS_ISS_URL nor AXIOMS_JWKS_URL nor
// AXIOMS_DOMAIN set), it starts a development issuer in-process on loopback and prints
// curl commands with fresh tokens. Otherwise it trusts the configured issuer (AXIOMS_*
// variables and a .env file); a variable set but empty is an error.
//
// Environment: ADDR (default 127.0.0.1:8000), AXIOMS_SPEC (default: the embedded
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

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/envconfig"
	"github.com/axioms-go/axioms-echo/httpaxioms"
	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// specYAML is a copy of the repository's spec.example.yaml (a test keeps them identical).
//
//go:embed spec.example.yaml
var specYAML []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, nil); err != nil {
		fmt.Fprintf(os.Stderr, "articleshttp: %v\n", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then shuts down gracefully. ready, if set, is called with
// the service's URL and the development issuer (nil when an issuer is configured) once
// the service accepts requests.
func run(ctx context.Context, stdout io.Writer, ready func(url string, dev *axiomstest.Issuer)) error {
	env, err := envconfig.Load("")
	if err != nil {
		return err
	}
	for _, w := range env.Unknown() {
		fmt.Fprintf(os.Stderr, "articleshttp: warning: %s\n", w)
	}
	addr, ok, err := env.Get("ADDR")
	if err != nil {
		return err
	} else if !ok {
		addr = "127.0.0.1:8000"
	}
	vcfg, err := env.ValidatorConfig()
	if err != nil {
		return err
	}
	dev, err := devIssuer(env, vcfg.Audiences)
	if err != nil {
		return err
	}
	if dev != nil {
		defer dev.Close()
		vcfg.Issuer, vcfg.Audiences = dev.URL(), []string{dev.Audience()}
	}
	v, err := validator.New(ctx, vcfg)
	if err != nil {
		return envconfig.Explain(err)
	}
	spec := specYAML
	if path, set, err := env.Get("AXIOMS_SPEC"); err != nil {
		return err
	} else if set {
		if spec, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("AXIOMS_SPEC: %w", err)
		}
	}
	policies, err := openapi.LoadData(spec, openapi.LoadOptions{})
	if err != nil {
		return err
	}

	a := newAPI(spec)
	mux, err := httpaxioms.NewMux(httpaxioms.Config{Policies: policies, Validator: v, OwnerLoaders: a.loaders()})
	if err != nil {
		return err
	}
	a.routes(mux)
	// Strict: a pattern without an operation, or an operation without a pattern, stops
	// the service.
	if err := mux.CheckRoutes().Err(); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	guide(stdout, url, vcfg, dev)
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

// devIssuer starts a development issuer when no issuer is configured at all
// (AXIOMS_ISS_URL, AXIOMS_JWKS_URL and AXIOMS_DOMAIN unset), and returns nil otherwise.
// It runs on a free loopback port with an in-memory RS256 key; POST /token mints RFC
// 9068 access tokens with the claims it is given.
func devIssuer(env *envconfig.Env, audiences []string) (*axiomstest.Issuer, error) {
	for _, name := range []string{"AXIOMS_ISS_URL", "AXIOMS_JWKS_URL", "AXIOMS_DOMAIN"} {
		if _, set, _ := env.Get(name); set {
			return nil, nil
		}
	}
	aud := "axioms-echo-example"
	if len(audiences) > 0 {
		aud = audiences[0]
	}
	return axiomstest.NewIssuerErr(axiomstest.IssuerConfig{Algorithms: []string{"RS256"}, Audience: aud,
		Header: map[string]any{"typ": "at+jwt"}, Claims: map[string]any{"sub": axiomstest.Omit}, TokenEndpoint: true})
}

// personas are the callers the guide mints tokens for.
var personas = []struct {
	env, about string
	claims     map[string]any
}{
	{"READER", "scope read:data", map[string]any{"sub": "reader-1", "scope": "read:data openid"}},
	{"WRITER", "scopes write:data openid", map[string]any{"sub": "writer-1", "scope": "write:data openid"}},
	{"EDITOR", "role editor, permission articles:publish", map[string]any{"sub": "editor-1", "scope": "openid articles:publish",
		"roles": []string{"editor"}, "permissions": []string{"articles:publish"}}},
}

// guide tells the newcomer what is running and what to try.
func guide(w io.Writer, url string, cfg validator.Config, dev *axiomstest.Issuer) {
	fmt.Fprintf(w, "axioms-echo net/http example listening on %s\n", url)
	fmt.Fprintf(w, "Every rule is in %s/openapi.yaml.\n\n", url)
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
		fmt.Fprintf(w, "# %s\nexport %s=%s\n\n", p.about, p.env, tok)
	}
	fmt.Fprint(w, strings.ReplaceAll(`Then try:
  curl -i {base}/public-data                                     # 200, anonymous
  curl -i {base}/protected                                       # 401: no token
  curl -i {base}/protected -H "Authorization: Bearer $READER"    # 200
  curl -i {base}/api/write -H "Authorization: Bearer $READER"    # 403 insufficient_scope
  curl -i {base}/api/write -H "Authorization: Bearer $WRITER"    # 200
  curl -i -X POST {base}/articles -H "Authorization: Bearer $EDITOR" -d '{"title":"Hello","content":"First post"}'   # 201
  curl -i {base}/articles/1 -H "Authorization: Bearer $READER"   # 403 insufficient_permission: not the owner
  curl -i -X DELETE {base}/me -H "Authorization: Bearer $EDITOR" # 401 insufficient_user_authentication: a multi-factor login is needed
`, "{base}", url))
	fmt.Fprint(w, "Step-up: log in again with a second factor, then delete your data:\n", mfaLogin(dev.URL()),
		"  curl -i -X DELETE ", url, "/me -H \"Authorization: Bearer $EDITOR_MFA\"   # 204\n")
	fmt.Fprintf(w, "More tokens: curl -s -X POST %s/token -d '{\"sub\":\"alice\",\"scope\":\"read:data\"}'\n", dev.URL())
}

// mfaLogin is the guide's command for a fresh multi-factor login at the development
// issuer: a token whose acr and auth_time satisfy DELETE /me's step-up rule
// (x-axioms-acr urn:example:mfa, x-axioms-max-age 600), kept in $EDITOR_MFA.
func mfaLogin(issuer string) string {
	return "  export EDITOR_MFA=$(curl -s -X POST " + issuer +
		`/token -d '{"sub":"editor-1","acr":"urn:example:mfa","auth_time":'"$(date +%s)"'}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')` + "\n"
}
