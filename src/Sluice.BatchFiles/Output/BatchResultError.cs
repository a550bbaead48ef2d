namespace Sluice.BatchFiles;

/// <summary>The <c>error</c> of an output line whose request got no HTTP answer: <c>{"code", "message"}</c>.</summary>
/// <param name="Code">A code from <see cref="BatchErrorCodes"/>.</param>
/// <param name="Message">What happened, for a person (never a secret).</param>
public sealed record BatchResultError(string Code, string Message);
