namespace Sluice.Reporting;

/// <summary>
/// <c>sluice report</c> as library code: reads a run directory (of <c>sluice run</c> or <c>sluice eval</c>, and
/// optionally a second one to compare with) and writes one self-contained HTML report and a Markdown summary.
/// </summary>
/// <remarks>
/// <para>A <c>run</c> report shows throughput, the concurrency limit and requests in flight, 429s and retries over time
/// (from <c>timeline.jsonl</c>), the request latency histogram, failures by kind (from the journal), and token and
/// cost totals (sent vs answered from the cache). An <c>eval</c> report shows each evaluator's score distribution and
/// metrics, its worst cases with their dataset line, and the timeline charts when the directory has a timeline.</para>
/// <para>Every text taken from the run directory passes a redaction of key-shaped strings, and manifest settings that
/// look secret are left out.</para>
/// </remarks>
public static class RunReports
{
    /// <summary>Reads the run directory (and the one to compare with) and writes the HTML report and the Markdown summary.</summary>
    /// <param name="options">What to report on and where to write.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The files written.</returns>
    /// <exception cref="ReportInputException">A directory is missing or not a run directory, a file in it does not
    /// parse (the message names the file and line), or the two directories are of different kinds.</exception>
    /// <exception cref="IOException">A report file cannot be written.</exception>
    public static async Task<ReportFiles> WriteAsync(ReportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RunDirectory, nameof(options.RunDirectory));
        var runs = new List<ReportSource> { await RunDirectoryReader.ReadAsync(options.RunDirectory, cancellationToken).ConfigureAwait(false) };
        if (options.CompareDirectory is { } other)
        {
            var second = await RunDirectoryReader.ReadAsync(other, cancellationToken).ConfigureAwait(false);
            if (second.Kind != runs[0].Kind)
            {
                throw new ReportInputException(second.Directory, null,
                    $"is a {second.Kind} directory and {runs[0].Directory} a {runs[0].Kind} directory; compare a run with a run, an eval with an eval.");
            }

            runs.Add(second);
        }

        string html = Path.GetFullPath(options.HtmlPath ?? Path.Combine(runs[0].Directory, "report.html"));
        string markdown = Path.GetFullPath(options.MarkdownPath ?? Path.ChangeExtension(html, ".md"));
        if (string.Equals(html, markdown, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the HTML report and the Markdown summary would be the same file: {html}.", nameof(options));
        }

        var page = ReportComposer.Compose(runs);
        await WriteFileAsync(html, HtmlReport.Write(page, ReportData.Of(runs)), cancellationToken).ConfigureAwait(false);
        await WriteFileAsync(markdown, MarkdownReport.Write(page, html), cancellationToken).ConfigureAwait(false);
        return new ReportFiles(html, markdown);
    }

    /// <summary>Written beside the target and renamed into place, so a reader never sees half a report.</summary>
    private static async Task WriteFileAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = path + ".partial";
        await File.WriteAllTextAsync(temporary, text, new System.Text.UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
