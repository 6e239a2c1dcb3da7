package main

import (
	"context"
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

	p, err := s.CreateProject(ctx, "proj", "alice@example.com")
	require.NoError(t, err)
	gp, err := s.Project(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", gp.OwnerEmail)
	require.NoError(t, s.Close())

	// Committed data survives a reopen.
	s, err = OpenStore(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err = s.Article(ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, got.Published)
}
