namespace Sluice.BatchFiles;

/// <summary>The OpenAI endpoints a batch input line may address.</summary>
public enum BatchEndpoint
{
    /// <summary><c>/v1/chat/completions</c>.</summary>
    ChatCompletions,

    /// <summary><c>/v1/embeddings</c>.</summary>
    Embeddings,
}
