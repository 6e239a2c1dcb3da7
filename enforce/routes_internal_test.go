package enforce

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParamIndex(t *testing.T) {
	for _, c := range []struct {
		template, name            string
		index, count, occurrences int
	}{
		{"/users/{id}", "id", 0, 1, 1},
		{"/a/{x}/b/{y}", "y", 1, 2, 1},
		{"/f/{name}.{ext}", "ext", 1, 2, 1},
		{"/{tenant}/users/{id}/profile", "id", 1, 2, 1},
		{"/{id}/users/{id}", "id", 0, 2, 2},
		{"/a/{x}", "y", -1, 1, 0},
		{"/a/{x", "x", -1, 0, 0},
	} {
		index, count, occurrences := paramIndex(c.template, c.name)
		assert.Equal(t, []int{c.index, c.count, c.occurrences}, []int{index, count, occurrences}, "%s %s", c.template, c.name)
	}
}

func TestTemplateParams(t *testing.T) {
	assert.Equal(t, []string{"user_id", "other_id"}, templateParams("/users/{user_id}/follows/{other_id}"))
	assert.Nil(t, templateParams("/users"))
}

func TestMovedParam(t *testing.T) {
	for _, c := range []struct {
		names, doc []string
		name       string
		at, want   int
		moved      bool
	}{
		{[]string{"id"}, []string{"user_id"}, "", 0, 0, false},
		{[]string{"a", "b"}, []string{"a", "b"}, "", 0, 0, false},
		{[]string{"follower", "user_id"}, []string{"user_id", "other_id"}, "user_id", 1, 0, true},
		{[]string{"a", "x", "id"}, []string{"a", "a", "id"}, "a", 0, 1, true},
		{[]string{"*"}, []string{"path"}, "", 0, 0, false},
		{nil, []string{"id"}, "", 0, 0, false},
	} {
		name, at, want, moved := movedParam(c.names, c.doc)
		assert.Equal(t, c.moved, moved, "%v %v", c.names, c.doc)
		assert.Equal(t, []any{c.name, c.at, c.want}, []any{name, at, want}, "%v %v", c.names, c.doc)
	}
}
