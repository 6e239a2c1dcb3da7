package main

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

func init() {
	register(command{
		name:    "issuer",
		summary: "run a local development issuer (discovery, JWKS, POST /token) — development only",
		run:     runIssuer,
	})
}

// Defaults shared by issuer and token, so tokens minted offline match the running issuer.
const (
	defaultIssuerAddr = "127.0.0.1:9000"
	defaultKeyFile    = "dev-issuer-keys.json"
	defaultAudience   = "axioms-echo-example"
)

// devIssuerConfig is the configuration of the development issuer of issuer and token:
// one key kept in keyFile, RFC 9068 access tokens (typ at+jwt) with no subject unless
// one is asked for. A negative ttl means the default lifetime.
func devIssuerConfig(keyFile, audience string, ttl time.Duration) axiomstest.IssuerConfig {
	return axiomstest.IssuerConfig{
		KeyFile:  keyFile,
		Audience: audience,
		TokenTTL: max(ttl, 0),
		Header:   map[string]any{"typ": "at+jwt"},
		Claims:   map[string]any{"sub": axiomstest.Omit},
	}
}

const issuerSynopsis = `issuer [--addr 127.0.0.1:9000] [--key-file PATH] [--audience AUD] [--ttl 1h]

Serves an OAuth 2.0 issuer for development on loopback: OIDC discovery, a JWKS, and
POST /token, which takes a JSON object of claims and answers
{"access_token","token_type":"Bearer","expires_in"}. Defaults fill iss, aud, iat, nbf,
exp and jti. The lifetime is --ttl, or "expires_in" (seconds) in the request, or the
expiry itself as an "exp" claim (a number; not with expires_in): an exp in the past
mints an already expired token, for testing refusals, answered with "expires_in": 0.
Malformed requests get 400 {"error":"invalid_request","error_description":...}.
The signing key is kept in --key-file (mode 0600) so restarts keep tokens valid.
` + axiomstest.DevelopmentWarning

func runIssuer(e env, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return serveIssuer(ctx, e, args, nil)
}

// serveIssuer runs the issuer until ctx ends; ready, if not nil, receives its URL.
func serveIssuer(ctx context.Context, e env, args []string, ready chan<- string) int {
	fs := newFlagSet("issuer", issuerSynopsis, e.stderr)
	addr := fs.String("addr", defaultIssuerAddr, "listen address (loopback only, unless --allow-remote)")
	keyFile := fs.String("key-file", defaultKeyFile, "private key file, created if missing")
	audience := fs.String("audience", defaultAudience, "default aud of minted tokens")
	ttl := fs.Duration("ttl", axiomstest.DefaultTokenTTL, "default token lifetime")
	allowRemote := fs.Bool("allow-remote", false, "listen on a non-loopback address (still development only)")
	if _, code, ok := parseArgs(e, fs, args, 0, "no arguments expected"); !ok {
		return code
	}
	if err := emptyFlags(fs, "key-file"); err != nil {
		fmt.Fprintf(e.stderr, "axioms issuer: %v\n", err)
		return exitUsage
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms issuer: --addr: %v\n", err)
		return exitUsage
	}
	if ip := net.ParseIP(host); !*allowRemote && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(e.stderr, "axioms issuer: %s is not a loopback address; pass --allow-remote to listen there anyway\n", *addr)
		return exitUsage
	}
	cfg := devIssuerConfig(*keyFile, *audience, *ttl)
	cfg.Addr, cfg.TokenEndpoint = *addr, true
	iss, err := axiomstest.NewIssuerErr(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms issuer: %v\n", err)
		return exitUsage
	}
	defer iss.Close()

	fmt.Fprintf(e.stderr, "\n  !! %s\n\n", axiomstest.DevelopmentWarning)
	fmt.Fprintf(e.stdout, "axioms development issuer listening at %s (key %s in %s)\n\n", iss.URL(), iss.Key("").ID(), *keyFile)
	fmt.Fprintf(e.stdout, "Configure a service to trust it:\n  export AXIOMS_ISS_URL=%s\n  export AXIOMS_AUDIENCE=%s\n\n", iss.URL(), *audience)
	fmt.Fprintf(e.stdout, "Get a token:\n  curl -s -X POST %s/token -d '{\"sub\":\"alice\",\"scope\":\"read:data\"}'\n", iss.URL())
	if ready != nil {
		ready <- iss.URL()
	}
	<-ctx.Done()
	return exitOK
}
