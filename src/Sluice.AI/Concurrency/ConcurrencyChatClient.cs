using System.Runtime.CompilerServices;
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
    /// <param name="ledger">Counts attempts; may be <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    public ConcurrencyChatClient(IChatClient inner, ConcurrencyLimit limit, UsageLedger? ledger = null, TimeProvider? timeProvider = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(limit);
        _slot = new ConcurrencySlot(limit, ledger, timeProvider ?? TimeProvider.System, "chat");
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long started = await _slot.EnterAsync(cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _slot.Failed(started, ex, cancellationToken);
            throw;
        }

        _slot.Succeeded(started, response.Usage?.OutputTokenCount);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long started = await _slot.EnterAsync(cancellationToken).ConfigureAwait(false);
        long? output = null;
        bool settled = false;
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        try
        {
            try
            {
                stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex)
            {
                settled = true;
                _slot.Failed(started, ex, cancellationToken);
                throw;
            }

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
                    settled = true;
                    _slot.Failed(started, ex, cancellationToken);
                    throw;
                }

                foreach (var usage in stream.Current.Contents.OfType<UsageContent>())
                {
                    output = usage.Details.OutputTokenCount;
                }

                yield return stream.Current;
            }

            settled = true;
            _slot.Succeeded(started, output);
        }
        finally
        {
            try
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                if (!settled)
                {
                    // The consumer stopped early: the slot is free again, but the attempt says nothing about capacity.
                    _slot.Failed(started, new OperationCanceledException(), new CancellationToken(true));
                }
            }
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(_slot.Limit) ? _slot.Limit : base.GetService(serviceType, serviceKey);
}
