using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;

namespace Sluice.AI;

/// <summary>Retries transient failures of the layers inside it through a Polly pipeline (see <see cref="SluiceRetryResiliencePipelineBuilderExtensions"/>).
/// A streaming call is retried only until its first update has been handed out.</summary>
public sealed class RetryChatClient(IChatClient inner, ResiliencePipeline pipeline) : DelegatingChatClient(inner)
{
    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        return pipeline.ExecuteAsync(
            static (state, ct) => new ValueTask<ChatResponse>(state.Client.InnerClient.GetResponseAsync(state.List, state.Options, ct)),
            (Client: this, List: list, Options: options),
            cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (stream, first) = await pipeline.ExecuteAsync(
            static async (state, ct) =>
            {
                var enumerator = state.Client.InnerClient.GetStreamingResponseAsync(state.List, state.Options, ct).GetAsyncEnumerator(ct);
                try
                {
                    bool any = await enumerator.MoveNextAsync().ConfigureAwait(false);
                    return (enumerator, any ? enumerator.Current : null);
                }
                catch
                {
                    await enumerator.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            },
            (Client: this, List: list, Options: options),
            cancellationToken).ConfigureAwait(false);

        await using (stream.ConfigureAwait(false))
        {
            if (first is null)
            {
                yield break;
            }

            yield return first;
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                yield return stream.Current;
            }
        }
    }
}
