using System.Text;

namespace Sluice.Evaluation.Tests;

/// <summary>JSONL and CSV carry every field, including text with commas, quotes and line breaks.</summary>
public sealed class EvalExportTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> Results = new Dictionary<string, IReadOnlyList<EvalOutcome>>
    {
        ["faith, full"] =
        [
            new EvalOutcome
            {
                EvaluatorName = "faith, full", Index = 0, Query = "What is \"RAG\"?", Response = "Line one,\nline two\r\nend",
                Passages = ["a, b", "\"quoted\""], Passing = true, Score = 0.1 + 0.2, Feedback = "ok", Attempts = 2,
                Elapsed = TimeSpan.FromMilliseconds(12.5), PairwiseSource = "original",
            },
            new EvalOutcome
            {
                EvaluatorName = "faith, full", Index = 1, Query = "plain", InvalidResult = true,
                InvalidReason = "The query failed after 1 attempt: TimeoutException: x", Attempts = 1,
            },
        ],
    };

    [Fact]
    public void Json_lines_round_trip()
    {
        var writer = new StringWriter();
        EvalExport.WriteJsonLines(Results, writer);
        Assert.Equal(2, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var records = EvalExport.ReadJsonLines(new StringReader(writer.ToString()));

        var expected = Results.Values.SelectMany(l => l).Select(EvalRecord.From).ToList();
        Assert.Equal(expected.Count, records.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i] with { Passages = null }, records[i] with { Passages = null });
            Assert.Equal(expected[i].Passages ?? [], records[i].Passages ?? []);
        }
    }

    [Fact]
    public void A_bad_json_line_names_its_line_number()
    {
        var ex = Assert.Throws<InvalidDataException>(() => EvalExport.ReadJsonLines(new StringReader("\n{\"evaluator\":\"e\",\"index\":0,\"query\":\"q\"}\n{oops\n")));
        Assert.StartsWith("Line 3:", ex.Message);
    }

    [Fact]
    public void Csv_quotes_fields_so_that_a_strict_parser_reads_them_back()
    {
        var writer = new StringWriter();
        EvalExport.WriteCsv(Results, writer);

        var rows = ParseCsv(writer.ToString());

        Assert.Equal(3, rows.Count);
        Assert.Equal("evaluator,index,query,response,passages,passing,score,feedback,pairwise_source,invalid_result,invalid_reason,attempts,elapsed_ms,score_std_dev",
            string.Join(',', rows[0]));
        Assert.Equal(["faith, full", "0", "What is \"RAG\"?", "Line one,\nline two\r\nend", "[\"a, b\",\"\\u0022quoted\\u0022\"]", "true",
            (0.1 + 0.2).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "ok", "original", "false", "", "2", "12.5", ""], rows[1]);
        Assert.Equal(["faith, full", "1", "plain", "", "", "", "", "", "", "true", "The query failed after 1 attempt: TimeoutException: x", "1", "0", ""], rows[2]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData(null, "")]
    public void Fields_are_quoted_only_when_needed(string? field, string expected) =>
        Assert.Equal(expected, EvalExport.QuoteCsv(field));

    /// <summary>An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; rows end in CRLF.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; }
                    else if (text[i] == '"') { i++; break; }
                    else { field.Append(text[i++]); }
                }
            }
            else if (text[i] == ',') { row.Add(field.ToString()); field.Clear(); i++; }
            else if (text[i] == '\r' && text[i + 1] == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add([.. row]); row.Clear(); i += 2; }
            else { field.Append(text[i++]); }
        }

        Assert.Empty(row);
        return rows;
    }
}
