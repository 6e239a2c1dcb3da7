package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/axioms-go/axioms-echo/httpaxioms"
)

// The objects of the service, kept in memory: every restart starts empty.
type (
	article struct {
		ID        int64      `json:"id"`
		Title     string     `json:"title"`
		Content   string     `json:"content"`
		User      string     `json:"user"` // the owner's subject: x-axioms-owner compares it with sub
		Published bool       `json:"published"`
		CreatedAt time.Time  `json:"created_at"`
		UpdatedAt *time.Time `json:"updated_at"`
	}
	comment struct {
		ID        int64     `json:"id"`
		ArticleID int64     `json:"article_id"`
		Text      string    `json:"text"`
		CreatedBy string    `json:"created_by"` // compared with sub
		CreatedAt time.Time `json:"created_at"`
	}
	project struct {
		ID         int64     `json:"id"`
		Name       string    `json:"name"`
		OwnerEmail string    `json:"owner_email"` // compared with email
		CreatedBy  string    `json:"created_by"`
		CreatedAt  time.Time `json:"created_at"`
	}
	resource struct {
		ID        int64     `json:"id"`
		Name      string    `json:"name"`
		CreatedBy string    `json:"created_by"`
		CreatedAt time.Time `json:"created_at"`
	}
)

// api holds the objects and the handlers. Access control is not the handlers' business:
// by the time one runs, the middleware has enforced the operation's rules from
// spec.example.yaml, and owned objects have been loaded and checked.
type api struct {
	spec      []byte
	mu        sync.Mutex
	lastID    int64
	articles  map[int64]*article
	comments  map[int64]*comment
	projects  map[int64]*project
	resources map[int64]*resource
}

func newAPI(spec []byte) *api {
	return &api{spec: spec, articles: map[int64]*article{}, comments: map[int64]*comment{},
		projects: map[int64]*project{}, resources: map[int64]*resource{}}
}

// routes registers every operation of the document on mux.
func (a *api) routes(mux *httpaxioms.Mux) {
	mux.HandleFunc("GET /{$}", message("axioms-echo net/http example: every route's access rule is in /openapi.yaml; try /public-data, then /protected with a token"))
	mux.HandleFunc("GET /health", message("ok"))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(a.spec)
	})
	mux.HandleFunc("GET /public-data", publicData)
	for pattern, msg := range map[string]string{
		"GET /protected":               "you hold a valid access token",
		"GET /me":                      "this is what the service knows about you",
		"GET /api/read":                "read:data or admin scope",
		"GET /api/write":               "write:data and openid scopes",
		"GET /admin/users":             "admin or superuser role",
		"GET /api/strict":              "openid or profile scope, editor role, resource:write permission",
		"GET /users/{user_id}/profile": "your own profile",
	} {
		mux.HandleFunc(pattern, caller(msg))
	}
	mux.HandleFunc("DELETE /admin/users/{user_id}", a.deleteUser)
	mux.HandleFunc("DELETE /me", a.deleteMe)
	mux.HandleFunc("POST /api/resource", a.createResource)
	mux.HandleFunc("GET /articles", a.listArticles)
	mux.HandleFunc("POST /articles", a.createArticle)
	mux.HandleFunc("GET /articles/{article_id}", a.getArticle)
	mux.HandleFunc("PATCH /articles/{article_id}", a.updateArticle)
	mux.HandleFunc("DELETE /articles/{article_id}", a.deleteArticle)
	mux.HandleFunc("POST /articles/{article_id}/publish", a.publishArticle)
	mux.HandleFunc("POST /articles/{article_id}/comments", a.createComment)
	mux.HandleFunc("PATCH /comments/{comment_id}", a.updateComment)
	mux.HandleFunc("DELETE /comments/{comment_id}", a.deleteComment)
	mux.HandleFunc("POST /projects", a.createProject)
	mux.HandleFunc("GET /projects/{project_id}", func(w http.ResponseWriter, r *http.Request) { reply(w, http.StatusOK, loaded[*project](r)) })
}

// loaders returns the owner loaders of the document's x-axioms-owner rules, by
// operationId.
func (a *api) loaders() map[string]httpaxioms.OwnerLoader {
	loadArticle := load(a, "article_id", a.articles)
	loadComment := load(a, "comment_id", a.comments)
	return map[string]httpaxioms.OwnerLoader{
		"getArticle": loadArticle, "updateArticle": loadArticle, "deleteArticle": loadArticle, "publishArticle": loadArticle,
		"updateComment": loadComment, "deleteComment": loadComment,
		"getProject": load(a, "project_id", a.projects),
	}
}

