using System.Security.Cryptography;
using System.Text;

namespace Sluice.Simulator.Content;

/// <summary>A 128-bit fingerprint of a request body (SHA-256, truncated): the identity used for duplicate detection and content.</summary>
internal readonly record struct RequestHash(ulong High, ulong Low)
{
    public static RequestHash Of(ReadOnlySpan<byte> body)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        return new RequestHash(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..]));
    }

    public static RequestHash Of(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        int n = Encoding.UTF8.GetBytes(text, buffer);
        var hash = Of(buffer[..n]);
        if (rented is not null)
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return hash;
    }

    /// <summary>A 64-bit seed derived from this hash, the simulator seed and a salt.</summary>
    public ulong Seed(int seed, ulong salt = 0) => SeededRandom.Mix(High ^ SeededRandom.Mix(Low ^ (ulong)(uint)seed ^ (salt * 0x9E3779B97F4A7C15UL)));

    /// <summary>Lower-case hex of the first 12 bytes, for ids.</summary>
    public string ToId() => High.ToString("x16") + (Low >> 32).ToString("x8");
}
