using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The innermost embedding layer: cancels an attempt that runs longer than its timeout and reports it as an
/// <see cref="AttemptTimeoutException"/>.</summary>
public sealed class AttemptTimeoutEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, TimeSpan timeout, TimeProvider? timeProvider = null)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var deadline = new AttemptDeadline(timeout, _time, cancellationToken);
        try
        {
            return await base.GenerateAsync(values, options, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.Expired(ex))
        {
            throw deadline.ToTimeout();
        }
    }
}
