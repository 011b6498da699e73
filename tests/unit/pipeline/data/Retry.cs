using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience
{
    public sealed class RetryPolicy
    {
        private readonly int _maxAttempts;
        private readonly TimeSpan _baseDelay;
        private readonly Func<Exception, bool> _shouldRetry;
        private readonly Random _jitter = new Random(17);

        public RetryPolicy(int maxAttempts, TimeSpan baseDelay, Func<Exception, bool>? shouldRetry = null)
        {
            if (maxAttempts < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxAttempts), "at least one attempt");
            }
            _maxAttempts = maxAttempts;
            _baseDelay = baseDelay;
            _shouldRetry = shouldRetry ?? (_ => true);
        }

        public List<TimeSpan> Delays { get; } = new List<TimeSpan>();

        public TimeSpan DelayFor(int attempt)
        {
            var exponential = _baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
            var jitter = _jitter.NextDouble() * _baseDelay.TotalMilliseconds;
            return TimeSpan.FromMilliseconds(exponential + jitter);
        }

        public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken token = default)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await action(token).ConfigureAwait(false);
                }
                catch (Exception error) when (attempt < _maxAttempts && _shouldRetry(error))
                {
                    var delay = DelayFor(attempt);
                    Delays.Add(delay);
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
            }
        }

        public T Execute<T>(Func<T> action)
        {
            Exception? last = null;
            for (var attempt = 1; attempt <= _maxAttempts; attempt++)
            {
                try
                {
                    return action();
                }
                catch (Exception error) when (_shouldRetry(error))
                {
                    last = error;
                    Delays.Add(DelayFor(attempt));
                }
            }
            throw new RetryExhaustedException(_maxAttempts, last!);
        }
    }

    public class RetryExhaustedException : Exception
    {
        public RetryExhaustedException(int attempts, Exception inner)
            : base($"gave up after {attempts} attempts", inner)
        {
            Attempts = attempts;
        }

        public int Attempts { get; }
    }

    public static class CircuitBreakerExtensions
    {
        public static bool IsTransient(this Exception error)
        {
            return error is TimeoutException || error is OperationCanceledException;
        }

        public static RetryPolicy Transient(int attempts) =>
            new RetryPolicy(attempts, TimeSpan.FromMilliseconds(50), IsTransient);
    }
}
