package main

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/axioms-go/axioms-echo/echo5axioms"
)

// api holds the handlers. Access control is not their business: by the time a handler
// runs, the middleware has enforced the operation's rules from spec.example.yaml, and
// owned objects have been loaded and checked (echo5axioms.Object hands them over).
type api struct {
	store *store
	spec  []byte
}

// fail is a handler's 400/404/409, {"message": msg} in Echo's default error handler.
func fail(status int, msg string) error { return echo.NewHTTPError(status, msg) }

func (a *api) index(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"subject": nil,
		"message": "axioms-echo example on Echo v5: every route's access rule is in /openapi.yaml; try /public-data, then /protected with a token"})
}

func (a *api) health(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"message": "ok"})
}

func (a *api) openAPI(c *echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", a.spec)
}

func (a *api) publicData(c *echo.Context) error {
	body := map[string]any{"message": "public data, for everyone", "subject": nil}
	if claims := echo5axioms.Claims(c); claims != nil {
		body["message"], body["subject"] = "public data, personalised for "+claims.Subject(), claims.Subject()
	}
	return c.JSON(http.StatusOK, body)
}

// caller answers who the service thinks the caller is.
func caller(message string) echo.HandlerFunc {
	return func(c *echo.Context) error {
		claims := echo5axioms.Claims(c)
		return c.JSON(http.StatusOK, map[string]any{"subject": claims.Subject(), "scopes": orEmpty(claims.Scopes()),
			"roles": orEmpty(claims.Roles()), "permissions": orEmpty(claims.Permissions()), "message": message})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// subject is the caller's sub: every handler below runs for an authenticated caller.
func subject(c *echo.Context) string { return echo5axioms.Claims(c).Subject() }

// named binds a body with a non-empty "name" (projects, resources).
func named(c *echo.Context) (string, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := c.Bind(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		return "", fail(http.StatusBadRequest, "a non-empty name is required")
	}
	return in.Name, nil
}

func (a *api) createResource(c *echo.Context) error {
	name, err := named(c)
	if err != nil {
		return err
	}
	r := put(a.store, a.store.resources, Resource{Name: name, CreatedBy: subject(c), CreatedAt: time.Now().UTC()},
		func(r *Resource, id int64) { r.ID = id })
	return c.JSON(http.StatusCreated, r)
}

func (a *api) deleteUser(c *echo.Context) error {
	if a.store.deleteUserData(c.Param("user_id")) == 0 {
		return fail(http.StatusNotFound, "nothing is held for this subject")
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteMe deletes what the caller owns or created; the document's step-up rule (a
// multi-factor login at most 600 seconds old) was enforced before it runs.
func (a *api) deleteMe(c *echo.Context) error {
	sub := subject(c)
	if sub == "" {
		return fail(http.StatusBadRequest, "the access token has no subject (sub)")
	}
	if a.store.deleteUserData(sub) == 0 {
		return fail(http.StatusNotFound, "nothing is held for you")
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *api) createArticle(c *echo.Context) error {
	var in struct{ Title, Content string }
	if err := c.Bind(&in); err != nil || strings.TrimSpace(in.Title) == "" {
		return fail(http.StatusBadRequest, "a title and a content are required")
	}
	art := put(a.store, a.store.articles, Article{Title: in.Title, Content: in.Content, User: subject(c), CreatedAt: time.Now().UTC()},
		func(a *Article, id int64) { a.ID = id })
	return c.JSON(http.StatusCreated, art)
}

func (a *api) listArticles(c *echo.Context) error {
	return c.JSON(http.StatusOK, a.store.articlesOf(subject(c)))
}

// pathID reads the integer path parameter name; anything else is not found.
func pathID(c *echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, fail(http.StatusNotFound, "not found")
	}
	return id, nil
}

// The owner loaders: the middleware compares the loaded object's owner field with the
// caller's claim (x-axioms-owner), then hands the object to the handler.

func (a *api) loadArticle(c *echo.Context) (any, error) {
	return load(c, a.store, a.store.articles, "article_id")
}

func (a *api) loadComment(c *echo.Context) (any, error) {
	return load(c, a.store, a.store.comments, "comment_id")
}

func (a *api) loadProject(c *echo.Context) (any, error) {
	return load(c, a.store, a.store.projects, "project_id")
}

func load[T any](c *echo.Context, s *store, m map[int64]T, param string) (any, error) {
	id, err := pathID(c, param)
	if err != nil {
		return nil, err
	}
	v, ok := get(s, m, id)
	if !ok {
		return nil, fail(http.StatusNotFound, "not found")
	}
	return v, nil
}

func (a *api) getArticle(c *echo.Context) error {
	art, _ := echo5axioms.Object[Article](c)
	return c.JSON(http.StatusOK, art)
}

func (a *api) updateArticle(c *echo.Context) error {
	art, _ := echo5axioms.Object[Article](c)
	var in struct{ Title, Content *string }
	if err := c.Bind(&in); err != nil || in.Title == nil && in.Content == nil || in.Title != nil && strings.TrimSpace(*in.Title) == "" {
		return fail(http.StatusBadRequest, "a non-empty title and/or a content are required")
	}
	art, ok := update(a.store, a.store.articles, art.ID, func(v *Article) {
		if in.Title != nil {
			v.Title = *in.Title
		}
		if in.Content != nil {
			v.Content = *in.Content
		}
		now := time.Now().UTC()
		v.UpdatedAt = &now
	})
	if !ok {
		return fail(http.StatusNotFound, "not found")
	}
	return c.JSON(http.StatusOK, art)
}

func (a *api) deleteArticle(c *echo.Context) error {
	art, _ := echo5axioms.Object[Article](c)
	a.store.deleteArticle(art.ID)
	return c.NoContent(http.StatusNoContent)
}

func (a *api) publishArticle(c *echo.Context) error {
	art, _ := echo5axioms.Object[Article](c)
	if art.Published {
		return fail(http.StatusConflict, "the article is already published")
	}
	art, ok := update(a.store, a.store.articles, art.ID, func(v *Article) { v.Published = true })
	if !ok {
		return fail(http.StatusNotFound, "not found")
	}
	return c.JSON(http.StatusOK, art)
}

func (a *api) createComment(c *echo.Context) error {
	id, err := pathID(c, "article_id")
	if err != nil {
		return err
	}
	if _, ok := get(a.store, a.store.articles, id); !ok {
		return fail(http.StatusNotFound, "not found")
	}
	var in struct{ Text string }
	if err := c.Bind(&in); err != nil || strings.TrimSpace(in.Text) == "" {
		return fail(http.StatusBadRequest, "a non-empty text is required")
	}
	cm := put(a.store, a.store.comments, Comment{ArticleID: id, Text: in.Text, CreatedBy: subject(c), CreatedAt: time.Now().UTC()},
		func(c *Comment, id int64) { c.ID = id })
	return c.JSON(http.StatusCreated, cm)
}

func (a *api) updateComment(c *echo.Context) error {
	cm, _ := echo5axioms.Object[Comment](c)
	var in struct{ Text string }
	if err := c.Bind(&in); err != nil || strings.TrimSpace(in.Text) == "" {
		return fail(http.StatusBadRequest, "a non-empty text is required")
	}
	cm, ok := update(a.store, a.store.comments, cm.ID, func(v *Comment) { v.Text = in.Text })
	if !ok {
		return fail(http.StatusNotFound, "not found")
	}
	return c.JSON(http.StatusOK, cm)
}

func (a *api) deleteComment(c *echo.Context) error {
	cm, _ := echo5axioms.Object[Comment](c)
	a.store.deleteComment(cm.ID)
	return c.NoContent(http.StatusNoContent)
}

func (a *api) createProject(c *echo.Context) error {
	name, err := named(c)
	if err != nil {
		return err
	}
	email, _ := echo5axioms.Claims(c).Claim("email")
	owner, _ := email.(string)
	p := put(a.store, a.store.projects, Project{Name: name, OwnerEmail: owner, CreatedBy: subject(c), CreatedAt: time.Now().UTC()},
		func(p *Project, id int64) { p.ID = id })
	return c.JSON(http.StatusCreated, p)
}

func (a *api) getProject(c *echo.Context) error {
	p, _ := echo5axioms.Object[Project](c)
	return c.JSON(http.StatusOK, p)
}
