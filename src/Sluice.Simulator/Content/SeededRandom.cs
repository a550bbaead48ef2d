namespace Sluice.Simulator.Content;

/// <summary>SplitMix64: a tiny, fast, reproducible random sequence from a 64-bit seed.</summary>
internal struct SeededRandom(ulong seed)
{
    private ulong _state = seed;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max] inclusive.</summary>
    public int Next(int min, int max) => min + (int)(NextUInt64() % (ulong)(max - min + 1));
}
