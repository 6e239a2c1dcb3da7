package main

import (
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/axioms-go/axioms-echo/axiomstest"
	"github.com/axioms-go/axioms-echo/validator"
)

// persona is a kind of caller the guide mints a token for.
type persona struct {
	name, env, about string
	claims           map[string]any
	// loggedInNow adds an auth_time claim: the time the token is minted, as if the
	// persona had just logged in (the step-up rule of DELETE /me reads it).
	loggedInNow bool
}

// tokenClaims returns the claims of p's token minted at now.
func (p persona) tokenClaims(now time.Time) map[string]any {
	if !p.loggedInNow {
		return p.claims
	}
	claims := maps.Clone(p.claims)
	claims["auth_time"] = now
	return claims
}

var personas = []persona{
	{"reader", "READER", "scopes read:data openid profile", map[string]any{
		"sub": "reader-1", "email": "reader@example.com", "scope": "read:data openid profile"}, false},
	{"writer", "WRITER", "scopes write:data openid, permission resource:create", map[string]any{
		"sub": "writer-1", "email": "writer@example.com", "scope": "write:data openid", "permissions": []string{"resource:create"}}, false},
	{"editor", "EDITOR", "role editor, scope articles:publish, permissions articles:publish resource:write", map[string]any{
		"sub": "editor-1", "email": "editor@example.com", "scope": "openid articles:publish",
		"roles": []string{"editor"}, "permissions": []string{"articles:publish", "resource:write"}}, false},
	{"admin", "ADMIN", "roles admin superuser, scope admin", map[string]any{
		"sub": "admin-1", "email": "admin@example.com", "scope": "admin openid", "roles": []string{"admin", "superuser"}}, false},
	{"another user", "OTHER", "no email claim, read:data", map[string]any{
		"sub": "someone-else", "scope": "read:data"}, false},
	{"editor after a multi-factor login", "EDITOR_MFA", "the editor with acr urn:example:mfa and auth_time now: DELETE /me for 10 minutes", map[string]any{
		"sub": "editor-1", "email": "editor@example.com", "scope": "openid articles:publish", "acr": "urn:example:mfa",
		"roles": []string{"editor"}, "permissions": []string{"articles:publish", "resource:write"}}, true},
}

// printGuide tells the newcomer what is running and what to try next.
func printGuide(w io.Writer, url, dbPath string, cfg validator.Config, dev *axiomstest.Issuer) {
	fmt.Fprintf(w, "axioms-echo example listening on %s (database %s)\n", url, dbPath)
	fmt.Fprintf(w, "Every rule is in %s/openapi.yaml — read it beside the answers below.\n\n", url)
	if dev == nil {
		fmt.Fprintf(w, "Trusting issuer %s for audience %s.\n", cfg.Issuer, strings.Join(cfg.Audiences, ", "))
		fmt.Fprintf(w, "Try: curl -i %s/protected -H \"Authorization: Bearer $TOKEN\"\n", url)
		return
	}
	fmt.Fprintf(w, "No issuer configured: a development issuer runs at %s (%s).\n", dev.URL(), axiomstest.DevelopmentWarning)
	fmt.Fprintln(w, "Tokens for a few personas, valid for an hour:")
	fmt.Fprintln(w)
	for _, p := range personas {
		tok, err := dev.TokenErr(axiomstest.TokenSpec{Claims: p.tokenClaims(time.Now())})
		if err != nil {
			fmt.Fprintf(w, "  (could not mint a token for %s: %v)\n", p.name, err)
			continue
		}
		fmt.Fprintf(w, "# %s — %s\nexport %s=%s\n\n", p.name, p.about, p.env, tok)
	}
	fmt.Fprintf(w, "Then try:\n%sMore tokens: curl -s -X POST %s/token -d '{\"sub\":\"alice\",\"scope\":\"read:data\"}'\n",
		session(url), dev.URL())
	fmt.Fprintf(w, "%s\n\n", mfaLogin(dev.URL()))
}

// mfaLogin is the guide's command for a fresh multi-factor login at the development
// issuer: a token whose acr and auth_time satisfy DELETE /me's step-up rule, for the
// next 600 seconds.
func mfaLogin(issuer string) string {
	return "After a 401 insufficient_user_authentication (acr_values, max_age), log in again with a second factor:\n" +
		"  export EDITOR_MFA=$(curl -s -X POST " + issuer +
		`/token -d '{"sub":"editor-1","acr":"urn:example:mfa","auth_time":'"$(date +%s)"'}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')`
}

// session is the curl session the guide prints (the README shows it for
// http://127.0.0.1:8000, and a test keeps the two identical). Each command is
// annotated with the status it answers and, for a denial, the RFC 6750 error code
// found in its WWW-Authenticate header; scripts/smoke.sh checks both. It works on a
// database reused from an earlier run: the article it creates is found by the id the
// POST answers, never by a fixed number.
func session(url string) string {
	return strings.ReplaceAll(`  curl -i {base}/public-data                                       # 200, anonymous
  curl -i {base}/protected                                         # 401: no token
  curl -i {base}/protected   -H "Authorization: Bearer $READER"    # 200
  curl -i {base}/api/write   -H "Authorization: Bearer $READER"    # 403 insufficient_scope
  curl -i {base}/api/write   -H "Authorization: Bearer $WRITER"    # 200
  curl -i {base}/admin/users -H "Authorization: Bearer $ADMIN"     # 200
  ID=$(curl -s -X POST {base}/articles -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' -d '{"title":"Hello","content":"First post"}' | sed -E 's/.*"id":([0-9]+).*/\1/'); echo "article $ID"   # 201, the new article's id in $ID
  curl -i {base}/articles/$ID  -H "Authorization: Bearer $EDITOR"  # 200: the owner
  curl -i {base}/articles/$ID  -H "Authorization: Bearer $OTHER"   # 403 insufficient_permission: not the owner
  curl -i -X POST {base}/articles/$ID/publish -H "Authorization: Bearer $EDITOR"   # 200, then 409
  curl -i -X DELETE {base}/me -H "Authorization: Bearer $EDITOR"       # 401 insufficient_user_authentication: a multi-factor login is needed (acr_values, max_age)
  curl -i -X DELETE {base}/me -H "Authorization: Bearer $EDITOR_MFA"   # 204: the editor's data is deleted, then 404
`, "{base}", url)
}
