using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.BatchFiles.Lines;

/// <summary>
/// Keys custom_ids by the first 128 bits of their SHA-256, so that a set of millions of them holds 16 bytes per id
/// whatever the ids' length (a collision is as likely as guessing a 128-bit key).
/// </summary>
internal static class CustomIdKey
{
    public static UInt128 Of(string customId)
    {
        int max = Encoding.UTF8.GetMaxByteCount(customId.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[512];
        try
        {
            int length = Encoding.UTF8.GetBytes(customId, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..length], hash);
            return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
