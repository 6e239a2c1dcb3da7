package echoaxioms_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/attacks"
	"github.com/axioms-go/axioms-echo/internal/specgen"
)

// TestAttackCorpusEndToEnd sends every crafted token of internal/attacks through Echo and
// the middleware to a route requiring the corpus's scope, role and permission: exact
// status, and exact reason in the audit record. A handler reached by a row that expects a
// denial is a false accept.
func TestAttackCorpusEndToEnd(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	corpus := attacks.Corpus(t, iss)
	doc := specgen.Doc{Schemes: []string{specgen.OAuth2("oauth2", attacks.Scope)}}.YAML(`
  /data/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      security: [{oauth2: ["` + attacks.Scope + `"]}]
      x-axioms-roles: [` + attacks.Role + `]
      x-axioms-permissions: ["` + attacks.Permission + `"]
      responses: {"401": {description: no}, "403": {description: no}}
`)
	h := newHarness(t, harnessOptions{doc: doc, issuer: iss})
	h.e.GET("/data/:id", h.handler("data"))

	falseAccepts := 0
	for _, c := range corpus {
		t.Run(c.Category+"/"+c.Name, func(t *testing.T) {
			before := len(h.records())
			rec := h.do(http.MethodGet, "/data/1", c.Authorization)
			assert.Equal(t, c.Status, rec.Code)
			records := h.records()
			require.Len(t, records, before+1, "one decision")
			assert.Equal(t, echoaxioms.Reason(c.HTTPReason), records[before].Reason)
			reached := len(h.handlers())
			if c.Status != http.StatusOK && reached != 0 {
				falseAccepts++
				t.Errorf("the handler ran for a request that must be denied")
			}
			if c.Status == http.StatusOK {
				assert.Equal(t, 1, reached)
			}
		})
	}
	assert.Zero(t, falseAccepts)
	t.Logf("FIGURE corpus-end-to-end: %d cases, %d false accepts", len(corpus), falseAccepts)
}
