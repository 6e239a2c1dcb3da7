package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/axioms-go/axioms-echo/echoaxioms"
)

// api holds the handlers. Access control is not their business: by the time a handler
// runs, the middleware has enforced the operation's rules from spec.example.yaml, and
// owned objects have been loaded and checked.
type api struct {
	store *Store
	spec  []byte
}

// problem is the body of a 400/404/409 answered by a handler.
type problem struct {
	Message string `json:"message"`
}

func fail(status int, msg string) error { return echo.NewHTTPError(status, problem{Message: msg}) }

var errNotFoundHTTP = func() error { return fail(http.StatusNotFound, "not found") }

func (a *api) index(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{
		"message": "axioms-echo example: every route's access rule is in /openapi.yaml; try /public-data, then /protected with a token",
		"subject": nil,
	})
}

func (a *api) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"message": "ok"})
}

func (a *api) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", a.spec)
}

// caller answers who the service thinks the caller is.
func (a *api) caller(message string) echo.HandlerFunc {
	return func(c echo.Context) error { return c.JSON(http.StatusOK, callerOf(c, message)) }
}

type callerBody struct {
	Subject     string   `json:"subject"`
	Scopes      []string `json:"scopes"`
	Roles       []string `json:"roles"`
	Permissions []string `json:"permissions"`
	Message     string   `json:"message,omitempty"`
}

func callerOf(c echo.Context, message string) callerBody {
	claims := echoaxioms.Claims(c)
	return callerBody{Subject: claims.Subject(), Scopes: orEmpty(claims.Scopes()), Roles: orEmpty(claims.Roles()),
		Permissions: orEmpty(claims.Permissions()), Message: message}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *api) publicData(c echo.Context) error {
	body := map[string]any{"message": "public data, for everyone", "subject": nil}
	if claims := echoaxioms.Claims(c); claims != nil {
		body["message"] = "public data, personalised for " + claims.Subject()
		body["subject"] = claims.Subject()
	}
	return c.JSON(http.StatusOK, body)
}

