package echoaxioms_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/echoaxioms"
	"github.com/axioms-go/axioms-echo/internal/attacks"
	"github.com/axioms-go/axioms-echo/openapi"
)

// TestAttackCorpusEndToEnd sends every crafted token of internal/attacks through Echo and
// the middleware to a route requiring the corpus's scope, role and permission: exact
// status, and exact reason in the audit record. A handler reached by a row that expects a
// denial is a false accept.
func TestAttackCorpusEndToEnd(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	corpus := attacks.Corpus(t, iss)
	policies, err := openapi.LoadData([]byte(`openapi: 3.1.0
info: {title: corpus, version: "1"}
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://issuer.example/token", scopes: {"`+attacks.Scope+`": r}}}}
paths:
  /data/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      security: [{oauth2: ["`+attacks.Scope+`"]}]
      x-axioms-roles: [`+attacks.Role+`]
      x-axioms-permissions: ["`+attacks.Permission+`"]
      responses: {"401": {description: no}, "403": {description: no}}
`), openapi.LoadOptions{})
	require.NoError(t, err)
	var last echoaxioms.AuditRecord
	e := echo.New()
	e.Use(echoaxioms.WithConfig(echoaxioms.Config{Policies: policies, Validator: iss.Validator(t),
		AuditHook: func(_ echo.Context, r echoaxioms.AuditRecord) { last = r }}))
	reached := 0
	e.GET("/data/:id", func(c echo.Context) error { reached++; return c.NoContent(http.StatusOK) })

	falseAccepts := 0
	for _, c := range corpus {
		t.Run(c.Category+"/"+c.Name, func(t *testing.T) {
			last = echoaxioms.AuditRecord{}
			before := reached
			req := httptest.NewRequest(http.MethodGet, "/data/1", nil)
			if c.Authorization != "" {
				req.Header["Authorization"] = []string{c.Authorization}
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			assert.Equal(t, c.Status, rec.Code)
			assert.Equal(t, echoaxioms.Reason(c.HTTPReason), last.Reason)
			if c.Status != http.StatusOK && reached != before {
				falseAccepts++
				t.Errorf("the handler ran for a request that must be denied")
			}
			if c.Status == http.StatusOK {
				assert.Equal(t, before+1, reached)
			}
		})
	}
	assert.Zero(t, falseAccepts)
	t.Logf("FIGURE corpus-end-to-end: %d cases, %d false accepts", len(corpus), falseAccepts)
}
