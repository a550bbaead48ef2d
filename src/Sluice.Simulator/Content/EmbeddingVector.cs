namespace Sluice.Simulator.Content;

/// <summary>Deterministic unit-length embedding vectors derived from a seed.</summary>
internal static class EmbeddingVector
{
    public static float[] Create(ulong seed, int dimensions)
    {
        var random = new SeededRandom(seed);
        var vector = new float[dimensions];
        double sum = 0;
        for (int i = 0; i < dimensions; i++)
        {
            // Sum of two uniforms: cheap, centred, roughly bell-shaped.
            double v = random.NextDouble() + random.NextDouble() - 1.0;
            vector[i] = (float)v;
            sum += v * v;
        }
        float scale = sum > 0 ? (float)(1.0 / Math.Sqrt(sum)) : 1f;
        if (sum == 0)
            vector[0] = 1f;
        for (int i = 0; i < dimensions; i++)
            vector[i] *= scale;
        return vector;
    }
}
