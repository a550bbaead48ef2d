using System.Text;
using System.Text.Json;

namespace Sluice.Evaluation.Runs;

/// <summary>Writes a run's result files: <c>results.jsonl</c>, <c>results.csv</c> and <c>summary.json</c>, each to a
/// temporary file renamed into place (a reader never sees half a file).</summary>
internal static class EvalRunFiles
{
    public static async Task WriteAsync(EvalRunDirectory directory, IReadOnlyList<EvalRecord> records, EvalJobResult result, string datasetPath, string? indexPath, CancellationToken cancellationToken)
    {
        await WriteTextAsync(directory.ResultsJsonPath, writer => EvalExport.WriteJsonLines(records, writer), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(directory.ResultsCsvPath, writer => EvalExport.WriteCsv(records, writer), cancellationToken).ConfigureAwait(false);
        await WriteSummaryAsync(directory.SummaryPath, result, datasetPath, indexPath, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteSummaryAsync(string path, EvalJobResult result, string datasetPath, string? indexPath, CancellationToken cancellationToken)
    {
        string temporary = path + ".partial";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("kind", "eval");
                writer.WriteString("dataset", datasetPath);
                if (indexPath is null)
                {
                    writer.WriteNull("index");
                }
                else
                {
                    writer.WriteString("index", indexPath);
                }

                writer.WriteNumber("cases", result.Cases);
                writer.WriteNumber("elapsed_seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
                writer.WriteNumber("resumed_outcomes", result.ResumedOutcomes);
                writer.WriteStartArray("evaluators");
                foreach (string name in result.Evaluators)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("skipped");
                foreach (var skipped in result.Skipped)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", skipped.Name);
                    writer.WriteString("reason", skipped.Reason);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("metrics");
                foreach (var metric in result.Metrics)
                {
                    writer.WriteStartObject();
                    writer.WriteString("evaluator", metric.EvaluatorName);
                    Number(writer, "mean", metric.MeanScore);
                    Number(writer, "ci_low", metric.ConfidenceLow);
                    Number(writer, "ci_high", metric.ConfidenceHigh);
                    writer.WriteNumber("n", metric.ScoredCount);
                    writer.WriteNumber("invalid", metric.InvalidCount);
                    writer.WriteNumber("cases", metric.Count);
                    Number(writer, "sd", metric.StdDev);
                    Number(writer, "pass_rate", metric.PassRate);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is double v && double.IsFinite(v))
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static async Task WriteTextAsync(string path, Action<TextWriter> write, CancellationToken cancellationToken)
    {
        string temporary = path + ".partial";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
            {
                write(writer);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }
}
