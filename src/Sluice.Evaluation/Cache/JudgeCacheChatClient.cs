using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Sluice.Evaluation;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> shaped for judges: the key adds to the
/// messages and options the judge's model (the options' <see cref="ChatOptions.ModelId"/>, else the client's default
/// model) and <see cref="JudgeRepetition.Current"/>, so that each repetition of a repeated evaluation is a real call,
/// cached on its own. A reply the provider returned is never lost to the cache: it is stored without the caller's
/// cancellation token, and a failed store is swallowed (a <see cref="SqliteDistributedCache"/> counts it).
/// </summary>
/// <remarks>Exceptions from the inner client are never cached. Streaming calls are cached too, under their own keys.</remarks>
public sealed class JudgeCacheChatClient : DistributedCachingChatClient
{
    private const string KeyVersion = "sluice-judge-cache/2";

    /// <summary>Wraps <paramref name="innerClient"/> with <paramref name="storage"/>.</summary>
    /// <param name="innerClient">The judge's client.</param>
    /// <param name="storage">Where replies are kept, for example a <see cref="SqliteDistributedCache"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public JudgeCacheChatClient(IChatClient innerClient, IDistributedCache storage)
        : base(innerClient, storage)
    {
        Storage = storage;
    }

    /// <summary>Gets where replies are kept.</summary>
    public IDistributedCache Storage { get; }

    /// <inheritdoc/>
    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues)
    {
        var model = options?.ModelId ?? InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        return base.GetCacheKey(
            messages, options, [.. additionalValues, KeyVersion, model, JudgeRepetition.Current.ToString(CultureInfo.InvariantCulture)]);
    }

    /// <inheritdoc/>
    protected override async Task WriteCacheAsync(string key, ChatResponse value, CancellationToken cancellationToken)
    {
        try
        {
            // The provider has answered (and been paid): neither the caller's cancellation nor a store failure
            // (a busy or full disk) may throw that answer away.
            await base.WriteCacheAsync(key, value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Counted by the store (SqliteDistributedCache.StoreFailures); the reply still goes to the caller.
        }
    }

    /// <inheritdoc/>
    protected override async Task WriteCacheStreamingAsync(string key, IReadOnlyList<ChatResponseUpdate> value, CancellationToken cancellationToken)
    {
        try
        {
            await base.WriteCacheStreamingAsync(key, value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // As in WriteCacheAsync: the updates have already gone to the caller.
        }
    }
}
