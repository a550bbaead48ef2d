using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The innermost embedding layer: cancels an attempt that runs longer than its timeout and reports it as an
/// <see cref="AttemptTimeoutException"/>.</summary>
public sealed class AttemptTimeoutEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="timeout">The longest one attempt may take; positive.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public AttemptTimeoutEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, TimeSpan timeout, TimeProvider? timeProvider = null)
        : base(inner)
    {
        new AttemptTimeoutOptions { Timeout = timeout }.Validate();
        _timeout = timeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var deadline = new AttemptDeadline(_timeout, _time, cancellationToken);
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
