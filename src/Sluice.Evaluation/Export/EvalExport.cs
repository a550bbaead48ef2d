using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.Evaluation;

/// <summary>
/// Writes a runner's outcomes as JSON Lines (one <see cref="EvalRecord"/> per line) or CSV (RFC 4180: a header row,
/// fields quoted when they hold a comma, quote, CR or LF, quotes doubled), evaluator by evaluator, in case order.
/// </summary>
public static class EvalExport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private static readonly string[] CsvHeader =
    [
        "evaluator", "index", "query", "response", "passages", "passing", "score", "feedback", "pairwise_source",
        "invalid_result", "invalid_reason", "attempts", "elapsed_ms", "score_std_dev",
    ];

    /// <summary>Writes one JSON object per outcome, one per line.</summary>
    /// <param name="results">What <see cref="BatchEvalRunner"/> returned.</param>
    /// <param name="writer">Where to write.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteJsonLines(IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> results, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var record in Records(results))
        {
            writer.Write(JsonSerializer.Serialize(record, Json));
            writer.Write('\n');
        }
    }

    /// <summary>Writes one JSON object per record, one per line, in the order given (records made with
    /// <see cref="EvalRecord.From"/> and, for a dataset, their <see cref="EvalRecord.CaseId"/> and <see cref="EvalRecord.Line"/> set).</summary>
    /// <param name="records">The records.</param>
    /// <param name="writer">Where to write.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteJsonLines(IEnumerable<EvalRecord> records, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var record in records)
        {
            writer.Write(JsonSerializer.Serialize(record, Json));
            writer.Write('\n');
        }
    }

    /// <summary>Reads records written by <see cref="WriteJsonLines(IReadOnlyDictionary{string, IReadOnlyList{EvalOutcome}}, TextWriter)"/> or <see cref="WriteJsonLines(IEnumerable{EvalRecord}, TextWriter)"/>; blank lines are skipped.</summary>
    /// <param name="reader">Where to read.</param>
    /// <returns>The records, in file order.</returns>
    /// <exception cref="InvalidDataException">A line is not a record; the message gives its line number.</exception>
    public static IReadOnlyList<EvalRecord> ReadJsonLines(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var records = new List<EvalRecord>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                records.Add(JsonSerializer.Deserialize<EvalRecord>(line, Json)
                    ?? throw new InvalidDataException($"Line {number}: expected an outcome object, got null."));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Line {number}: expected an outcome object: {ex.Message}", ex);
            }
        }

        return records;
    }

    /// <summary>Writes a CSV table with a header row; <c>passages</c> is a JSON array in one field, empty fields are null.</summary>
    /// <param name="results">What <see cref="BatchEvalRunner"/> returned.</param>
    /// <param name="writer">Where to write.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteCsv(IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> results, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(writer);
        WriteRow(writer, CsvHeader);
        foreach (var r in Records(results))
        {
            WriteRow(writer, Fields(r));
        }
    }

    private static string?[] Fields(EvalRecord r) =>
    [
        r.Evaluator, Number(r.Index), r.Query, r.Response, r.Passages is null ? null : JsonSerializer.Serialize(r.Passages, Json),
        r.Passing is bool p ? (p ? "true" : "false") : null, Number(r.Score), r.Feedback, r.PairwiseSource,
        r.InvalidResult ? "true" : "false", r.InvalidReason, Number(r.Attempts), Number(r.ElapsedMs), Number(r.ScoreStdDev),
    ];

    /// <summary>Writes a CSV table of records in the order given: the columns of
    /// <see cref="WriteCsv(IReadOnlyDictionary{string, IReadOnlyList{EvalOutcome}}, TextWriter)"/> followed by
    /// <c>case_id</c> and <c>line</c> (empty when not set).</summary>
    /// <param name="records">The records.</param>
    /// <param name="writer">Where to write.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteCsv(IEnumerable<EvalRecord> records, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(writer);
        WriteRow(writer, [.. CsvHeader, "case_id", "line"]);
        foreach (var r in records)
        {
            WriteRow(writer, [.. Fields(r), r.CaseId, r.Line?.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    /// <summary>Quotes one CSV field when needed (comma, quote, CR or LF), doubling quotes.</summary>
    /// <param name="field">The field; <see langword="null"/> is written as an empty field.</param>
    /// <returns>The field as it appears in the file.</returns>
    internal static string QuoteCsv(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return string.Empty;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static IEnumerable<EvalRecord> Records(IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> results) =>
        results.SelectMany(static p => p.Value).Select(EvalRecord.From);

    private static void WriteRow(TextWriter writer, IReadOnlyList<string?> fields)
    {
        var line = new StringBuilder();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(QuoteCsv(fields[i]));
        }

        line.Append("\r\n");
        writer.Write(line);
    }

    private static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
