using Microsoft.Extensions.AI;

namespace Sluice.Evaluation;

/// <summary>
/// Chat middleware that answers a repeated judge call from a <see cref="JudgeCache"/>. The key is the SHA-256 of the
/// model (the options' <see cref="ChatOptions.ModelId"/>, else the client's default model), the messages, the options
/// and <see cref="JudgeRepetition.Current"/>. Exceptions from the inner client are never cached; streaming calls pass
/// through uncached.
/// </summary>
public sealed class JudgeCacheChatClient : DelegatingChatClient
{
    private readonly JudgeCache _cache;

    /// <summary>Wraps <paramref name="innerClient"/> with <paramref name="cache"/>.</summary>
    /// <param name="innerClient">The judge's client.</param>
    /// <param name="cache">The cache file.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public JudgeCacheChatClient(IChatClient innerClient, JudgeCache cache)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
    }

    /// <summary>Gets the cache.</summary>
    public JudgeCache Cache => _cache;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var model = options?.ModelId ?? InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        var key = JudgeCacheKey.Compute(model, list, options, JudgeRepetition.Current);
        if (await _cache.TryGetAsync(key, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }

        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        try
        {
            // The provider has answered (and been paid): neither the caller's cancellation nor a cache failure
            // (a busy or full disk) may throw that answer away.
            await _cache.StoreAsync(key, response, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _cache.RecordStoreFailure();
        }

        return response;
    }
}
