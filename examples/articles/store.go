package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, no cgo
)

// Article is an article owned by the subject in User.
type Article struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Content   string     `json:"content"`
	User      string     `json:"user"`
	Published bool       `json:"published"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// Comment is a comment on an article, owned by its author in CreatedBy.
type Comment struct {
	ID        int64     `json:"id"`
	ArticleID int64     `json:"article_id"`
	Text      string    `json:"text"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Project is owned by an email address (OwnerEmail); CreatedBy is the subject that
// created it.
type Project struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	OwnerEmail string    `json:"owner_email"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Resource is a named resource created by the subject in CreatedBy.
type Resource struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Removed counts the rows [Store.DeleteUserData] deleted, by kind. Comments counts the
// subject's own comments and those on the subject's articles.
type Removed struct {
	Articles  int64 `json:"articles"`
	Comments  int64 `json:"comments"`
	Projects  int64 `json:"projects"`
	Resources int64 `json:"resources"`
}

// Total is the number of rows deleted.
func (r Removed) Total() int64 { return r.Articles + r.Comments + r.Projects + r.Resources }

// errNotFound is returned when a row does not exist.
var errNotFound = errors.New("not found")

// Store keeps articles, comments, projects and resources in SQLite. It is safe for
// concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

const schema = `
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS articles (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	title      TEXT    NOT NULL,
	content    TEXT    NOT NULL,
	user       TEXT    NOT NULL,
	published  INTEGER NOT NULL DEFAULT 0,
	created_at TEXT    NOT NULL,
	updated_at TEXT
);
CREATE INDEX IF NOT EXISTS articles_user ON articles(user, id);
CREATE TABLE IF NOT EXISTS comments (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	text       TEXT    NOT NULL,
	created_by TEXT    NOT NULL,
	created_at TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_created_by ON comments(created_by);
CREATE TABLE IF NOT EXISTS projects (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL,
	owner_email TEXT NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS resources (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_created_by ON resources(created_by);`

// migrations bring a database created by an earlier version of the example up to date;
// each runs once, when its column is missing.
var migrations = []struct{ table, column, ddl string }{
	{"projects", "created_by", `ALTER TABLE projects ADD COLUMN created_by TEXT NOT NULL DEFAULT ''`},
}

// OpenStore opens (creating if needed) the database at path and its schema. Writes are
// durable when they return (journal in WAL mode, synchronous=FULL).
func OpenStore(ctx context.Context, path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the schema in %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("updating the schema in %s: %w", path, err)
	}
	return &Store{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	for _, m := range migrations {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, m.table, m.column).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := db.ExecContext(ctx, m.ddl); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

const timeLayout = time.RFC3339

func (s *Store) CreateArticle(ctx context.Context, title, content, user string) (*Article, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO articles (title, content, user, created_at) VALUES (?, ?, ?, ?)`,
		title, content, user, now.Format(timeLayout))
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &Article{ID: id, Title: title, Content: content, User: user, CreatedAt: now}, nil
}

func (s *Store) Article(ctx context.Context, id int64) (*Article, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, title, content, user, published, created_at, updated_at FROM articles WHERE id = ?`, id)
	return scanArticle(row)
}

func (s *Store) ArticlesOf(ctx context.Context, user string) ([]*Article, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, content, user, published, created_at, updated_at FROM articles WHERE user = ? ORDER BY id DESC`, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateArticle changes the given fields (nil leaves a field as it is).
func (s *Store) UpdateArticle(ctx context.Context, id int64, title, content *string) (*Article, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE articles SET title = COALESCE(?, title), content = COALESCE(?, content), updated_at = ? WHERE id = ?`,
		title, content, now.Format(timeLayout), id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errNotFound
	}
	return s.Article(ctx, id)
}

// errAlreadyPublished is returned by PublishArticle for a published article.
var errAlreadyPublished = errors.New("already published")

func (s *Store) PublishArticle(ctx context.Context, id int64) (*Article, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE articles SET published = 1, updated_at = ? WHERE id = ? AND published = 0`, now.Format(timeLayout), id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Article(ctx, id); err != nil {
			return nil, err
		}
		return nil, errAlreadyPublished
	}
	return s.Article(ctx, id)
}

func (s *Store) DeleteArticle(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}

func (s *Store) CreateComment(ctx context.Context, articleID int64, text, createdBy string) (*Comment, error) {
	if _, err := s.Article(ctx, articleID); err != nil {
		return nil, err
	}
	now := s.now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO comments (article_id, text, created_by, created_at) VALUES (?, ?, ?, ?)`,
		articleID, text, createdBy, now.Format(timeLayout))
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &Comment{ID: id, ArticleID: articleID, Text: text, CreatedBy: createdBy, CreatedAt: now}, nil
}

func (s *Store) Comment(ctx context.Context, id int64) (*Comment, error) {
	var c Comment
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, article_id, text, created_by, created_at FROM comments WHERE id = ?`, id).
		Scan(&c.ID, &c.ArticleID, &c.Text, &c.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	c.CreatedAt, err = time.Parse(timeLayout, created)
	return &c, err
}

func (s *Store) UpdateComment(ctx context.Context, id int64, text string) (*Comment, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE comments SET text = ? WHERE id = ?`, text, id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errNotFound
	}
	return s.Comment(ctx, id)
}

func (s *Store) DeleteComment(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}

func (s *Store) CreateProject(ctx context.Context, name, ownerEmail, createdBy string) (*Project, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO projects (name, owner_email, created_by, created_at) VALUES (?, ?, ?, ?)`,
		name, ownerEmail, createdBy, now.Format(timeLayout))
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &Project{ID: id, Name: name, OwnerEmail: ownerEmail, CreatedBy: createdBy, CreatedAt: now}, nil
}