// deleteUser deletes everything the subject in the path owns or created: articles (with
// their comments), comments, projects and resources. 204 when something was deleted, 404
// when the service holds nothing for that subject.
func (a *api) deleteUser(c echo.Context) error {
	_, err := a.store.DeleteUserData(c.Request().Context(), c.Param("user_id"))
	if errors.Is(err, errNotFound) {
		return fail(http.StatusNotFound, "nothing is stored for this user")
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteMe deletes everything the caller (the token's sub) owns or created, as
// deleteUser does for the subject in the path. The document's step-up rule (a
// multi-factor login at most 600 seconds old) was enforced before it runs. 204 when
// something was deleted, 404 when the service holds nothing for the caller.
func (a *api) deleteMe(c echo.Context) error {
	sub, err := subject(c)
	if err != nil {
		return err
	}
	_, err = a.store.DeleteUserData(c.Request().Context(), sub)
	if errors.Is(err, errNotFound) {
		return fail(http.StatusNotFound, "nothing is stored for you")
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// createResource stores a resource created by the caller.
func (a *api) createResource(c echo.Context) error {
	name, err := oneText(c, "name", 200)
	if err != nil {
		return err
	}
	sub, err := subject(c)
	if err != nil {
		return err
	}
	r, err := a.store.CreateResource(c.Request().Context(), name, sub)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

// decode reads a JSON object into dst strictly: unknown fields and trailing data are
// rejected with 400.
func decode(c echo.Context, dst any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fail(http.StatusBadRequest, "the body must be a JSON object with the documented fields")
	}
	if dec.More() {
		return fail(http.StatusBadRequest, "the body must hold one JSON object")
	}
	return nil
}

// oneText decodes a body that holds exactly one field, the required text field of at
// most max characters, and returns it.
func oneText(c echo.Context, field string, max int) (string, error) {
	var in map[string]*string
	if err := decode(c, &in); err != nil {
		return "", err
	}
	for k := range in {
		if k != field {
			return "", fail(http.StatusBadRequest, "the body must be a JSON object with the documented fields")
		}
	}
	v := in[field]
	if v == nil {
		return "", fail(http.StatusBadRequest, field+" is required")
	}
	if err := text(field, *v, true, max); err != nil {
		return "", err
	}
	return *v, nil
}

func text(name, s string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return fail(http.StatusBadRequest, name+" is required")
	case utf8.RuneCountInString(s) > max:
		return fail(http.StatusBadRequest, name+" is too long")
	}
	return nil
}

func subject(c echo.Context) (string, error) {
	sub := echoaxioms.Claims(c).Subject()
	if sub == "" {
		return "", fail(http.StatusBadRequest, "the access token has no subject (sub)")
	}
	return sub, nil
}

func (a *api) createArticle(c echo.Context) error {
	var in struct {
		Title   *string `json:"title"`
		Content *string `json:"content"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Title == nil || in.Content == nil {
		return fail(http.StatusBadRequest, "title and content are required")
	}
	if err := errors.Join(text("title", *in.Title, true, 200), text("content", *in.Content, false, 100000)); err != nil {
		return firstError(err)
	}
	sub, err := subject(c)
	if err != nil {
		return err
	}
	art, err := a.store.CreateArticle(c.Request().Context(), *in.Title, *in.Content, sub)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, art)
}

func (a *api) listArticles(c echo.Context) error {
	list, err := a.store.ArticlesOf(c.Request().Context(), echoaxioms.Claims(c).Subject())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (a *api) getArticle(c echo.Context) error {
	art, _ := echoaxioms.Object[*Article](c)
	return c.JSON(http.StatusOK, art)
}

func (a *api) updateArticle(c echo.Context) error {
	art, _ := echoaxioms.Object[*Article](c)
	var in struct {
		Title   *string `json:"title"`
		Content *string `json:"content"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Title == nil && in.Content == nil {
		return fail(http.StatusBadRequest, "give title and/or content")
	}
	if in.Title != nil {
		if err := text("title", *in.Title, true, 200); err != nil {
			return err
		}
	}
	if in.Content != nil {
		if err := text("content", *in.Content, false, 100000); err != nil {
			return err
		}
	}
	updated, err := a.store.UpdateArticle(c.Request().Context(), art.ID, in.Title, in.Content)
	if errors.Is(err, errNotFound) {
		return errNotFoundHTTP()
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, updated)
}

func (a *api) deleteArticle(c echo.Context) error {
	art, _ := echoaxioms.Object[*Article](c)
	if err := a.store.DeleteArticle(c.Request().Context(), art.ID); errors.Is(err, errNotFound) {
		return errNotFoundHTTP()
	} else if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *api) publishArticle(c echo.Context) error {
	art, _ := echoaxioms.Object[*Article](c)
	published, err := a.store.PublishArticle(c.Request().Context(), art.ID)
	switch {
	case errors.Is(err, errAlreadyPublished):
		return fail(http.StatusConflict, "the article is already published")
	case errors.Is(err, errNotFound):
		return errNotFoundHTTP()
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, published)
}

func (a *api) createComment(c echo.Context) error {
	id, ok := pathID(c, "article_id")
	if !ok {
		return errNotFoundHTTP()
	}
	body, err := oneText(c, "text", 10000)
	if err != nil {
		return err
	}
	sub, err := subject(c)
	if err != nil {
		return err
	}
	cm, err := a.store.CreateComment(c.Request().Context(), id, body, sub)
	if errors.Is(err, errNotFound) {
		return errNotFoundHTTP()
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cm)
}

func (a *api) updateComment(c echo.Context) error {
	cm, _ := echoaxioms.Object[*Comment](c)
	body, err := oneText(c, "text", 10000)
	if err != nil {
		return err
	}
	updated, err := a.store.UpdateComment(c.Request().Context(), cm.ID, body)
	if errors.Is(err, errNotFound) {
		return errNotFoundHTTP()
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, updated)
}

func (a *api) deleteComment(c echo.Context) error {
	cm, _ := echoaxioms.Object[*Comment](c)
	if err := a.store.DeleteComment(c.Request().Context(), cm.ID); errors.Is(err, errNotFound) {
		return errNotFoundHTTP()
	} else if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *api) createProject(c echo.Context) error {
	name, err := oneText(c, "name", 200)
	if err != nil {
		return err
	}
	email, _ := echoaxioms.Claims(c).Claim("email")
	owner, ok := email.(string)
	if !ok || strings.TrimSpace(owner) == "" {
		return fail(http.StatusBadRequest, "the access token has no email claim: projects are owned by an email address")
	}
	p, err := a.store.CreateProject(c.Request().Context(), name, owner, echoaxioms.Claims(c).Subject())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *api) getProject(c echo.Context) error {
	p, _ := echoaxioms.Object[*Project](c)
	return c.JSON(http.StatusOK, p)
}

// Owner loaders: they run after authentication and every other check passed; a missing
// object is a 404 for the caller who passed them.

func (a *api) loadArticle(c echo.Context) (any, error) {
	id, ok := pathID(c, "article_id")
	if !ok {
		return nil, errNotFoundHTTP()
	}
	art, err := a.store.Article(c.Request().Context(), id)
	if errors.Is(err, errNotFound) {
		return nil, errNotFoundHTTP()
	}
	return art, err
}

func (a *api) loadComment(c echo.Context) (any, error) {
	id, ok := pathID(c, "comment_id")
	if !ok {
		return nil, errNotFoundHTTP()
	}
	cm, err := a.store.Comment(c.Request().Context(), id)
	if errors.Is(err, errNotFound) {
		return nil, errNotFoundHTTP()
	}
	return cm, err
}

func (a *api) loadProject(c echo.Context) (any, error) {
	id, ok := pathID(c, "project_id")
	if !ok {
		return nil, errNotFoundHTTP()
	}
	p, err := a.store.Project(c.Request().Context(), id)
	if errors.Is(err, errNotFound) {
		return nil, errNotFoundHTTP()
	}
	return p, err
}

// pathID reads a positive integer path parameter.
func pathID(c echo.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}

func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if e != nil {
				return e
			}
		}
	}
	return err
}
