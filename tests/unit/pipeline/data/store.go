// Package kv is an in-memory key-value store with expiry, generics and snapshots.
package kv

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"sync"
	"time"
)

var ErrNotFound = errors.New("kv: key not found")

type item[V any] struct {
	Value   V         `json:"value"`
	Expires time.Time `json:"expires,omitempty"`
}

// Store maps string keys to values of type V.
type Store[V any] struct {
	mu    sync.RWMutex
	items map[string]item[V]
	now   func() time.Time
}

type Option[V any] func(*Store[V])

func WithClock[V any](now func() time.Time) Option[V] {
	return func(s *Store[V]) { s.now = now }
}

func NewStore[V any](options ...Option[V]) *Store[V] {
	s := &Store[V]{items: map[string]item[V]{}, now: time.Now}
	for _, option := range options {
		option(s)
	}
	return s
}

func (s *Store[V]) Set(key string, value V, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item[V]{Value: value}
	if ttl > 0 {
		it.Expires = s.now().Add(ttl)
	}
	s.items[key] = it
}

func (s *Store[V]) Get(key string) (V, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	if !ok || s.expired(it) {
		var zero V
		return zero, ErrNotFound
	}
	return it.Value, nil
}

func (s *Store[V]) expired(it item[V]) bool {
	return !it.Expires.IsZero() && s.now().After(it.Expires)
}

func (s *Store[V]) Delete(keys ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	removed := 0
	for _, key := range keys {
		if _, ok := s.items[key]; ok {
			delete(s.items, key)
			removed++
		}
	}
	return removed
}

func (s *Store[V]) Keys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, 0, len(s.items))
	for key, it := range s.items {
		if !s.expired(it) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

func (s *Store[V]) Snapshot(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return json.NewEncoder(w).Encode(s.items)
}

func (s *Store[V]) Restore(r io.Reader) error {
	var items map[string]item[V]
	if err := json.NewDecoder(r).Decode(&items); err != nil {
		return err
	}
	s.mu.Lock()
	s.items = items
	s.mu.Unlock()
	return nil
}
