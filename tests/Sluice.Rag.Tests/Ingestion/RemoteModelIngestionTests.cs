using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Rag.Tests.Ingestion;

/// <summary>Ingestion with a remote model: an OpenAI-compatible generator with Sluice.AI's throughput stack, against
/// Sluice.Simulator over real HTTP on 127.0.0.1, with faults.</summary>
public sealed class RemoteModelIngestionTests
{
    [Fact]
    public async Task Every_document_is_written_through_5xx_faults_retried_by_the_throughput_stack()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 12, EmbeddingDimensions = 384, Error500Rate = 0.3 });
        var options = new SluiceClientOptions { Retry = { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 10 } };
        using var remote = OpenAICompatible.CreateEmbeddingGenerator(host.OpenAIEndpoint, "sk-sluice-ingest", "text-embedding-3-small", options);
        var generator = new CountingEmbeddingGenerator(remote);

        using var bed = new IngestionTestBed();
        for (int i = 0; i < 30; i++)
        {
            bed.Write($"d{i:D2}.txt", IngestionTestBed.Prose($"remote {i}", 4 + i % 20, seed: 500 + i));
        }

        using var index = VectorIndex.Open(bed.IndexPath);
        var model = new EmbeddingModelIdentity("text-embedding-3-small", "simulator-seed-12", "provider", 8191);
        static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length * 2;
        var pipeline = new IngestionPipeline(generator, model, Words, index, new IngestionOptions { MaxGroupTexts = 4, MaxConcurrency = 4 });

        var report = await pipeline.IngestDirectoryAsync(bed.Corpus);

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => e.Reason)));
        Assert.Equal(30, report.Totals.DocumentsWritten);
        Assert.Equal(report.Totals.ChunksWritten, index.Count);
        var ledger = remote.GetService<UsageLedger>()!;
        Assert.True(ledger.Retries > 0, "a 30 % fault rate should have caused retries");
        Assert.Equal(generator.Calls, report.Totals.EmbeddingCalls);
    }
}
