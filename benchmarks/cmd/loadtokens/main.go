// Command loadtokens mints many distinct tokens with a development issuer's key file,
// for load tests: one token per line. With -invalid, each token's signature is damaged.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

func main() {
	keyFile := flag.String("key-file", "", "the issuer's key file")
	iss := flag.String("iss", "", "issuer")
	aud := flag.String("aud", "axioms-echo-example", "audience")
	count := flag.Int("count", 1000, "how many tokens")
	invalid := flag.Bool("invalid", false, "damage every signature")
	flag.Parse()
	if *keyFile == "" || *iss == "" || *count < 1 || *count > 100000 {
		fmt.Fprintln(os.Stderr, "usage: loadtokens -key-file F -iss URL [-aud A] [-count 1..100000] [-invalid]")
		os.Exit(2)
	}
	// The development issuer of "axioms issuer", with its key file; only its key and
	// defaults are used, the tokens name -iss as their issuer.
	is, err := axiomstest.NewIssuerErr(axiomstest.IssuerConfig{
		KeyFile:  *keyFile,
		Audience: *aud,
		TokenTTL: 2 * time.Hour,
		Header:   map[string]any{"typ": "at+jwt"},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer is.Close()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for i := range *count {
		sub := fmt.Sprintf("load-%d", i)
		if *invalid {
			sub = fmt.Sprintf("bad-%d", i) // a 200 naming this subject would be a false accept
		}
		tok, err := is.TokenErr(axiomstest.TokenSpec{Claims: map[string]any{"iss": *iss, "sub": sub, "scope": "read:data"}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if *invalid {
			dot := strings.LastIndexByte(tok, '.')
			sig := []byte(tok[dot+1:])
			sig[5] = map[bool]byte{true: 'A', false: 'B'}[sig[5] != 'A'] // still base64url, no longer the signature
			tok = tok[:dot+1] + string(sig)
		}
		fmt.Fprintln(w, tok)
	}
}
