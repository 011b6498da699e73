// Package stream runs values through concurrent stages with generics and context cancellation.
package stream

import (
	"context"
	"errors"
	"sync"
)

// Number is any integer or float type.
type Number interface {
	~int | ~int32 | ~int64 | ~float32 | ~float64
}

// Stage turns one value into another or fails.
type Stage[In, Out any] func(ctx context.Context, value In) (Out, error)

// Sink receives the results of a pipeline.
type Sink[T any] interface {
	Put(value T) error
	Close() error
}

// Counter counts what it is given.
type Counter int

// Add increases the count by n.
func (c *Counter) Add(n int) { *c += Counter(n) }

// SliceSink collects values in memory.
type SliceSink[T any] struct {
	mu     sync.Mutex
	Values []T
	closed bool
}

// Put appends a value unless the sink is closed.
func (s *SliceSink[T]) Put(value T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("stream: sink closed")
	}
	s.Values = append(s.Values, value)
	return nil
}

// Close stops the sink accepting values.
func (s *SliceSink[T]) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// Map runs stage over the inputs with the given number of workers and sends results to sink.
func Map[In, Out any](ctx context.Context, inputs []In, workers int, stage Stage[In, Out], sink Sink[Out]) error {
	if workers < 1 {
		workers = 1
	}
	jobs := make(chan In)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for value := range jobs {
				out, err := stage(ctx, value)
				if err == nil {
					err = sink.Put(out)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, value := range inputs {
			select {
			case jobs <- value:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// Sum adds numbers of any numeric type.
func Sum[T Number](values ...T) T {
	var total T
	for _, v := range values {
		total += v
	}
	return total
}

// Chain composes two stages.
func Chain[A, B, C any](first Stage[A, B], second Stage[B, C]) Stage[A, C] {
	return func(ctx context.Context, value A) (C, error) {
		middle, err := first(ctx, value)
		if err != nil {
			var zero C
			return zero, err
		}
		return second(ctx, middle)
	}
}
