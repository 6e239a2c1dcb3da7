package echo5axioms_test

import (
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echo5axioms"
	"github.com/axioms-go/axioms-echo/openapi"
)

// ToMiddleware refuses every configuration that would leave a rule unenforced, listing
// every problem at once, and WithConfig panics with the same error.
func TestToMiddlewareRefusesIncompleteConfigs(t *testing.T) {
	policies, err := openapi.LoadData(apiDoc, openapi.LoadOptions{})
	require.NoError(t, err)
	v := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{}).Validator(t)
	key := map[string]echo5axioms.Authenticator{"key": keyAuthenticator}
	loaders := map[string]echo5axioms.OwnerLoader{"getArticle": loadArticle}
	for _, c := range []struct {
		name string
		cfg  echo5axioms.Config
		want []string
	}{
		{"no policies", echo5axioms.Config{Validator: v}, []string{"echo5axioms: Config.Policies is required"}},
		{"nothing registered", echo5axioms.Config{Policies: policies}, []string{
			`echo5axioms: security scheme "oauth2" needs a token validator`,
			`echo5axioms: security scheme "key" (apiKey) is used by operations but has no Authenticator`,
			`echo5axioms: owner rules need loaders that are not registered in OwnerLoaders: "getArticle" (GET /articles/{id})`,
		}},
		{"unknown and nil entries", echo5axioms.Config{Policies: policies, Validator: v, OwnerLoaders: loaders,
			Authenticators:   map[string]echo5axioms.Authenticator{"key": keyAuthenticator, "basic": keyAuthenticator, "oauth2": keyAuthenticator},
			SchemeValidators: map[string]echo5axioms.TokenValidator{"key": v}}, []string{
			`Authenticators names "basic", which the document does not declare`,
			`Authenticators names "oauth2", a bearer scheme the library enforces itself`,
			`SchemeValidators names "key", a apiKey scheme`,
		}},
		{"nil loader", echo5axioms.Config{Policies: policies, Validator: v, Authenticators: key,
			OwnerLoaders: map[string]echo5axioms.OwnerLoader{"getArticle": nil}}, []string{`"getArticle"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.cfg.ToMiddleware()
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Panics(t, func() { echo5axioms.WithConfig(c.cfg) })
		})
	}
	mw, err := echo5axioms.Config{Policies: policies, Validator: v, Authenticators: key, OwnerLoaders: loaders}.ToMiddleware()
	require.NoError(t, err)
	assert.NotNil(t, mw)
	var _ echo.MiddlewareConfigurator = echo5axioms.Config{}
	var _ echo.MiddlewareConfigurator = echo5axioms.AccessTokenConfig{}
}
