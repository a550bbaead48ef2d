using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The outermost layer: counts calls and the tokens the provider reported into a <see cref="UsageLedger"/>
/// (and the <c>Sluice</c> meter).</summary>
public sealed class UsageChatClient : DelegatingChatClient
{
    private readonly UsageLedger _ledger;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="ledger">Receives the counts.</param>
    public UsageChatClient(IChatClient inner, UsageLedger ledger)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            AiMetrics.Tokens(_ledger, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
            _ledger.CountCall(true);
            return response;
        }
        catch
        {
            _ledger.CountCall(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamWatcher.WatchAsync(ct => base.GetStreamingResponseAsync(messages, options, ct), new Watcher(_ledger), cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(UsageLedger) ? _ledger : base.GetService(serviceType, serviceKey);

    private sealed class Watcher(UsageLedger ledger) : StreamWatcher
    {
        public override void OnUpdate(ChatResponseUpdate update)
        {
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                AiMetrics.Tokens(ledger, usage.Details.InputTokenCount, usage.Details.OutputTokenCount);
            }
        }

        public override void OnCompleted() => ledger.CountCall(true);

        public override Exception OnFailure(Exception error)
        {
            ledger.CountCall(false);
            return error;
        }

        public override void OnAbandoned() => ledger.CountCall(false);
    }
}
