namespace Sluice.Rag;

/// <summary>What an ingestion run did: its final counts and every error, with the file and the reason.</summary>
/// <param name="Totals">The final counts.</param>
/// <param name="Errors">Every error, in the order they happened.</param>
public sealed record IngestionReport(IngestionProgress Totals, IReadOnlyList<IngestionError> Errors)
{
    /// <summary>Gets whether every document was read, embedded and written (no errors).</summary>
    public bool Succeeded => Errors.Count == 0;
}
