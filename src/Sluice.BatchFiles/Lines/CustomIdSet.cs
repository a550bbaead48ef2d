using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.BatchFiles.Lines;

/// <summary>
/// Keys custom_ids by a 128-bit XxHash128 of their UTF-8 bytes, seeded at random once per process, so that a set of
/// millions of them holds 16 bytes per id whatever the ids' length, and keying one costs tens of nanoseconds (a
/// resume keys every line and every journal record several times).
/// </summary>
/// <remarks>
/// Keys live only in this process's memory and its temporary spill files, never from one run to the next, so the seed
/// may differ in every process. Two different ids get the same key by accident with a probability of about n² / 2¹²⁹
/// among n ids (below 10⁻²⁰ for a billion); the random seed keeps whoever writes the ids from choosing colliding ones
/// ahead of time; and every id of a file goes through validation's duplicate check before anything is sent or skipped,
/// so two ids that did collide would be reported there as a duplicate, never skipped in silence by a resume.
/// </remarks>
internal static class CustomIdKey
{
    private static readonly long Seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    public static UInt128 Of(string customId)
    {
        int max = Encoding.UTF8.GetMaxByteCount(customId.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[512];
        try
        {
            int length = Encoding.UTF8.GetBytes(customId, bytes);
            return XxHash128.HashToUInt128(bytes[..length], Seed);
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
