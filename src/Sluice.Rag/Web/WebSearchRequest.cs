namespace Sluice.Rag;

/// <summary>What to search the web for with <see cref="ParallelWebClient.SearchAsync"/>: an objective in natural
/// language, keyword queries, or both.</summary>
public sealed record WebSearchRequest
{
    /// <summary>Gets the objective, in natural language.</summary>
    /// <value>Default <see langword="null"/>. This or <see cref="SearchQueries"/> is required.</value>
    public string? Objective { get; init; }

    /// <summary>Gets keyword queries.</summary>
    /// <value>Default <see langword="null"/>. This or <see cref="Objective"/> is required; no empty entries.</value>
    public IReadOnlyList<string>? SearchQueries { get; init; }

    /// <summary>Gets how many results to return at most.</summary>
    /// <value>Default 10. From 1 to 40.</value>
    public int MaxResults { get; init; } = 10;

    /// <summary>Gets the longest excerpt text per result, in characters, or <see langword="null"/> for the API's default.</summary>
    /// <value>Default <see langword="null"/>. Positive when set.</value>
    public int? MaxCharsPerResult { get; init; }

    internal void Validate()
    {
        bool hasObjective = !string.IsNullOrWhiteSpace(Objective);
        bool hasQueries = SearchQueries is { Count: > 0 };
        if (!hasObjective && !hasQueries)
        {
            throw new ArgumentException("WebSearchRequest needs an Objective or at least one of SearchQueries.", nameof(Objective));
        }

        for (int i = 0; i < (SearchQueries?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(SearchQueries![i]))
            {
                throw new ArgumentException($"WebSearchRequest.SearchQueries[{i}] is empty.", nameof(SearchQueries));
            }
        }

        if (MaxResults is < 1 or > 40)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxResults), MaxResults, $"WebSearchRequest.{nameof(MaxResults)} must be from 1 to 40; it was {MaxResults}.");
        }

        if (MaxCharsPerResult is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCharsPerResult), MaxCharsPerResult, $"WebSearchRequest.{nameof(MaxCharsPerResult)} must be positive when set; it was {MaxCharsPerResult}.");
        }
    }
}