// load returns the loader of the objects of m, by the path parameter param: a 404 for
// an ID that is not there.
func load[T any](a *api, param string, m map[int64]T) httpaxioms.OwnerLoader {
	return func(r *http.Request) (any, error) {
		id, err := strconv.ParseInt(r.PathValue(param), 10, 64)
		a.mu.Lock()
		defer a.mu.Unlock()
		obj, found := m[id]
		if err != nil || !found {
			return nil, &httpaxioms.StatusError{Status: http.StatusNotFound}
		}
		return obj, nil
	}
}

// loaded returns the object the operation's owner loader loaded.
func loaded[T any](r *http.Request) T {
	obj, _ := httpaxioms.Object[T](r)
	return obj
}

// reply answers status with v as JSON.
func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers a problem: {"message": msg}.
func fail(w http.ResponseWriter, status int, msg string) {
	reply(w, status, map[string]string{"message": msg})
}

// decode reads the request's JSON object into dst, unknown fields refused, and checks
// each text field: required ones present, none longer than its limit. It answers 400
// and returns false otherwise.
func decode(w http.ResponseWriter, r *http.Request, dst any, fields ...field) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		fail(w, http.StatusBadRequest, "the body must be a JSON object with the documented fields")
		return false
	}
	for _, f := range fields {
		if (f.required && *f.value == "") || len(*f.value) > f.max {
			fail(w, http.StatusBadRequest, f.name+" is required, at most "+strconv.Itoa(f.max)+" bytes")
			return false
		}
	}
	return true
}

type field struct {
	name     string
	value    *string
	required bool
	max      int
}

func message(msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"message": msg, "subject": nil})
	}
}

// caller answers who the service thinks the caller is.
func caller(msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := httpaxioms.Claims(r)
		reply(w, http.StatusOK, map[string]any{"subject": c.Subject(), "scopes": orEmpty(c.Scopes()), "roles": orEmpty(c.Roles()),
			"permissions": orEmpty(c.Permissions()), "message": msg})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func publicData(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"message": "public data, for everyone", "subject": nil}
	if c := httpaxioms.Claims(r); c != nil {
		body["message"], body["subject"] = "public data, personalised for "+c.Subject(), c.Subject()
	}
	reply(w, http.StatusOK, body)
}

// subject returns the caller's sub, answering 400 when the token has none.
func subject(w http.ResponseWriter, r *http.Request) (string, bool) {
	sub := httpaxioms.Claims(r).Subject()
	if sub == "" {
		fail(w, http.StatusBadRequest, "the access token has no subject (sub)")
	}
	return sub, sub != ""
}

// next returns a fresh ID; a.mu is held.
func (a *api) next() int64 {
	a.lastID++
	return a.lastID
}

