// Package ratelimit implements token buckets keyed by client, with a sweeper for idle buckets.
package ratelimit

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrLimited is returned when a client has no tokens left.
var ErrLimited = errors.New("rate limited")

// Clock returns the current time; tests replace it.
type Clock func() time.Time

type bucket struct {
	tokens   float64
	updated  time.Time
	capacity float64
}

// Limiter hands out tokens per client at a fixed rate.
type Limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	clock   Clock
	buckets map[string]*bucket
}

// Stats summarises a limiter's state.
type Stats struct {
	Clients int
	Empty   int
}

// New makes a limiter that refills rate tokens per second up to burst.
func New(rate, burst float64, clock Clock) *Limiter {
	if clock == nil {
		clock = time.Now
	}
	return &Limiter{rate: rate, burst: burst, clock: clock, buckets: make(map[string]*bucket)}
}

func (b *bucket) refill(now time.Time, rate float64) {
	elapsed := now.Sub(b.updated).Seconds()
	if elapsed > 0 {
		b.tokens = minFloat(b.capacity, b.tokens+elapsed*rate)
		b.updated = now
	}
}

// Allow takes n tokens for the client or returns ErrLimited.
func (l *Limiter) Allow(client string, n float64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: l.burst, updated: now, capacity: l.burst}
		l.buckets[client] = b
	}
	b.refill(now, l.rate)
	if b.tokens < n {
		return fmt.Errorf("client %q: %w", client, ErrLimited)
	}
	b.tokens -= n
	return nil
}

// Sweep forgets clients idle for longer than maxIdle and says how many it forgot.
func (l *Limiter) Sweep(maxIdle time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	removed := 0
	for client, b := range l.buckets {
		if now.Sub(b.updated) > maxIdle {
			delete(l.buckets, client)
			removed++
		}
	}
	return removed
}

// Stats reports how many clients are tracked and how many are empty.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := Stats{Clients: len(l.buckets)}
	for _, b := range l.buckets {
		if b.tokens < 1 {
			s.Empty++
		}
	}
	return s
}

func (s Stats) String() string {
	return fmt.Sprintf("%d clients, %d empty", s.Clients, s.Empty)
}

func minFloat(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}
