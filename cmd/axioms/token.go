package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/envconfig"
)

func init() {
	register(command{
		name:    "token",
		summary: "mint a token offline with the development issuer's key",
		run:     runToken,
	})
}

// maxTokenTTL is the longest lifetime token mints, as the issuer's POST /token.
const maxTokenTTL = 30 * 24 * time.Hour

const tokenSynopsis = `token [--key-file PATH] [--iss URL] [--aud AUD] [--sub SUB] [--scope "a b"]
             [--roles a,b] [--permissions a,b] [--ttl 1h] [--claim k=v]...

Prints one token signed with the key of "axioms issuer" (the same --key-file, created if
missing), so it validates against a running development issuer. --iss and --aud fall back
to AXIOMS_ISS_URL and AXIOMS_AUDIENCE (the environment, then a .env file), as a service
reads them, so a token matches the service it is for; a flag given wins. Several
audiences in AXIOMS_AUDIENCE make an aud array. --claim values are read as JSON when they
parse (numbers, booleans, arrays, objects), else as strings.`

func runToken(e env, args []string) int {
	fs := newFlagSet("token", tokenSynopsis, e.stderr)
	keyFile := fs.String("key-file", defaultKeyFile, "private key file of the development issuer")
	iss := fs.String("iss", "", "issuer `URL` (iss; default $AXIOMS_ISS_URL, else http://"+defaultIssuerAddr+")")
	aud := fs.String("aud", "", "audience `AUD` (aud; default $AXIOMS_AUDIENCE, else "+defaultAudience+")")
	sub := fs.String("sub", "", "subject (sub)")
	scope := fs.String("scope", "", `space-separated scopes (scope)`)
	ttl := fs.Duration("ttl", axiomstest.DefaultTokenTTL, "lifetime")
	var roles, perms listFlag
	var extra claimFlag
	fs.Var(&roles, "roles", "roles, comma-separated or repeated (roles)")
	fs.Var(&perms, "permissions", "permissions, comma-separated or repeated (permissions)")
	fs.Var(&extra, "claim", "any claim as name=value (repeatable)")
	if _, code, ok := parseArgs(e, fs, args, 0, "no arguments expected"); !ok {
		return code
	}
	if err := emptyFlags(fs, "key-file"); err != nil {
		fmt.Fprintf(e.stderr, "axioms token: %v\n", err)
		return exitUsage
	}
	if *ttl > maxTokenTTL {
		fmt.Fprintf(e.stderr, "axioms token: lifetime %s exceeds %s\n", *ttl, maxTokenTTL)
		return exitUsage
	}
	issuer, audiences, err := tokenIssuerAudiences(e, fs, *iss, *aud)
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms token: %v\n", err)
		return exitUsage
	}
	dev, err := axiomstest.NewIssuerErr(devIssuerConfig(*keyFile, audiences[0], *ttl))
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms token: %v\n", err)
		return exitUsage
	}
	defer dev.Close()
	claims := map[string]any{"iss": issuer}
	if len(audiences) > 1 {
		claims["aud"] = audiences
	}
	if *sub != "" {
		claims["sub"] = *sub
	}
	if *scope != "" {
		claims["scope"] = *scope
	}
	if len(roles) > 0 {
		claims["roles"] = []string(roles)
	}
	if len(perms) > 0 {
		claims["permissions"] = []string(perms)
	}
	for k, v := range extra {
		claims[k] = v
	}
	tok, err := dev.TokenErr(axiomstest.TokenSpec{Claims: claims})
	if err != nil {
		fmt.Fprintf(e.stderr, "axioms token: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(e.stdout, tok)
	return exitOK
}

// tokenIssuerAudiences returns the iss and the audiences of the token: each flag when
// given (iss and aud, its values), else its AXIOMS_* variable (AXIOMS_AUDIENCE read as a
// list), else the development issuer's default. It warns on stderr of unknown AXIOMS_*
// names; a variable it reads that is set but empty is an error.
func tokenIssuerAudiences(e env, fs *flag.FlagSet, iss, aud string) (string, []string, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["iss"] && given["aud"] {
		return iss, []string{aud}, nil
	}
	vars, err := envconfig.Load("")
	if err != nil {
		return "", nil, err
	}
	for _, w := range vars.Unknown() {
		fmt.Fprintf(e.stderr, "axioms token: warning: %s\n", w)
	}
	if !given["iss"] {
		v, ok, err := vars.Get("AXIOMS_ISS_URL")
		switch {
		case err != nil:
			return "", nil, err
		case ok:
			iss = v
		default:
			iss = "http://" + defaultIssuerAddr
		}
	}
	audiences := []string{aud}
	if !given["aud"] {
		v, ok, err := vars.Get("AXIOMS_AUDIENCE")
		switch {
		case err != nil:
			return "", nil, err
		case ok && len(envconfig.SplitList(v)) > 0:
			audiences = envconfig.SplitList(v)
		case ok:
			return "", nil, fmt.Errorf("AXIOMS_AUDIENCE %q names no audience", v)
		default:
			audiences = []string{defaultAudience}
		}
	}
	return iss, audiences, nil
}

// claimFlag collects --claim name=value pairs.
type claimFlag map[string]any

func (c *claimFlag) String() string { return fmt.Sprint(map[string]any(*c)) }

func (c *claimFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	if *c == nil {
		*c = claimFlag{}
	}
	var parsed any
	if err := json.Unmarshal([]byte(value), &parsed); err == nil {
		(*c)[name] = parsed
	} else {
		(*c)[name] = value
	}
	return nil
}
