namespace Sluice.BatchFiles;

/// <summary>How a <see cref="BatchInputReader"/> validates a file.</summary>
public sealed record BatchInputOptions
{
    /// <summary>The most errors a <see cref="BatchValidationReport"/> keeps (every bad line is still counted).</summary>
    /// <value>Default 100; must be positive.</value>
    public int MaxReportedErrors
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxReportedErrors));
            field = value;
        }
    } = 100;

    /// <summary>Whether every line's <c>body.model</c> must be the same (lines without a model are not compared).</summary>
    /// <value>Default <see langword="true"/>: OpenAI's rule, and the rule of providers that serve one model per endpoint.</value>
    public bool RequireSingleModel { get; init; } = true;
}
