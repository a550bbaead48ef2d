using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>
/// The innermost layer: cancels an attempt that runs longer than its timeout and reports it as an
/// <see cref="AttemptTimeoutException"/> (transient, and overload for the adaptive limit). It sits inside the budget
/// and concurrency layers, so time spent waiting for them never counts against the attempt.
/// </summary>
public sealed class AttemptTimeoutChatClient(IChatClient inner, TimeSpan timeout, TimeProvider? timeProvider = null) : DelegatingChatClient(inner)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var deadline = new AttemptDeadline(timeout, _time, cancellationToken);
        try
        {
            return await base.GetResponseAsync(messages, options, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.Expired(ex))
        {
            throw deadline.ToTimeout();
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var deadline = new AttemptDeadline(timeout, _time, cancellationToken);
        var stream = base.GetStreamingResponseAsync(messages, options, deadline.Token).GetAsyncEnumerator(deadline.Token);
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
                catch (Exception ex) when (deadline.Expired(ex))
                {
                    throw deadline.ToTimeout();
                }

                yield return stream.Current;
            }
        }
    }
}
