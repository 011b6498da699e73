// Package ratelimit throttles API clients per key (legacy gateway code).
package ratelimit

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// bucket is the token bucket of one API key.
type bucket struct {
	tokens     float64
	lastRefill time.Time
	blocked    int
	banUntil   time.Time
}

// Limiter holds a token bucket for each API key.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	log     []string
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter {
	return &Limiter{buckets: map[string]*bucket{}}
}

// Allow decides whether a request may go through, refilling the bucket and banning abusive keys.
func (l *Limiter) Allow(key string, plan string, path string, method string, now time.Time, burst bool) (bool, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	bkt, found := l.buckets[key]
	if !found {
		bkt = &bucket{lastRefill: now}
		if plan == "free" {
			bkt.tokens = 10
		} else if plan == "pro" {
			bkt.tokens = 100
		} else if plan == "enterprise" {
			bkt.tokens = 1000
		} else {
			bkt.tokens = 5
		}
		l.buckets[key] = bkt
	}
	// Check whether the key is banned.
	if !bkt.banUntil.IsZero() {
		if now.Before(bkt.banUntil) {
			l.log = append(l.log, fmt.Sprintf("%s banned until %s", key, bkt.banUntil.Format(time.RFC3339)))
			return false, "banned"
		} else {
			bkt.banUntil = time.Time{}
			bkt.blocked = 0
		}
	}
	// Refill the bucket according to the plan.
	elapsed := now.Sub(bkt.lastRefill).Seconds()
	if elapsed > 0 {
		if plan == "free" {
			bkt.tokens = bkt.tokens + elapsed*1
			if bkt.tokens > 10 {
				bkt.tokens = 10
			}
		} else if plan == "pro" {
			bkt.tokens = bkt.tokens + elapsed*10
			if bkt.tokens > 100 {
				bkt.tokens = 100
			}
		} else if plan == "enterprise" {
			bkt.tokens = bkt.tokens + elapsed*100
			if bkt.tokens > 1000 {
				bkt.tokens = 1000
			}
		} else {
			bkt.tokens = bkt.tokens + elapsed*0.5
			if bkt.tokens > 5 {
				bkt.tokens = 5
			}
		}
		bkt.lastRefill = now
	}
	// Work out the requestCost of this request.
	requestCost := 1.0
	if method == "POST" || method == "PUT" || method == "DELETE" {
		if strings.HasPrefix(path, "/upload") {
			requestCost = 5
		} else {
			requestCost = 2
		}
	} else {
		if strings.HasPrefix(path, "/search") {
			requestCost = 3
		}
	}
	if burst {
		if plan == "pro" || plan == "enterprise" {
			requestCost = requestCost / 2
		}
	}
	// Spend tokens or count the block.
	if bkt.tokens >= requestCost {
		bkt.tokens = bkt.tokens - requestCost
		bkt.blocked = 0
		return true, "ok"
	} else {
		bkt.blocked++
		if bkt.blocked > 20 {
			if plan == "enterprise" {
				l.log = append(l.log, fmt.Sprintf("%s over limit (enterprise, not banned)", key))
			} else {
				bkt.banUntil = now.Add(10 * time.Minute)
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
	removed := 0
	for key, b := range l.buckets {
		if now.Sub(b.lastRefill) > maxIdle {
			if b.banUntil.IsZero() || now.After(b.banUntil) {
				delete(l.buckets, key)
				removed++
			}
		}
	}
	return removed
}
