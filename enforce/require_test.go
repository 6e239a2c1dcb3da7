package enforce_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/enforce"
	"github.com/axioms-go/axioms-echo/validator"
)

func TestAccessTokenInspect(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	_, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Name: "myadapter"})
	assert.EqualError(t, err, "myadapter: AccessTokenConfig.Validator is required")
	at, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Validator: iss.Validator(t), Realm: "r"})
	require.NoError(t, err)
	tok := iss.Token(t, axiomstest.TokenSpec{})
	for _, c := range []struct {
		auth   string
		status enforce.TokenStatus
		code   int // of Err; 0 for none
	}{
		{"", enforce.TokenMissing, 401},
		{"Bearer " + tok, enforce.TokenValid, 0},
		{"Bearer " + tok[:len(tok)-4] + "AAAA", enforce.TokenInvalid, 401},
		{"Bearer a=b", enforce.TokenInvalid, 400},
	} {
		h := http.Header{}
		if c.auth != "" {
			h.Set("Authorization", c.auth)
		}
		ctx := at.Inspect(context.Background(), h)
		st := enforce.StateFromContext(ctx)
		assert.Equal(t, c.status, st.Status, c.auth)
		_, hasClaims := validator.FromContext(ctx)
		assert.Equal(t, c.status == enforce.TokenValid, hasClaims, c.auth)
		if c.code == 0 {
			assert.Nil(t, st.Err)
			continue
		}
		require.NotNil(t, st.Err)
		assert.Equal(t, c.code, st.Err.Status)
		assert.Contains(t, st.Err.Challenge(), `realm="r"`)
	}
	assert.Equal(t, enforce.TokenMissing, enforce.StateFromContext(context.Background()).Status, "nothing recorded")
}

