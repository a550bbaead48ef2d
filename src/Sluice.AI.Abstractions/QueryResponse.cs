namespace Sluice.AI;

/// <summary>
/// What a query engine answered: the response text and the passages (LlamaIndex's source nodes) it was built from,
/// optionally with the ids of those passages' sources (<see cref="SourceIds"/>), which retrieval evaluation compares
/// against the expected ids.
/// </summary>
public sealed record QueryResponse
{
    private readonly IReadOnlyList<string> _sourceIds = [];

    /// <summary>Creates a response.</summary>
    /// <param name="response">The answer text.</param>
    /// <param name="sourcePassages">The text of the source passages, in retrieval order; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An entry of <paramref name="sourcePassages"/> is <see langword="null"/>; the message gives its index.</exception>
    public QueryResponse(string response, IReadOnlyList<string>? sourcePassages = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        Response = response;
        var contexts = sourcePassages?.ToArray() ?? [];
        for (var i = 0; i < contexts.Length; i++)
        {
            if (contexts[i] is null)
            {
                throw new ArgumentException($"sourcePassages[{i}] is null; every source passage must be a string.", nameof(sourcePassages));
            }
        }

        SourcePassages = contexts;
    }

    /// <summary>Gets the answer text.</summary>
    public string Response { get; }

    /// <summary>Gets the text of the source passages, in retrieval order (empty when there are none).</summary>
    public IReadOnlyList<string> SourcePassages { get; }

    /// <summary>Gets the ids of the source passages' sources, one per entry of <see cref="SourcePassages"/>, in the same
    /// order (empty when the engine gives none). What an id is belongs to the engine (Sluice's RAG query engine gives
    /// the document id of each retrieved chunk); an id may repeat when several passages come from one source.</summary>
    /// <exception cref="ArgumentException">On set: the list is not empty and its length differs from
    /// <see cref="SourcePassages"/>'s, or an entry is <see langword="null"/>; the message gives the lengths or the index.</exception>
    public IReadOnlyList<string> SourceIds
    {
        get => _sourceIds;
        init
        {
            var ids = value?.ToArray() ?? [];
            if (ids.Length != 0 && ids.Length != SourcePassages.Count)
            {
                throw new ArgumentException(
                    $"SourceIds has {ids.Length} entries but SourcePassages has {SourcePassages.Count}; give one id per passage, in the same order.", nameof(value));
            }

            for (var i = 0; i < ids.Length; i++)
            {
                if (ids[i] is null)
                {
                    throw new ArgumentException($"SourceIds[{i}] is null; every source id must be a string.", nameof(value));
                }
            }

            _sourceIds = ids;
        }
    }
}
