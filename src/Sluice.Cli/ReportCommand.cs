using System.CommandLine;
using Sluice.Reporting;

namespace Sluice.Cli;

/// <summary><c>sluice report</c>: a run directory as one self-contained HTML report and a Markdown summary. The verb
/// only reads its options and prints the files; reading and writing are <see cref="RunReports"/>'.</summary>
internal static class ReportCommand
{
    private const string Examples = """
        Examples:
          sluice report results.jsonl.sluice                      report.html and report.md in the run directory
          sluice report results.jsonl                             the same: an output file's run directory is used
          sluice report new.jsonl.sluice --compare old.jsonl.sluice -o compare.html
          sluice report eval-run/                                 the run directory of sluice eval
        """;

    private const string ExitCodesHelp = """
        Exit codes:
          0    the report and the summary were written (their paths are printed)
          2    a missing or bad run directory (the message names the file and the line), or a report that cannot be written
        """;

    private static readonly Argument<string> RunDirectory = new("run-dir") { Description = "The run directory: <output>.sluice of sluice run (or the output file itself), or the run directory of sluice eval." };
    private static readonly Option<string?> Compare = new("--compare") { Description = "A second run directory of the same kind, shown beside the first (B beside A, with the change of each headline number)." };
    private static readonly Option<FileInfo?> Output = new("--output", "-o") { Description = "The HTML file [default: report.html in the run directory]; the Markdown summary goes beside it (.md)." };

    public static Command Create()
    {
        var command = new Command("report", "Write a run directory as one self-contained HTML report (inline SVG charts, each with a data table; no network) and a Markdown summary.\n\n" + Examples + "\n" + ExitCodesHelp);
        command.Arguments.Add(RunDirectory);
        command.Options.Add(Compare);
        command.Options.Add(Output);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new ReportOptions
        {
            RunDirectory = parse.GetValue(RunDirectory)!,
            CompareDirectory = parse.GetValue(Compare),
            HtmlPath = parse.GetValue(Output)?.FullName,
        };
        try
        {
            var files = await RunReports.WriteAsync(options, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine("sluice: report " + files.HtmlPath);
            Console.Out.WriteLine("sluice: summary " + files.MarkdownPath);
            return ExitCodes.Success;
        }
        catch (ReportInputException ex)
        {
            string argument = options.CompareDirectory is { } other && Within(ex.Path, other) && !Within(ex.Path, options.RunDirectory) ? "--compare" : "run-dir";
            Console.Error.WriteLine($"sluice: {argument}: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"sluice: the report could not be written (or a file of the run directory read): {ex.Message}");
            return ExitCodes.InvalidInput;
        }
    }

    /// <summary>Whether <paramref name="path"/> is the run directory <paramref name="argument"/> names or a file in it
    /// (an output file names its <c>.sluice</c> directory).</summary>
    private static bool Within(string path, string argument)
    {
        string full = Path.GetFullPath(argument).TrimEnd(Path.DirectorySeparatorChar);
        return new[] { full, full + ".sluice" }.Any(d => path == d || path.StartsWith(d + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }
}
