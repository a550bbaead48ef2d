using Microsoft.Extensions.AI;

namespace Sluice.Evaluation;

/// <summary>Adds a <see cref="JudgeCacheChatClient"/> to a chat client pipeline.</summary>
public static class JudgeCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Answers repeated judge calls from <paramref name="cache"/>. Place it outermost (first <c>Use</c>), so that a hit
    /// skips throttling and retries, and only final successes are stored.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="cache">The cache file.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseJudgeCache(this ChatClientBuilder builder, JudgeCache cache)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cache);
        return builder.Use(inner => new JudgeCacheChatClient(inner, cache));
    }
}
