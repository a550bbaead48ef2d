namespace Sluice.Rag;

/// <summary>What a Parallel extract of many URLs returned: the pages it read and an error record for each one it could not.</summary>
/// <param name="Documents">One document per extracted page, in the order of the URLs asked for.</param>
/// <param name="Errors">One record per URL that failed, in the order of the URLs asked for.</param>
/// <param name="ExtractIds">The ids of the extract calls that answered, in call order.</param>
public sealed record WebExtractResult(IReadOnlyList<WebDocument> Documents, IReadOnlyList<WebExtractError> Errors, IReadOnlyList<string> ExtractIds);
