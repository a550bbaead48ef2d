namespace Sluice.Rag.Tests;

internal static class TestData
{
    public static float[][] RandomUnitVectors(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var v = new float[dimensions];
            double norm = 0;
            for (int d = 0; d < dimensions; d++)
            {
                // Box-Muller: Gaussian components give directions uniform on the sphere.
                double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v[d] = (float)g;
                norm += g * g;
            }

            for (int d = 0; d < dimensions; d++)
            {
                v[d] = (float)(v[d] / Math.Sqrt(norm));
            }

            vectors[i] = v;
        }

        return vectors;
    }

    /// <summary>The brute-force reference: cosine in double precision, sorted, top k row numbers.</summary>
    public static int[] BruteForce(float[][] rows, float[] query, int k, Func<int, bool>? allowed = null)
    {
        return Enumerable.Range(0, rows.Length)
            .Where(r => allowed?.Invoke(r) ?? true)
            .Select(r => (Row: r, Score: Cosine(rows[r], query)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Row)
            .Take(k).Select(x => x.Row).ToArray();
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    public static string TempFile() => Path.Combine(Path.GetTempPath(), $"sluice-index-{Guid.NewGuid():N}.db");

    public static void Delete(string path)
    {
        foreach (string file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
