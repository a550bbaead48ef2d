using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>
/// The innermost layer: cancels an attempt that runs longer than its timeout and reports it as an
/// <see cref="AttemptTimeoutException"/> (transient: a fault, not overload, unless latency is rising). It sits inside the budget
/// and concurrency layers, so time spent waiting for them never counts against the attempt.
/// </summary>
public sealed class AttemptTimeoutChatClient : DelegatingChatClient
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="timeout">The longest one attempt may take; positive.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public AttemptTimeoutChatClient(IChatClient inner, TimeSpan timeout, TimeProvider? timeProvider = null)
        : base(inner)
    {
        new AttemptTimeoutOptions { Timeout = timeout }.Validate();
        _timeout = timeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var deadline = new AttemptDeadline(_timeout, _time, cancellationToken);
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
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var deadline = new AttemptDeadline(_timeout, _time, cancellationToken);
        await foreach (var update in StreamWatcher.WatchAsync(_ => base.GetStreamingResponseAsync(messages, options, deadline.Token), new Watcher(deadline), deadline.Token).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private sealed class Watcher(AttemptDeadline deadline) : StreamWatcher
    {
        public override Exception OnFailure(Exception error) => deadline.Expired(error) ? deadline.ToTimeout() : error;
    }
}
