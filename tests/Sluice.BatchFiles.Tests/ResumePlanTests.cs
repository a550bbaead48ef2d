using System.Text;

namespace Sluice.BatchFiles.Tests;

public sealed class ResumePlanTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Yields_exactly_the_requests_not_journalled_in_input_order()
    {
        const int count = 100_000;
        string input = _dir.File("in.jsonl");
        using (var writer = new StreamWriter(input, append: false, new UTF8Encoding(false)))
        {
            for (int i = 0; i < count; i++)
            {
                writer.Write($$$"""{"custom_id":"req-{{{i}}}","method":"POST","url":"/v1/embeddings","body":{"model":"e","input":"text {{{i}}}"}}""");
                writer.Write('\n');
            }
        }

        var run = RunDirectory.ForOutput(_dir.File("out.jsonl"));
        await using (var journal = RunJournal.Open(run.JournalPath, new RunJournalOptions { FlushToDisk = false }))
        {
            var appends = new List<Task>();
            for (int i = 0; i < count; i += 2)
            {
                var result = BatchResult.FromResponse($"req-{i}", new BatchResponse(200, null, "{}"u8.ToArray()));
                appends.Add(journal.AppendAsync(result, i + 1).AsTask());
            }

            await Task.WhenAll(appends);
        }

        var completed = await RunJournalReader.ReadCompletedAsync(run.JournalPath);
        Assert.Equal(count / 2, completed.Count);

        long expectedLine = 2;
        var seen = new HashSet<string>();
        await foreach (var request in ResumePlan.RemainingAsync(new BatchInputReader(input), completed))
        {
            Assert.Equal(expectedLine, request.LineNumber);
            Assert.Equal($"req-{expectedLine - 1}", request.CustomId);
            Assert.True(seen.Add(request.CustomId));
            expectedLine += 2;
        }

        Assert.Equal(count / 2, seen.Count);
    }
}
