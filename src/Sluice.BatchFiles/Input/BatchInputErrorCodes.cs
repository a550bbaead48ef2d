namespace Sluice.BatchFiles;

/// <summary>
/// The codes of <see cref="BatchInputError"/>. OpenAI's documented codes where one fits; the others are Sluice's
/// and start with <c>invalid_</c> or <c>missing_</c> as OpenAI's API errors do.
/// </summary>
public static class BatchInputErrorCodes
{
    /// <summary>OpenAI's: the line is not one JSON object.</summary>
    public const string InvalidJsonLine = "invalid_json_line";

    /// <summary>OpenAI's: the <c>custom_id</c> was used by an earlier line.</summary>
    public const string DuplicateCustomId = "duplicate_custom_id";

    /// <summary>OpenAI's: the <c>url</c> differs from the first valid line's (one file, one endpoint).</summary>
    public const string UrlMismatch = "url_mismatch";

    /// <summary>OpenAI's: the <c>body.model</c> differs from the first valid line's.</summary>
    public const string ModelMismatch = "model_mismatch";

    /// <summary>OpenAI's: the file holds no request line.</summary>
    public const string EmptyFile = "empty_file";

    /// <summary>A required field (<c>custom_id</c>, <c>url</c>, <c>body</c>) is absent.</summary>
    public const string MissingRequiredParameter = "missing_required_parameter";

    /// <summary>A field has the wrong type or an empty value (a <c>custom_id</c> that is not a non-empty string, a <c>body</c> that is not an object).</summary>
    public const string InvalidValue = "invalid_value";

    /// <summary>The <c>url</c> is not an endpoint Sluice sends (<c>/v1/chat/completions</c>, <c>/v1/embeddings</c>).</summary>
    public const string InvalidUrl = "invalid_url";

    /// <summary>The <c>method</c> is not <c>POST</c>.</summary>
    public const string InvalidMethod = "invalid_method";
}
