namespace Sluice.AI;

/// <summary>
/// What a query engine answered: the response text and the passages (LlamaIndex's source nodes) it was built from.
/// </summary>
public sealed record QueryResponse
{
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
}
