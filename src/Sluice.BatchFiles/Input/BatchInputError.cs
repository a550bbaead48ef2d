namespace Sluice.BatchFiles;

/// <summary>
/// One problem with a line of a batch input file, in OpenAI's <c>errors.data[]</c> shape:
/// <c>{"code", "line", "message", "param"}</c>.
/// </summary>
/// <param name="Code">A code from <see cref="BatchInputErrorCodes"/>.</param>
/// <param name="Line">The 1-based line number, or <see langword="null"/> for a problem with the whole file.</param>
/// <param name="Message">What is wrong and what was expected.</param>
/// <param name="Param">The field at fault (<c>custom_id</c>, <c>url</c>, <c>body.model</c>…), or <see langword="null"/>.</param>
public sealed record BatchInputError(string Code, long? Line, string Message, string? Param)
{
    /// <summary>The error as one line for a person: <c>file, line N, param: message</c>.</summary>
    /// <param name="path">The input file's path.</param>
    /// <returns>The formatted line.</returns>
    public string Describe(string path) =>
        $"{path}{(Line is { } line ? $", line {line}" : "")}{(Param is null ? "" : $", {Param}")}: {Message}";
}
