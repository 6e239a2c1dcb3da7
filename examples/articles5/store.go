package main

import (
	"sync"
	"time"
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

// store keeps the service's objects in memory, safe for concurrent requests. Its
// methods hand out copies, so that a handler never reads an object another request
// changes.
type store struct {
	mu        sync.Mutex
	next      int64
	articles  map[int64]Article
	comments  map[int64]Comment
	projects  map[int64]Project
	resources map[int64]Resource
}

func newStore() *store {
	return &store{articles: map[int64]Article{}, comments: map[int64]Comment{}, projects: map[int64]Project{},
		resources: map[int64]Resource{}}
}

// put stores v under a new id (set by assign) in m, and returns it.
func put[T any](s *store, m map[int64]T, v T, assign func(*T, int64)) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	assign(&v, s.next)
	m[s.next] = v
	return v
}

// get returns the object with id in m.
func get[T any](s *store, m map[int64]T, id int64) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := m[id]
	return v, ok
}

// update changes the object with id in m with change, and returns it.
func update[T any](s *store, m map[int64]T, id int64, change func(*T)) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := m[id]
	if ok {
		change(&v)
		m[id] = v
	}
	return v, ok
}

// articlesOf returns the articles of subject, oldest first.
func (s *store) articlesOf(subject string) []Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []Article{}
	for id := int64(1); id <= s.next; id++ {
		if a, ok := s.articles[id]; ok && a.User == subject {
			list = append(list, a)
		}
	}
	return list
}

// deleteArticle deletes an article and its comments.
func (s *store) deleteArticle(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.articles, id)
	for cid, c := range s.comments {
		if c.ArticleID == id {
			delete(s.comments, cid)
		}
	}
}

func (s *store) deleteComment(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.comments, id)
}

// deleteUserData deletes what subject owns or created, and reports how many objects.
func (s *store) deleteUserData(subject string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, a := range s.articles {
		if a.User == subject {
			delete(s.articles, id)
			n++
			for cid, c := range s.comments {
				if c.ArticleID == id {
					delete(s.comments, cid)
				}
			}
		}
	}
	n += deleteWhere(s.comments, func(c Comment) bool { return c.CreatedBy == subject })
	n += deleteWhere(s.projects, func(p Project) bool { return p.CreatedBy == subject })
	n += deleteWhere(s.resources, func(r Resource) bool { return r.CreatedBy == subject })
	return n
}

func deleteWhere[T any](m map[int64]T, match func(T) bool) int {
	n := 0
	for id, v := range m {
		if match(v) {
			delete(m, id)
			n++
		}
	}
	return n
}
