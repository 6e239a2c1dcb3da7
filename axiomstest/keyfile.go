package axiomstest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/axioms-go/axioms-echo/internal/signing"
)

// loadOrCreateKey returns the key kept in path (IssuerConfig.KeyFile): read from the
// file if it exists, else generated for algs[0] (RS256 if algs is empty) under its
// thumbprint as kid, and written to the file as a private JWK with mode 0600. A key
// read from the file must have algs[0], if given.
func loadOrCreateKey(path string, algs []string) (*Key, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := signing.ParsePrivateJWK(data)
		if err != nil {
			return nil, fmt.Errorf("axiomstest: key file %s: %w", path, err)
		}
		if len(algs) > 0 && k.Alg != algs[0] {
			return nil, fmt.Errorf("axiomstest: key file %s holds a %s key, not the %s of IssuerConfig.Algorithms", path, k.Alg, algs[0])
		}
		return wrapKey(k)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("axiomstest: key file %s: %w", path, err)
	}

	alg := "RS256"
	if len(algs) > 0 {
		alg = algs[0]
	}
	k, err := signing.Generate(alg, "")
	if err != nil {
		return nil, fmt.Errorf("axiomstest: creating a %s key: %w", alg, err)
	}
	if data, err = k.PrivateJWK(); err != nil {
		return nil, fmt.Errorf("axiomstest: encoding a %s key: %w", alg, err)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("axiomstest: key file %s: %w", path, err)
		}
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("axiomstest: writing key file %s: %w", path, err)
	}
	return wrapKey(k)
}
