namespace Sluice.Cli;

/// <summary>The command's exit codes (listed in <c>sluice --help</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The run itself failed (the journal or an output file could not be written); what finished is journalled.</summary>
    public const int RunFailed = 1;

    /// <summary>Every item succeeded.</summary>
    public const int Success = 0;

    /// <summary>Invalid input or configuration (bad option, missing API key variable, invalid lines, a refused resume):
    /// nothing was sent.</summary>
    public const int InvalidInput = 2;

    /// <summary>The run finished, but some items failed (see the errors file).</summary>
    public const int FinishedWithFailures = 3;

    /// <summary>Interrupted (Ctrl+C or SIGTERM): finished work is journalled; run again with --resume.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit codes as every verb uses them, for <c>sluice --help</c>; each verb's own help says what each
    /// means for it.</summary>
    public const string VerbsHelp = """
        Exit codes (the same for every verb; each verb's --help says what they mean for it):
          0    done: everything succeeded
          1    the work itself failed (a journal, output or index not writable); what finished is kept
          2    invalid input or configuration, named by option, file and line; nothing was sent
          3    finished, but some of it failed (items, files, questions, an evaluator with no valid outcome)
          130  interrupted (Ctrl+C, SIGTERM)
        """;

    /// <summary>The exit codes as <c>sluice run</c> uses them, for <c>sluice run --help</c>.</summary>
    public const string Help = """
        Exit codes:
          0    every item succeeded
          1    the run itself failed (journal or output not writable: disk full, permissions); resume once fixed
          2    invalid input or configuration; nothing was sent
          3    the run finished, but some items failed (see the errors file)
          130  interrupted (Ctrl+C, SIGTERM); run the same command with --resume to continue
        """;
}
