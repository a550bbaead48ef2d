using Sluice.Rag;

// Usage: Sluice.Rag.CrashChild <index file> <records per upsert>
// Upserts batch 0, 1, 2, … (keys "<batch>-<i>", vectors from CrashVectors) one transaction each, printing
// "begin <batch>" before and "committed <batch>" after each, then waits for a line on stdin before the next batch
// (so the test knows exactly which upsert it interrupts), until it is killed.
string path = args[0];
int size = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
using var index = VectorIndex.Open(path, new VectorIndexOptions { Dimensions = CrashVectors.Dimensions });
for (int batch = index.Count / size; batch < 10_000; batch++)
{
    var records = Enumerable.Range(0, size).Select(i => new IndexRecord
    {
        Key = $"{batch}-{i}",
        Text = $"batch {batch} item {i}",
        Metadata = new Dictionary<string, string> { ["batch"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Vector = CrashVectors.For(batch, i),
    }).ToList();
    Console.Out.WriteLine($"begin {batch}");
    Console.Out.Flush();
    await index.UpsertAsync(records);
    Console.Out.WriteLine($"committed {batch}");
    Console.Out.Flush();
    if (Console.In.ReadLine() is null)
    {
        return;
    }
}

/// <summary>The deterministic vector of record (batch, i), shared with the test that checks the file.</summary>
public static class CrashVectors
{
    public const int Dimensions = 64;

    public static float[] For(int batch, int i)
    {
        var random = new Random(batch * 1_000_003 + i);
        var vector = new float[Dimensions];
        for (int d = 0; d < Dimensions; d++)
        {
            vector[d] = (float)(random.NextDouble() * 2 - 1);
        }

        return vector;
    }
}