func (a *api) deleteUser(w http.ResponseWriter, r *http.Request) {
	if a.deleteUserData(r.PathValue("user_id")) == 0 {
		fail(w, http.StatusNotFound, "nothing is stored for this user")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteMe deletes what the caller owns or created; the document's step-up rule (a
// multi-factor login at most 600 seconds old) was enforced before it runs.
func (a *api) deleteMe(w http.ResponseWriter, r *http.Request) {
	sub, ok := subject(w, r)
	if !ok {
		return
	}
	if a.deleteUserData(sub) == 0 {
		fail(w, http.StatusNotFound, "nothing is stored for you")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteUserData deletes what user owns or created: its articles, its comments and
// those on its articles, its projects and resources; it returns how many objects.
func (a *api) deleteUserData(user string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for id, art := range a.articles {
		if art.User == user {
			delete(a.articles, id)
			n++
		}
	}
	for id, c := range a.comments {
		if c.CreatedBy == user || a.articles[c.ArticleID] == nil {
			delete(a.comments, id)
			n++
		}
	}
	for id, p := range a.projects {
		if p.CreatedBy == user {
			delete(a.projects, id)
			n++
		}
	}
	for id, res := range a.resources {
		if res.CreatedBy == user {
			delete(a.resources, id)
			n++
		}
	}
	return n
}

func (a *api) createResource(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name string }
	sub, ok := subject(w, r)
	if !ok || !decode(w, r, &in, field{"name", &in.Name, true, 200}) {
		return
	}
	a.mu.Lock()
	res := &resource{ID: a.next(), Name: in.Name, CreatedBy: sub, CreatedAt: time.Now().UTC()}
	a.resources[res.ID] = res
	a.mu.Unlock()
	reply(w, http.StatusCreated, res)
}

func (a *api) listArticles(w http.ResponseWriter, r *http.Request) {
	sub := httpaxioms.Claims(r).Subject()
	a.mu.Lock()
	list := []article{}
	for _, art := range a.articles {
		if art.User == sub {
			list = append(list, *art)
		}
	}
	a.mu.Unlock()
	slices.SortFunc(list, func(x, y article) int { return int(y.ID - x.ID) }) // newest first
	reply(w, http.StatusOK, list)
}

func (a *api) createArticle(w http.ResponseWriter, r *http.Request) {
	var in struct{ Title, Content string }
	sub, ok := subject(w, r)
	if !ok || !decode(w, r, &in, field{"title", &in.Title, true, 200}, field{"content", &in.Content, true, 100000}) {
		return
	}
	a.mu.Lock()
	art := &article{ID: a.next(), Title: in.Title, Content: in.Content, User: sub, CreatedAt: time.Now().UTC()}
	a.articles[art.ID] = art
	out := *art
	a.mu.Unlock()
	reply(w, http.StatusCreated, out)
}

func (a *api) getArticle(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	out := *loaded[*article](r)
	a.mu.Unlock()
	reply(w, http.StatusOK, out)
}

func (a *api) updateArticle(w http.ResponseWriter, r *http.Request) {
	var in struct{ Title, Content *string }
	if !decode(w, r, &in) {
		return
	}
	if (in.Title == nil && in.Content == nil) || (in.Title != nil && (*in.Title == "" || len(*in.Title) > 200)) ||
		(in.Content != nil && len(*in.Content) > 100000) {
		fail(w, http.StatusBadRequest, "give title (1 to 200 bytes) and/or content")
		return
	}
	art := loaded[*article](r)
	a.mu.Lock()
	if in.Title != nil {
		art.Title = *in.Title
	}
	if in.Content != nil {
		art.Content = *in.Content
	}
	now := time.Now().UTC()
	art.UpdatedAt = &now
	out := *art
	a.mu.Unlock()
	reply(w, http.StatusOK, out)
}

func (a *api) deleteArticle(w http.ResponseWriter, r *http.Request) {
	art := loaded[*article](r)
	a.mu.Lock()
	delete(a.articles, art.ID)
	for id, c := range a.comments {
		if c.ArticleID == art.ID {
			delete(a.comments, id)
		}
	}
	a.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) publishArticle(w http.ResponseWriter, r *http.Request) {
	art := loaded[*article](r)
	a.mu.Lock()
	already := art.Published
	art.Published = true
	out := *art
	a.mu.Unlock()
	if already {
		fail(w, http.StatusConflict, "the article is already published")
		return
	}
	reply(w, http.StatusOK, out)
}

func (a *api) createComment(w http.ResponseWriter, r *http.Request) {
	var in struct{ Text string }
	sub, ok := subject(w, r)
	if !ok || !decode(w, r, &in, field{"text", &in.Text, true, 10000}) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("article_id"), 10, 64)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil || a.articles[id] == nil {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	c := &comment{ID: a.next(), ArticleID: id, Text: in.Text, CreatedBy: sub, CreatedAt: time.Now().UTC()}
	a.comments[c.ID] = c
	reply(w, http.StatusCreated, c)
}

func (a *api) updateComment(w http.ResponseWriter, r *http.Request) {
	var in struct{ Text string }
	if !decode(w, r, &in, field{"text", &in.Text, true, 10000}) {
		return
	}
	c := loaded[*comment](r)
	a.mu.Lock()
	c.Text = in.Text
	out := *c
	a.mu.Unlock()
	reply(w, http.StatusOK, out)
}

func (a *api) deleteComment(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	delete(a.comments, loaded[*comment](r).ID)
	a.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) createProject(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name string }
	sub, ok := subject(w, r)
	if !ok || !decode(w, r, &in, field{"name", &in.Name, true, 200}) {
		return
	}
	email, _ := httpaxioms.Claims(r).Claim("email")
	owner, _ := email.(string)
	if owner == "" {
		fail(w, http.StatusBadRequest, "the access token has no email claim: projects are owned by an email address")
		return
	}
	a.mu.Lock()
	p := &project{ID: a.next(), Name: in.Name, OwnerEmail: owner, CreatedBy: sub, CreatedAt: time.Now().UTC()}
	a.projects[p.ID] = p
	a.mu.Unlock()
	reply(w, http.StatusCreated, p)
}
