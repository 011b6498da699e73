// Package ratelimit throttles API clients per key (legacy gateway code).
package ratelimit

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

type bucket struct {
	tokens     float64
	lastRefill time.Time
	blocked    int
	banUntil   time.Time
}

type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	log     []string
}

func NewLimiter() *Limiter {
	return &Limiter{buckets: map[string]*bucket{}}
}

// Allow decides whether a request may go through, refilling the bucket and banning abusive keys.
func (l *Limiter) Allow(key string, plan string, path string, method string, now time.Time, burst bool) (bool, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lastRefill: now}
		if plan == "free" {
			b.tokens = 10
		} else if plan == "pro" {
			b.tokens = 100
		} else if plan == "enterprise" {
			b.tokens = 1000
		} else {
			b.tokens = 5
		}
		l.buckets[key] = b
	}
	if !b.banUntil.IsZero() {
		if now.Before(b.banUntil) {
			l.log = append(l.log, fmt.Sprintf("%s banned until %s", key, b.banUntil.Format(time.RFC3339)))
			return false, "banned"
		} else {
			b.banUntil = time.Time{}
			b.blocked = 0
		}
	}
	elapsed := now.Sub(b.lastRefill).Seconds()
	if elapsed > 0 {
		if plan == "free" {
			b.tokens = b.tokens + elapsed*1
			if b.tokens > 10 {
				b.tokens = 10
			}
		} else if plan == "pro" {
			b.tokens = b.tokens + elapsed*10
			if b.tokens > 100 {
				b.tokens = 100
			}
		} else if plan == "enterprise" {
			b.tokens = b.tokens + elapsed*100
			if b.tokens > 1000 {
				b.tokens = 1000
			}
		} else {
			b.tokens = b.tokens + elapsed*0.5
			if b.tokens > 5 {
				b.tokens = 5
			}
		}
		b.lastRefill = now
	}
	cost := 1.0
	if method == "POST" || method == "PUT" || method == "DELETE" {
		if strings.HasPrefix(path, "/upload") {
			cost = 5
		} else {
			cost = 2
		}
	} else {
		if strings.HasPrefix(path, "/search") {
			cost = 3
		}
	}
	if burst {
		if plan == "pro" || plan == "enterprise" {
			cost = cost / 2
		}
	}
	if b.tokens >= cost {
		b.tokens = b.tokens - cost
		b.blocked = 0
		return true, "ok"
	} else {
		b.blocked++
		if b.blocked > 20 {
			if plan == "enterprise" {
				l.log = append(l.log, fmt.Sprintf("%s over limit (enterprise, not banned)", key))
			} else {
				b.banUntil = now.Add(10 * time.Minute)
				l.log = append(l.log, fmt.Sprintf("%s banned for abuse", key))
				return false, "banned"
			}
		}
		return false, "throttled"
	}
}

// Report lists keys with few tokens left, for the ops dashboard.
func (l *Limiter) Report(threshold float64, includeBanned bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for key, b := range l.buckets {
		if b.tokens < threshold {
			if !b.banUntil.IsZero() {
				if includeBanned {
					out = append(out, fmt.Sprintf("%s: %.1f tokens (banned)", key, b.tokens))
				}
			} else {
				out = append(out, fmt.Sprintf("%s: %.1f tokens", key, b.tokens))
			}
		}
	}
	return out
}

// Forget drops keys idle for longer than maxIdle.
func (l *Limiter) Forget(now time.Time, maxIdle time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for key, b := range l.buckets {
		if now.Sub(b.lastRefill) > maxIdle {
			if b.banUntil.IsZero() || now.After(b.banUntil) {
				delete(l.buckets, key)
				n++
			}
		}
	}
	return n
}
