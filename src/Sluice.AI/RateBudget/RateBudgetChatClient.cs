using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>
/// Takes each attempt's estimated cost (one request, prompt plus expected output tokens) from a
/// <see cref="RateBudget"/> before sending it, settles the estimate with the reported usage afterwards, and pauses
/// the budget after a 429 until the provider's <c>Retry-After</c>.
/// </summary>
public sealed class RateBudgetChatClient : DelegatingChatClient
{
    private readonly BudgetGate _gate;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="budget">The budget, usually a <see cref="ProviderLane"/>'s.</param>
    /// <param name="estimator">Estimates costs and learns output lengths.</param>
    /// <param name="ledger">Counts 429s; may be <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    public RateBudgetChatClient(IChatClient inner, RateBudget budget, TokenEstimator estimator, UsageLedger? ledger = null, TimeProvider? timeProvider = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(estimator);
        _gate = new BudgetGate(budget, estimator, ledger, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        int estimate = _gate.Estimator.EstimateChat(list, options);
        await _gate.AcquireAsync(estimate, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _gate.OnFailure(ex);
            throw;
        }

        _gate.Settle(estimate, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, options?.MaxOutputTokens);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        int estimate = _gate.Estimator.EstimateChat(list, options);
        await _gate.AcquireAsync(estimate, cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        var stream = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    _gate.OnFailure(ex);
                    throw;
                }

                foreach (var content in stream.Current.Contents.OfType<UsageContent>())
                {
                    usage = content.Details;
                }

                yield return stream.Current;
            }
        }

        _gate.Settle(estimate, usage?.InputTokenCount, usage?.OutputTokenCount, options?.MaxOutputTokens);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(RateBudget) ? _gate.Budget : base.GetService(serviceType, serviceKey);
}
