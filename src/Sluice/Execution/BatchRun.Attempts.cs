using System.Threading.RateLimiting;

namespace Sluice.Execution;

/// <summary>
/// The item path used when a rate limiter or a resilience pipeline is configured: each attempt acquires a rate
/// permit and then a concurrency slot, and gives the slot back before any retry delay.
/// </summary>
internal sealed partial class BatchRun<TIn, TOut>
{
    private sealed class AttemptState(BatchRun<TIn, TOut> run, TIn item)
    {
        public BatchRun<TIn, TOut> Run { get; } = run;

        public TIn Item { get; } = item;

        public int Count { get; set; }
    }

    private async Task RunWithPolicyAsync(long index, TIn item)
    {
        long started = _time.GetTimestamp();
        var state = new AttemptState(this, item);
        TOut? value = default;
        Exception? error = null;
        try
        {
            value = _options.ItemResilience is { } pipeline
                ? await pipeline.ExecuteAsync(
                    static (s, ct) => s.Run.RunAttemptAsync(s, ct), state, _token).ConfigureAwait(false)
                : await RunAttemptAsync(state, _token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Finish(index, item, value, error, Math.Max(1, state.Count), started, heldSlot: false);
    }

    private async ValueTask<TOut> RunAttemptAsync(AttemptState state, CancellationToken cancellationToken)
    {
        state.Count++;
        RateLimitLease? lease = null;
        try
        {
            if (_options.RateLimiter is { } limiter)
            {
                lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                if (!lease.IsAcquired)
                {
                    TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : null;
                    throw new RateLimitRejectedException(retryAfter);
                }
            }

            await _limit.AcquireAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _running++;
            }

            SluiceDiagnostics.ItemsInFlight.Add(1);
            long started = _time.GetTimestamp();
            bool succeeded = false;
            try
            {
                TOut value = await _work(state.Item, cancellationToken).ConfigureAwait(false);
                succeeded = true;
                return value;
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                }

                SluiceDiagnostics.ItemsInFlight.Add(-1);
                _limit.Release(new ConcurrencyFeedback(_time.GetElapsedTime(started), succeeded));
            }
        }
        finally
        {
            lease?.Dispose();
        }
    }
}
