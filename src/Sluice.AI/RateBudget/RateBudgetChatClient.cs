using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>
/// Takes each attempt's estimated cost (one request, prompt plus expected output tokens) from a
/// <see cref="RateBudget"/> before sending it, settles the estimate with the reported usage afterwards, and pauses
/// the budget after a 429 until the provider's <c>Retry-After</c>.
/// </summary>
public sealed class RateBudgetChatClient : DelegatingChatClient
{
    private readonly BudgetAccount _account;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="budget">The budget, usually a <see cref="ProviderLane"/>'s.</param>
    /// <param name="estimator">Estimates costs and learns output lengths.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RateBudgetChatClient(IChatClient inner, RateBudget budget, TokenEstimator estimator, TimeProvider? timeProvider = null)
        : this(inner, budget, estimator, null, timeProvider, SluiceRetryOptions.DefaultMaxDelay)
    {
    }

    internal RateBudgetChatClient(IChatClient inner, RateBudget budget, TokenEstimator estimator, UsageLedger? ledger, TimeProvider? timeProvider, TimeSpan maxPause)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(estimator);
        _account = new BudgetAccount(budget, estimator, ledger, timeProvider ?? TimeProvider.System, maxPause);
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var estimate = _account.EstimateChat(list, options);
        await _account.DrawAsync(estimate, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _account.OnFailure(ex);
            throw;
        }

        _account.Settle(estimate, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, options?.MaxOutputTokens);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var estimate = _account.EstimateChat(list, options);
        await _account.DrawAsync(estimate, cancellationToken).ConfigureAwait(false);
        var watcher = new Watcher(_account, estimate, options?.MaxOutputTokens);
        await foreach (var update in StreamWatcher.WatchAsync(ct => base.GetStreamingResponseAsync(list, options, ct), watcher, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(_account.Budget) ? _account.Budget : base.GetService(serviceType, serviceKey);

    private sealed class Watcher(BudgetAccount account, TokenCost estimate, int? reservedOutput) : StreamWatcher
    {
        private UsageDetails? _usage;

        public override void OnUpdate(ChatResponseUpdate update)
        {
            foreach (var content in update.Contents.OfType<UsageContent>())
            {
                _usage = content.Details;
            }
        }

        public override void OnCompleted() => account.Settle(estimate, _usage?.InputTokenCount, _usage?.OutputTokenCount, reservedOutput);

        public override Exception OnFailure(Exception error)
        {
            account.OnFailure(error);
            return error;
        }
    }
}