func (s *Store) Project(ctx context.Context, id int64) (*Project, error) {
	var p Project
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, owner_email, created_by, created_at FROM projects WHERE id = ?`, id).
		Scan(&p.ID, &p.Name, &p.OwnerEmail, &p.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	p.CreatedAt, err = time.Parse(timeLayout, created)
	return &p, err
}

func (s *Store) CreateResource(ctx context.Context, name, createdBy string) (*Resource, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO resources (name, created_by, created_at) VALUES (?, ?, ?)`, name, createdBy, now.Format(timeLayout))
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &Resource{ID: id, Name: name, CreatedBy: createdBy, CreatedAt: now}, nil
}

func (s *Store) Resource(ctx context.Context, id int64) (*Resource, error) {
	var r Resource
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_by, created_at FROM resources WHERE id = ?`, id).
		Scan(&r.ID, &r.Name, &r.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	r.CreatedAt, err = time.Parse(timeLayout, created)
	return &r, err
}

// DeleteUserData deletes, in one transaction, everything the subject sub owns or
// created: its articles (and every comment on them), its comments on other articles,
// the projects it created and its resources. It returns errNotFound when there was
// nothing.
func (s *Store) DeleteUserData(ctx context.Context, sub string) (Removed, error) {
	var r Removed
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return r, err
	}
	defer tx.Rollback()
	steps := []struct {
		n    *int64
		stmt string
		args []any
	}{
		{&r.Comments, `DELETE FROM comments WHERE created_by = ? OR article_id IN (SELECT id FROM articles WHERE user = ?)`, []any{sub, sub}},
		{&r.Articles, `DELETE FROM articles WHERE user = ?`, []any{sub}},
		{&r.Projects, `DELETE FROM projects WHERE created_by = ?`, []any{sub}},
		{&r.Resources, `DELETE FROM resources WHERE created_by = ?`, []any{sub}},
	}
	for _, st := range steps {
		res, err := tx.ExecContext(ctx, st.stmt, st.args...)
		if err != nil {
			return Removed{}, err
		}
		if *st.n, err = res.RowsAffected(); err != nil {
			return Removed{}, err
		}
	}
	if r.Total() == 0 {
		return r, errNotFound
	}
	return r, tx.Commit()
}

type scanner interface{ Scan(dest ...any) error }

func scanArticle(row scanner) (*Article, error) {
	var a Article
	var created string
	var updated sql.NullString
	err := row.Scan(&a.ID, &a.Title, &a.Content, &a.User, &a.Published, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if a.CreatedAt, err = time.Parse(timeLayout, created); err != nil {
		return nil, err
	}
	if updated.Valid {
		t, err := time.Parse(timeLayout, updated.String)
		if err != nil {
			return nil, err
		}
		a.UpdatedAt = &t
	}
	return &a, nil
}
