using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;
using Sluice.BatchFiles;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// An eval run's counts, as <see cref="RunTimeline"/> samples them (<see cref="BatchRunSnapshot"/>): the one place
/// that maps an evaluation onto the timeline's fields. An item is an outcome, one (case, evaluator) pair:
/// <c>total</c> is cases × evaluators run, <c>resumed</c> the outcomes an earlier session journalled, <c>succeeded</c>
/// and <c>failed</c> this session's valid and invalid outcomes (<c>done</c> adds the resumed ones), <c>in_flight</c>
/// the evaluations under way and <c>concurrency_limit</c> the workers; <c>retries</c>, <c>rate_limited</c> and the
/// tokens are the chat model's (its <see cref="UsageLedger"/>, since the session started; 0 without one).
/// <c>cache_hits</c> is 0 and <c>cost_usd</c> null: an eval has no response cache and no price table.
/// </summary>
internal sealed class EvalProgress
{
    private readonly int _workers;
    private readonly UsageLedger? _ledger;
    private readonly (long Retries, long RateLimited, long Input, long Output) _ledgerAtStart;
    private readonly TimeProvider _time;
    private readonly long _started;
    private long _valid;
    private long _invalid;
    private long _inFlight;

    public EvalProgress(long total, long resumed, int workers, UsageLedger? ledger, TimeProvider time)
    {
        Total = total;
        Resumed = resumed;
        _workers = workers;
        _ledger = ledger;
        _ledgerAtStart = ledger is null ? default : (ledger.Retries, ledger.RateLimited, ledger.InputTokens, ledger.OutputTokens);
        _time = time;
        _started = time.GetTimestamp();
    }

    public long Total { get; }

    public long Resumed { get; }

    /// <summary>Counts an outcome journalled by this session.</summary>
    public void Journalled(EvalRecord record) => Interlocked.Increment(ref record.InvalidResult ? ref _invalid : ref _valid);

    /// <summary>Wraps an evaluator so its evaluations under way are counted.</summary>
    public IEvaluator Counting(IEvaluator inner) => new CountingEvaluator(inner, this);

    public BatchRunSnapshot Snapshot()
    {
        long valid = Interlocked.Read(ref _valid), invalid = Interlocked.Read(ref _invalid);
        return new BatchRunSnapshot
        {
            Total = Total,
            Resumed = Resumed,
            Done = Resumed + valid + invalid,
            Succeeded = valid,
            Failed = invalid,
            InFlight = Interlocked.Read(ref _inFlight),
            ConcurrencyLimit = _workers,
            Retries = _ledger is null ? 0 : _ledger.Retries - _ledgerAtStart.Retries,
            RateLimited = _ledger is null ? 0 : _ledger.RateLimited - _ledgerAtStart.RateLimited,
            InputTokens = _ledger is null ? 0 : _ledger.InputTokens - _ledgerAtStart.Input,
            OutputTokens = _ledger is null ? 0 : _ledger.OutputTokens - _ledgerAtStart.Output,
            Cost = null,
            Elapsed = _time.GetElapsedTime(_started),
        };
    }

    private sealed class CountingEvaluator(IEvaluator inner, EvalProgress progress) : IEvaluator
    {
        public IReadOnlyCollection<string> EvaluationMetricNames => inner.EvaluationMetricNames;

        public async ValueTask<EvaluationResult> EvaluateAsync(
            IEnumerable<ChatMessage> messages,
            ChatResponse modelResponse,
            ChatConfiguration? chatConfiguration = null,
            IEnumerable<EvaluationContext>? additionalContext = null,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref progress._inFlight);
            try
            {
                return await inner.EvaluateAsync(messages, modelResponse, chatConfiguration, additionalContext, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref progress._inFlight);
            }
        }
    }
}

/// <summary>Counts the latency of each chat-model call (a judge's or an answer's), as the job sees it: from the call
/// to its response, the client's waits for a slot or budget and its retries included. Not disposed by the job: the
/// inner client is the caller's.</summary>
internal sealed class TimedChatClient(IChatClient inner, LatencyHistogram latency, TimeProvider time) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long started = time.GetTimestamp();
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        latency.Record(time.GetElapsedTime(started));
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long started = time.GetTimestamp();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }

        latency.Record(time.GetElapsedTime(started));
    }
}
