package conformance

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/axioms-go/axioms-echo/openapi"
	"github.com/axioms-go/axioms-echo/validator"
)

// Driver installs one adapter (the Echo v4 middleware, ...) in an application of its
// framework. Run calls Handler once per validator arrangement, from the test's
// goroutine; the handler it returns then serves the table's requests one at a time.
type Driver interface {
	// Handler returns the application of s: every route of s.Routes registered the
	// framework's way, answered by a handler that calls Respond with the route's Name,
	// the principal and the owner-loaded object the adapter hands it; the adapter
	// installed as its documentation says, configured with s's policies, validators,
	// authenticators and owner loaders (adapted to the framework's callback types, see
	// Authenticator and OwnerLoader), its audit hook calling s.Audit with each
	// decision, its logs discarded (an owner loader's failure is logged), and every
	// other setting, the realm included, at its default. It fails tb if the adapter
	// refuses the configuration.
	Handler(tb testing.TB, s Setup) http.Handler
	// Router describes how the framework's router answers by itself.
	Router() Router
}

// Router describes the answers a framework's router gives without a handler, where
// frameworks differ.
type Router struct {
	// HeadAsGet is true when the router serves a HEAD request with the GET route of its
	// path (net/http's ServeMux), so the GET operation's rule applies: a row's HeadAsGet
	// is then expected instead of its Want. If false (Echo), a HEAD request for a path
	// without a HEAD route is answered 405 by the router.
	HeadAsGet bool
}

// Setup is what a Driver builds its application from. Every field is set by Run;
// SchemeValidators is nil in the arrangement where Validator serves every bearer
// scheme.
type Setup struct {
	// Policies is the compiled document (testdata/api.yaml).
	Policies *openapi.Policies
	// Routes are the routes the application registers: one per operation of Policies,
	// then routes the document does not describe.
	Routes []Route
	// Validator validates the bearer tokens of every bearer scheme without an entry in
	// SchemeValidators: the adapter's default validator.
	Validator *validator.Validator
	// SchemeValidators binds bearer schemes, by name, to their own validators (the
	// partners scheme to an issuer whose key set cannot be fetched); nil when Validator
	// serves every bearer scheme.
	SchemeValidators map[string]*validator.Validator
	// Authenticators authenticate the schemes that are not bearer schemes, by name.
	Authenticators map[string]Authenticator
	// OwnerLoaders load the objects of the document's owner rules, by loader name.
	OwnerLoaders map[string]OwnerLoader
	// Audit receives the adapter's audit records, converted to AuditRecord. It must be
	// called on the request's goroutine, before the response is complete.
	Audit func(AuditRecord)
	// DPoP checks the DPoP proofs: the adapter's Config.DPoP.
	DPoP *validator.DPoPChecker
	// DPoPBaseURL is the adapter's Config.DPoPBaseURL ("" in the arrangement where the
	// URL is built from each request).
	DPoPBaseURL string
}

// Route is a route the application registers.
type Route struct {
	// Method is the HTTP method.
	Method string
	// Path is the route in OpenAPI template form ("/articles/{article_id}"), base path
	// included: the operation's openapi.Policy.Route. ColonPath writes it in Echo's form.
	Path string
	// Name is what the route's handler passes to Respond: the operationId, or
	// "METHOD path" for a route without an operation.
	Name string
}

// ColonPath returns an OpenAPI path template in the ":name" form of Echo's router:
// "/articles/{article_id}" becomes "/articles/:article_id". It handles templates whose
// parameters are whole segments, as those of testdata/api.yaml are.
func ColonPath(template string) string {
	return strings.NewReplacer("{", ":", "}", "").Replace(template)
}

// Authenticator is a framework-neutral authenticator for a scheme that is not a bearer
// scheme, with the contract of the adapters' own: (nil, nil) without credentials for
// the scheme, a principal for valid ones, an error for invalid ones. A driver adapts it
// by passing the framework's *http.Request.
type Authenticator func(r *http.Request, scheme openapi.Scheme) (openapi.Principal, error)

// OwnerLoader is a framework-neutral owner loader: it loads the object whose ID is the
// route parameter Param. A driver adapts it by reading that parameter the framework's
// way and answering an error matching ErrNotFound with the framework's own 404 error
// (for Echo, echo.NewHTTPError(http.StatusNotFound)), whose body has no "error" member;
// any other error is returned as it is (the adapter answers 500).
type OwnerLoader struct {
	// Param is the name of the route parameter holding the object's ID.
	Param string
	// Load returns the object with id, ErrNotFound, or another error.
	Load func(id string) (any, error)
}

// ErrNotFound is the error an OwnerLoader's Load returns for an ID it does not know.
var ErrNotFound = errors.New("conformance: no such object")

// Article is what the getArticle loader returns: an object whose User field (JSON name
// "user") the owner rule compares with the token's sub.
type Article struct {
	ID   string `json:"id"`
	User string `json:"user"`
}

// AuditRecord is the framework-neutral part of an adapter's audit record that the
// table checks. Outcome and Reason are the stable texts of the README's "Reason codes"
// section ("allowed", "denied", ...; "missing_token", "expired", ...).
type AuditRecord struct {
	// Operation is the operationId of the decision's operation, "" for none.
	Operation string
	// Outcome and Reason are the decision's outcome and reason ("" for none).
	Outcome, Reason string
	// Status is the status the decision answered with (200 when it let the request on).
	Status int
	// Subject is the authenticated subject, "" when anonymous.
	Subject string
}

// The headers Respond writes, which Run reads to tell which handler answered and what
// the adapter handed it.
const (
	headerHandler = "Conformance-Handler"
	headerSubject = "Conformance-Subject"
	headerObject  = "Conformance-Object"
)

// Respond is the answer of every route's handler: 200, with the route's name, the sub
// of the principal the adapter handed the handler (none if nil, or without a string
// sub) and the ID of the object the owner loader loaded (an *Article; none if nil) in
// headers Run reads, and the name as the body.
func Respond(w http.ResponseWriter, name string, p openapi.Principal, object any) {
	h := w.Header()
	h.Set(headerHandler, name)
	if p != nil {
		if sub, ok := p.Claim("sub"); ok {
			if s, ok := sub.(string); ok {
				h.Set(headerSubject, s)
			}
		}
	}
	if a, ok := object.(*Article); ok {
		h.Set(headerObject, a.ID)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(name))
}
