namespace Sluice.BatchFiles;

/// <summary>How a run ended; <c>sluice run</c>'s exit code follows from it.</summary>
public enum BatchRunOutcome
{
    /// <summary>Every item succeeded and the output files are in place (exit 0).</summary>
    Succeeded,

    /// <summary>The run finished and the files are in place, but some items failed or were not sent (exit 3).</summary>
    CompletedWithFailures,

    /// <summary>The input has invalid lines and <c>--skip-invalid</c> was not given: nothing was sent (exit 2).</summary>
    InvalidInput,

    /// <summary>A stop was asked for: what finished is journalled, the output files were not written (exit 130).</summary>
    Interrupted,
}

/// <summary>What a <see cref="BatchFileRunner"/> run did.</summary>
public sealed record BatchRunResult
{
    /// <summary>Gets how the run ended.</summary>
    public required BatchRunOutcome Outcome { get; init; }

    /// <summary>Gets the final counts.</summary>
    public required BatchRunSnapshot Counts { get; init; }

    /// <summary>Gets the input's validation report.</summary>
    public required BatchValidationReport Validation { get; init; }

    /// <summary>Gets the run's files.</summary>
    public required RunDirectory Directory { get; init; }

    /// <summary>Gets the errors file's path.</summary>
    public required string ErrorsPath { get; init; }

    /// <summary>Gets whether this run continued an earlier one.</summary>
    public bool Resumed { get; init; }
}
