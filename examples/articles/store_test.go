package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := OpenStore(ctx, path)
	require.NoError(t, err)

	a, err := s.CreateArticle(ctx, "Tïtle", "body", "alice")
	require.NoError(t, err)
	b, err := s.CreateArticle(ctx, "other", "x", "bob")
	require.NoError(t, err)

	got, err := s.Article(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "Tïtle", got.Title)
	assert.Equal(t, "alice", got.User)
	assert.False(t, got.Published)
	assert.Nil(t, got.UpdatedAt)

	list, err := s.ArticlesOf(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, a.ID, list[0].ID)

	title := "new"
	upd, err := s.UpdateArticle(ctx, a.ID, &title, nil)
	require.NoError(t, err)
	assert.Equal(t, "new", upd.Title)
	assert.Equal(t, "body", upd.Content, "a partial update keeps other fields")
	assert.NotNil(t, upd.UpdatedAt)

	pub, err := s.PublishArticle(ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, pub.Published)
	_, err = s.PublishArticle(ctx, a.ID)
	assert.ErrorIs(t, err, errAlreadyPublished)
	_, err = s.PublishArticle(ctx, 999)
	assert.ErrorIs(t, err, errNotFound)

	c, err := s.CreateComment(ctx, b.ID, "nice", "alice")
	require.NoError(t, err)
	_, err = s.CreateComment(ctx, 999, "x", "alice")
	assert.ErrorIs(t, err, errNotFound)
	c2, err := s.UpdateComment(ctx, c.ID, "nicer")
	require.NoError(t, err)
	assert.Equal(t, "nicer", c2.Text)

	// Deleting an article deletes its comments.
	require.NoError(t, s.DeleteArticle(ctx, b.ID))
	_, err = s.Comment(ctx, c.ID)
	assert.ErrorIs(t, err, errNotFound)
	assert.ErrorIs(t, s.DeleteArticle(ctx, b.ID), errNotFound)
	assert.ErrorIs(t, s.DeleteComment(ctx, c.ID), errNotFound)

	p, err := s.CreateProject(ctx, "proj", "alice@example.com", "alice")
	require.NoError(t, err)
	gp, err := s.Project(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", gp.OwnerEmail)
	assert.Equal(t, "alice", gp.CreatedBy)

	r, err := s.CreateResource(ctx, "printer", "alice")
	require.NoError(t, err)
	gr, err := s.Resource(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, Resource{ID: r.ID, Name: "printer", CreatedBy: "alice", CreatedAt: r.CreatedAt}, *gr)
	_, err = s.Resource(ctx, 999)
	assert.ErrorIs(t, err, errNotFound)
	require.NoError(t, s.Close())

	// Committed data survives a reopen.
	s, err = OpenStore(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err = s.Article(ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, got.Published)
}

// TestDeleteUserData deletes one subject's rows of every kind and nobody else's.
func TestDeleteUserData(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(ctx, filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	defer s.Close()

	aliceArt, err := s.CreateArticle(ctx, "a", "x", "alice")
	require.NoError(t, err)
	bobArt, err := s.CreateArticle(ctx, "b", "x", "bob")
	require.NoError(t, err)
	onAlice, err := s.CreateComment(ctx, aliceArt.ID, "bob on alice", "bob")
	require.NoError(t, err)
	aliceOnBob, err := s.CreateComment(ctx, bobArt.ID, "alice on bob", "alice")
	require.NoError(t, err)
	bobOnBob, err := s.CreateComment(ctx, bobArt.ID, "bob on bob", "bob")
	require.NoError(t, err)
	aliceProj, err := s.CreateProject(ctx, "p", "alice@example.com", "alice")
	require.NoError(t, err)
	bobProj, err := s.CreateProject(ctx, "q", "bob@example.com", "bob")
	require.NoError(t, err)
	aliceRes, err := s.CreateResource(ctx, "r", "alice")
	require.NoError(t, err)
	bobRes, err := s.CreateResource(ctx, "s", "bob")
	require.NoError(t, err)

	removed, err := s.DeleteUserData(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, Removed{Articles: 1, Comments: 2, Projects: 1, Resources: 1}, removed,
		"alice's article with bob's comment on it, alice's comment on bob's article")

	gone := []error{}
	_, err = s.Article(ctx, aliceArt.ID)
	gone = append(gone, err)
	_, err = s.Comment(ctx, onAlice.ID)
	gone = append(gone, err)
	_, err = s.Comment(ctx, aliceOnBob.ID)
	gone = append(gone, err)
	_, err = s.Project(ctx, aliceProj.ID)
	gone = append(gone, err)
	_, err = s.Resource(ctx, aliceRes.ID)
	gone = append(gone, err)
	for i, err := range gone {
		assert.ErrorIs(t, err, errNotFound, "row %d", i)
	}
	_, err = s.Article(ctx, bobArt.ID)
	assert.NoError(t, err)
	_, err = s.Comment(ctx, bobOnBob.ID)
	assert.NoError(t, err)
	_, err = s.Project(ctx, bobProj.ID)
	assert.NoError(t, err)
	_, err = s.Resource(ctx, bobRes.ID)
	assert.NoError(t, err)

	removed, err = s.DeleteUserData(ctx, "alice")
	assert.ErrorIs(t, err, errNotFound, "nothing left")
	assert.Zero(t, removed.Total())
}

// TestOpenStoreMigratesOlderDatabases opens a database whose projects table predates
// the created_by column.
func TestOpenStoreMigratesOlderDatabases(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE projects (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, owner_email TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO projects (name, owner_email, created_at) VALUES ('old', 'a@example.com', '2024-01-02T03:04:05Z');`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := OpenStore(ctx, path)
	require.NoError(t, err)
	p, err := s.Project(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "old", p.Name)
	assert.Equal(t, "", p.CreatedBy, "unknown creator")
	require.NoError(t, s.Close())

	s, err = OpenStore(ctx, path) // the migration runs once
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreateProject(ctx, "new", "b@example.com", "bob")
	require.NoError(t, err)
}
