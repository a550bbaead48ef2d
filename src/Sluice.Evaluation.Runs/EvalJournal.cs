using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.BatchFiles;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// An eval run's records in the run journal (<see cref="RunJournal"/>, the journal <c>sluice run</c> keeps): an answer
/// (<c>custom_id</c> <c>answer/&lt;case id&gt;</c>, its line <see cref="JournalledAnswer"/>) and an outcome per case and
/// evaluator (<c>&lt;evaluator&gt;/&lt;case id&gt;</c>, its line an <see cref="EvalRecord"/>). The last record of an id counts.
/// </summary>
internal sealed class EvalJournal
{
    private const string AnswerPrefix = "answer/";
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public Dictionary<string, JournalledAnswer> Answers { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Evaluator, string CaseId), EvalRecord> Outcomes { get; } = [];

    public static string OutcomeId(string evaluator, string caseId) => evaluator + "/" + caseId;

    public static async Task<EvalJournal> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var journal = new EvalJournal();
        await foreach (var record in RunJournalReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (record.CustomId.StartsWith(AnswerPrefix, StringComparison.Ordinal))
                {
                    var answer = JsonSerializer.Deserialize<JournalledAnswer>(record.OutputLine.Span, Json)!;
                    journal.Answers[answer.CaseId] = answer;
                }
                else
                {
                    var outcome = JsonSerializer.Deserialize<EvalRecord>(record.OutputLine.Span, Json)!;
                    journal.Outcomes[(outcome.Evaluator, outcome.CaseId ?? "")] = outcome;
                }
            }
            catch (JsonException ex)
            {
                throw new BatchFileFormatException(path, null, $"the record of '{record.CustomId}' is not an eval answer or outcome ({ex.Message})", ex);
            }
        }

        return journal;
    }

    public static ValueTask AppendAnswerAsync(RunJournal journal, JournalledAnswer answer, long line, CancellationToken cancellationToken) =>
        journal.AppendLineAsync(AnswerPrefix + answer.CaseId, JournalOutcome.Succeeded, line, JsonSerializer.SerializeToUtf8Bytes(answer, Json), cancellationToken);

    /// <summary>Journals an outcome (flushed before it counts), then counts it in <paramref name="progress"/>.</summary>
    public static async ValueTask AppendOutcomeAsync(RunJournal journal, EvalRecord record, EvalProgress? progress, CancellationToken cancellationToken)
    {
        await journal.AppendLineAsync(
            OutcomeId(record.Evaluator, record.CaseId!),
            record.InvalidResult ? JournalOutcome.Failed : JournalOutcome.Succeeded,
            record.Line!.Value,
            JsonSerializer.SerializeToUtf8Bytes(record, Json),
            cancellationToken).ConfigureAwait(false);
        progress?.Journalled(record);
    }
}

/// <summary>A case's answer as journalled: the response (when generated), the retrieved passages and their document ids.</summary>
internal sealed record JournalledAnswer(
    [property: JsonPropertyName("case_id")] string CaseId,
    [property: JsonPropertyName("response")] string? Response,
    [property: JsonPropertyName("passages")] IReadOnlyList<string> Passages,
    [property: JsonPropertyName("source_ids")] IReadOnlyList<string> SourceIds);
