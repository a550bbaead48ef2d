using System.Diagnostics;

namespace Sluice.Rag.Tests;

/// <summary>A real child process upserting into the index is killed with SIGKILL in the middle of an upsert; the file
/// must hold every committed upsert whole and the interrupted one whole or not at all.</summary>
public sealed class CrashSafetyTests
{
    private const int RecordsPerUpsert = 4_000;

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(40)]
    public async Task A_process_killed_mid_upsert_leaves_the_index_before_or_after_that_upsert(int delayMs)
    {
        string path = TestData.TempFile();
        try
        {
            int interrupted = await RunChildAndKillAsync(path, killDuringBatch: 2, delayMs);

            using var index = VectorIndex.Open(path, new VectorIndexOptions { Dimensions = CrashVectors.Dimensions });
            Assert.Equal(0, index.Count % RecordsPerUpsert);
            int batches = index.Count / RecordsPerUpsert;
            Assert.InRange(batches, interrupted, interrupted + 1); // before or after the interrupted upsert, nothing between
            foreach (int batch in Enumerable.Range(0, batches))
            {
                foreach (int i in new[] { 0, RecordsPerUpsert / 2, RecordsPerUpsert - 1 })
                {
                    var record = index.Get($"{batch}-{i}");
                    Assert.NotNull(record);
                    Assert.Equal(CrashVectors.For(batch, i), record.Vector.ToArray());
                }

                var hit = index.Search(CrashVectors.For(batch, 7), 1);
                Assert.Equal($"{batch}-7", hit[0].Key);
            }

            Assert.Null(index.Get($"{batches}-0"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TestData.Delete(path);
        }
    }

    private static async Task<int> RunChildAndKillAsync(string path, int killDuringBatch, int delayMs)
    {
        string child = Path.Combine(AppContext.BaseDirectory, "Sluice.Rag.CrashChild.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(child);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(RecordsPerUpsert.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line == $"begin {killDuringBatch}")
                {
                    if (delayMs > 0)
                    {
                        await Task.Delay(delayMs, timeout.Token); // somewhere inside the transaction; the assertion holds either way
                    }

                    process.Kill(); // SIGKILL on Unix: no finally blocks, no flush, no rollback
                    await process.WaitForExitAsync(timeout.Token);
                    return killDuringBatch;
                }

                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    await process.StandardInput.WriteLineAsync("next"); // the child starts the next upsert only now
                    await process.StandardInput.FlushAsync(timeout.Token);
                }
            }

            throw new InvalidOperationException($"The child exited ({process.ExitCode}) before batch {killDuringBatch}.");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
