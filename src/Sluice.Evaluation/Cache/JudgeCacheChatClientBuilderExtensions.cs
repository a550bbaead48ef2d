using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Sluice.Evaluation;

/// <summary>Adds a <see cref="JudgeCacheChatClient"/> to a chat client pipeline.</summary>
public static class JudgeCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Answers repeated judge calls from <paramref name="storage"/>. Place it outermost (first <c>Use</c>), so that a hit
    /// skips throttling and retries, and only final successes are stored.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="storage">Where replies are kept, for example a <see cref="SqliteDistributedCache"/>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseJudgeCache(this ChatClientBuilder builder, IDistributedCache storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        return builder.Use(inner => new JudgeCacheChatClient(inner, storage));
    }
}