func TestRequirements(t *testing.T) {
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{})
	var records []enforce.AuditRecord
	at, err := enforce.NewAccessToken(enforce.AccessTokenConfig{Validator: iss.Validator(t),
		AuditHook: func(_ context.Context, _ any, r enforce.AuditRecord) { records = append(records, r) }})
	require.NoError(t, err)
	inspect := func(claims map[string]any) context.Context {
		h := http.Header{}
		if claims != nil {
			h.Set("Authorization", "Bearer "+iss.Token(t, axiomstest.TokenSpec{Claims: claims}))
		}
		return at.Inspect(context.Background(), h)
	}
	loader := func(_ context.Context, req any) (any, error) {
		switch id := req.(string); id {
		case "missing":
			return nil, statusError{http.StatusNotFound}
		case "down":
			return nil, errors.New("database down")
		default:
			return map[string]string{"user": id}, nil
		}
	}
	status := func(err error) (int, error) {
		var se statusError
		if errors.As(err, &se) {
			return se.code, err
		}
		return 0, err
	}
	reader := map[string]any{"scope": "read", "roles": []string{"editor"}, "permissions": []string{"p"}}
	for _, c := range []struct {
		name   string
		q      *enforce.Requirement
		ctx    context.Context
		native string
		status int // 0: proceeds
		reason enforce.Reason
	}{
		{"auth", enforce.RequireAuth(), inspect(reader), "", 0, ""},
		{"auth without a token", enforce.RequireAuth(), inspect(nil), "", 401, enforce.ReasonMissingToken},
		{"auth without AccessToken", enforce.RequireAuth(), context.Background(), "", 401, enforce.ReasonMissingToken},
		{"scopes", enforce.RequireScopes("write", "read"), inspect(reader), "", 0, ""},
		{"scopes missing", enforce.RequireScopes("write"), inspect(reader), "", 403, enforce.ReasonInsufficientScope},
		{"no scopes at all", enforce.RequireScopes(), inspect(reader), "", 403, enforce.ReasonInsufficientScope},
		{"roles", enforce.RequireRoles("editor"), inspect(reader), "", 0, ""},
		{"roles missing", enforce.RequireRoles("admin"), inspect(reader), "", 403, enforce.ReasonInsufficientPermission},
		{"permissions", enforce.RequirePermissions("p"), inspect(reader), "", 0, ""},
		{"permissions missing", enforce.RequirePermissions("q"), inspect(reader), "", 403, enforce.ReasonInsufficientPermission},
		{"owner", enforce.RequireOwner(loader, "", "", status), inspect(reader), axiomstest.DefaultSubject, 0, ""},
		{"not the owner", enforce.RequireOwner(loader, "", "", status), inspect(reader), "user-2", 403, enforce.ReasonNotOwner},
		{"no owner claim", enforce.RequireOwner(loader, "", "/org/id", status), inspect(reader), axiomstest.DefaultSubject, 403, enforce.ReasonNotOwner},
		{"loader's own status", enforce.RequireOwner(loader, "", "", status), inspect(reader), "missing", 404, enforce.ReasonOwnerLoader},
		{"loader fails", enforce.RequireOwner(loader, "", "", nil), inspect(reader), "down", 500, enforce.ReasonServerError},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(records)
			r := &enforce.Request{Native: c.native, Method: "GET", Route: "/x"}
			res := c.q.Check(c.ctx, r)
			var rec enforce.AuditRecord
			if len(records) > before {
				rec = records[before]
			}
			if c.status == 0 {
				assert.Nil(t, res.Denial)
				assert.NoError(t, res.Err)
				assert.Equal(t, enforce.OutcomeAllowed, rec.Outcome)
				return
			}
			assert.Equal(t, c.status, res.Status)
			if c.ctx != context.Background() {
				assert.Equal(t, c.status, rec.Status)
				assert.Equal(t, c.reason, rec.Reason)
				assert.Equal(t, enforce.OutcomeDenied, rec.Outcome)
				assert.NotEmpty(t, rec.Check)
			}
			if res.Denial != nil {
				assert.Equal(t, c.reason, res.Denial.Reason)
			} else {
				assert.Error(t, res.Err)
			}
		})
	}

	ctx := inspect(reader)
	res := enforce.RequireOwner(loader, "", "", status).Check(ctx, &enforce.Request{Native: axiomstest.DefaultSubject})
	obj, ok := enforce.ObjectFromContext[map[string]string](res.Context)
	assert.True(t, ok)
	assert.Equal(t, axiomstest.DefaultSubject, obj["user"])

	// Each denial of a recorded state is a copy: answering one never changes another.
	ctx = inspect(nil)
	d1 := enforce.RequireAuth().Check(ctx, &enforce.Request{}).Denial
	d2 := enforce.RequireAuth().Check(ctx, &enforce.Request{}).Denial
	assert.NotSame(t, d1, d2)
	assert.NotSame(t, enforce.StateFromContext(ctx).Err, d1)
}

func TestErrorAnswer(t *testing.T) {
	for _, c := range []struct {
		denial *enforce.Error
		body   enforce.Body
		header http.Header
	}{
		{&enforce.Error{Status: 503, Description: "down"}, enforce.Body{Error: "temporarily_unavailable", ErrorDescription: "down"},
			http.Header{"Retry-After": {"30"}}},
		{&enforce.Error{Status: 403, Description: "d"}, enforce.Body{Error: "forbidden", ErrorDescription: "d"},
			http.Header{"Cache-Control": {"no-store"}}},
		{&enforce.Error{Status: 401}, enforce.Body{Error: "unauthorized"},
			http.Header{"Cache-Control": {"no-store"}, "Www-Authenticate": {`Bearer realm=""`}}},
		{&enforce.Error{Status: 403, Code: enforce.CodeInsufficientScope, Scope: []string{"a", "b"}}, enforce.Body{Error: "insufficient_scope"},
			http.Header{"Cache-Control": {"no-store"}, "Www-Authenticate": {`Bearer realm="", error="insufficient_scope", scope="a b"`}}},
		{&enforce.Error{Status: 418}, enforce.Body{Error: "error"}, http.Header{"Cache-Control": {"no-store"}}},
	} {
		h := http.Header{}
		c.denial.SetHeaders(h)
		assert.Equal(t, c.header, h, "%d", c.denial.Status)
		assert.Equal(t, c.body, c.denial.Body())
	}
}
