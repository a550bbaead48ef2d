using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>
/// The one streaming loop of the chat layers. A layer says what it does with each update and how the stream ended;
/// <see cref="WatchAsync"/> guarantees that exactly one of <see cref="OnCompleted"/>, <see cref="OnFailure"/> and
/// <see cref="OnAbandoned"/> is called for each stream, whether it fails while starting, fails mid-way, ends, or
/// the consumer stops early.
/// </summary>
internal abstract class StreamWatcher
{
    /// <summary>Sees an update before it is handed on.</summary>
    public virtual void OnUpdate(ChatResponseUpdate update)
    {
    }

    /// <summary>The stream ended normally.</summary>
    public virtual void OnCompleted()
    {
    }

    /// <summary>Starting or continuing the stream failed; returns the exception to raise (<paramref name="error"/>
    /// itself, which is rethrown unchanged, or one that replaces it).</summary>
    public virtual Exception OnFailure(Exception error) => error;

    /// <summary>The consumer stopped reading before the stream ended.</summary>
    public virtual void OnAbandoned()
    {
    }

    /// <summary>Runs <paramref name="source"/> under <paramref name="watcher"/>.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> WatchAsync(
        Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> source, StreamWatcher watcher,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool settled = false;
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        try
        {
            while (true)
            {
                try
                {
                    stream ??= source(cancellationToken).GetAsyncEnumerator(cancellationToken);
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    watcher.OnUpdate(stream.Current);
                }
                catch (Exception ex)
                {
                    settled = true;
                    Exception raised = watcher.OnFailure(ex);
                    if (ReferenceEquals(raised, ex))
                    {
                        throw;
                    }

                    throw raised;
                }

                yield return stream.Current;
            }

            settled = true;
            watcher.OnCompleted();
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
                    watcher.OnAbandoned();
                }
            }
        }
    }
}
