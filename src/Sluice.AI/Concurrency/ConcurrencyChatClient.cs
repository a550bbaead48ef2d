using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>
/// Holds a slot of a <see cref="ConcurrencyLimit"/> for exactly the duration of each attempt, and tells the limit
/// how the attempt went (latency, output tokens, overload) so that an <see cref="AdaptiveConcurrencyLimit"/> learns.
/// </summary>
public sealed class ConcurrencyChatClient : DelegatingChatClient
{
    private readonly ConcurrencySlot _slot;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="limit">The limit, usually a <see cref="ProviderLane"/>'s.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public ConcurrencyChatClient(IChatClient inner, ConcurrencyLimit limit, TimeProvider? timeProvider = null)
        : this(inner, limit, null, timeProvider)
    {
    }

    internal ConcurrencyChatClient(IChatClient inner, ConcurrencyLimit limit, UsageLedger? ledger, TimeProvider? timeProvider)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(limit);
        _slot = new ConcurrencySlot(limit, ledger, timeProvider ?? TimeProvider.System, "chat");
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long started = await _slot.EnterAsync(cancellationToken).ConfigureAwait(false);
        var wait = SlotWait.Open();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _slot.Failed(started, wait, ex, cancellationToken);
            throw;
        }

        _slot.Succeeded(started, wait, response.Usage?.OutputTokenCount);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long started = await _slot.EnterAsync(cancellationToken).ConfigureAwait(false);
        var watcher = new Watcher(_slot, started, SlotWait.Open(), cancellationToken);
        await foreach (var update in StreamWatcher.WatchAsync(ct => base.GetStreamingResponseAsync(messages, options, ct), watcher, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(_slot.Limit) ? _slot.Limit : base.GetService(serviceType, serviceKey);

    private sealed class Watcher(ConcurrencySlot slot, long started, SlotWait wait, CancellationToken callerToken) : StreamWatcher
    {
        private long? _output;

        public override void OnUpdate(ChatResponseUpdate update)
        {
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                _output = usage.Details.OutputTokenCount;
            }
        }

        public override void OnCompleted() => slot.Succeeded(started, wait, _output);

        public override Exception OnFailure(Exception error)
        {
            slot.Failed(started, wait, error, callerToken);
            return error;
        }

        public override void OnAbandoned() => slot.Abandoned(started, wait);
    }
}
