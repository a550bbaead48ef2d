using System.Text;

namespace Sluice.BatchFiles.Tests;

/// <summary><see cref="RunJournal.AppendLineAsync"/>: a record whose line is any JSON object (an eval outcome) reads back
/// like any other; a line that is not one JSON object on one line is refused before it is written.</summary>
public sealed class RunJournalLineTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_journalled_line_reads_back_with_its_id_outcome_input_line_and_bytes_and_the_last_record_of_an_id_counts()
    {
        string path = _dir.File("journal.jsonl");
        byte[] first = Encoding.UTF8.GetBytes("""{"evaluator":"bleu","case_id":"q1","score":0.5}""");
        byte[] second = Encoding.UTF8.GetBytes("""{"evaluator":"bleu","case_id":"q2","invalid_result":true}""");
        await using (var journal = RunJournal.Open(path))
        {
            await journal.AppendLineAsync("bleu/q1", JournalOutcome.Succeeded, 1, first);
            await journal.AppendLineAsync("bleu/q2", JournalOutcome.Failed, 7, second);
        }

        var records = await BatchInputReaderTests.ToListAsync(RunJournalReader.ReadAsync(path));

        Assert.Equal(["bleu/q1", "bleu/q2"], records.Select(r => r.CustomId));
        Assert.Equal([JournalOutcome.Succeeded, JournalOutcome.Failed], records.Select(r => r.Outcome));
        Assert.Equal([1L, 7L], records.Select(r => r.InputLine));
        Assert.Equal(first, records[0].OutputLine.ToArray());
        Assert.Equal(second, records[1].OutputLine.ToArray());
        var completed = await RunJournalReader.ReadCompletedAsync(path);
        Assert.True(completed.Contains("bleu/q2"));
        Assert.Equal(1, completed.FailedCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("{\"a\":\n1}")]
    [InlineData("{\"a\": 1")]
    public async Task A_line_that_is_not_one_json_object_on_one_line_is_refused_and_nothing_is_written(string line)
    {
        string path = _dir.File("journal.jsonl");
        await using (var journal = RunJournal.Open(path))
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await journal.AppendLineAsync("x", JournalOutcome.Succeeded, 1, Encoding.UTF8.GetBytes(line)));
        }

        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public async Task A_refused_line_leaves_nothing_in_the_records_appended_after_it()
    {
        // Records are formatted in a buffer reused by the next record: a refused line must not leave a fragment in it.
        string path = _dir.File("journal.jsonl");
        byte[] good = Encoding.UTF8.GetBytes("""{"score":1}""");
        await using (var journal = RunJournal.Open(path))
        {
            await journal.AppendLineAsync("a", JournalOutcome.Succeeded, 1, good);
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await journal.AppendLineAsync("bad", JournalOutcome.Succeeded, 2, Encoding.UTF8.GetBytes("{\"a\": 1")));
            await journal.AppendLineAsync("c", JournalOutcome.Failed, 3, good);
            await journal.AppendAsync(BatchResult.FromError("d", new BatchResultError("request_failed", "x")), 4);
        }

        var records = await BatchInputReaderTests.ToListAsync(RunJournalReader.ReadAsync(path));
        Assert.Equal(["a", "c", "d"], records.Select(r => r.CustomId));
        Assert.Equal(good, records[1].OutputLine.ToArray());
        Assert.Equal(3, File.ReadAllLines(path).Length);
    }
}
