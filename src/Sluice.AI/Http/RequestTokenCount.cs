namespace Sluice.AI;

/// <summary>What an OpenAI-shaped request body asks for, in tokens: see <see cref="TokenEstimator.CountRequest(ReadOnlySpan{byte})"/>.</summary>
/// <param name="InputTokens">The prompt's tokens (chat: messages with OpenAI's per-message overhead; embeddings: every input).</param>
/// <param name="MaxOutputTokens">The output cap the body sets (<c>max_completion_tokens</c>, else <c>max_tokens</c>);
/// <see langword="null"/> when it sets none. Always 0 for embeddings.</param>
/// <param name="IsEmbedding">Whether the body is an embeddings request (it has <c>input</c> and no <c>messages</c>).</param>
public readonly record struct RequestTokenCount(int InputTokens, int? MaxOutputTokens, bool IsEmbedding);
