using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Rag;

/// <summary>Arrays whose element at <c>start</c> lies on a 64-byte boundary (a cache line, two 256-bit vectors), so
/// the search kernel's 32-byte loads never straddle two cache lines. A managed array is only 8-byte aligned and its
/// alignment depends on what was allocated before it: the same search ran 5–10 % slower or faster from one build or
/// allocation order to the next. These arrays are allocated on the pinned object heap, so they never move and the
/// boundary holds for their lifetime.</summary>
internal static class AlignedArray
{
    /// <summary>The boundary, in bytes.</summary>
    public const int Alignment = 64;

    /// <summary>Allocates a zeroed array with room for <paramref name="length"/> elements from <paramref name="start"/> on.</summary>
    /// <param name="length">The elements needed.</param>
    /// <param name="start">The index of the first element on the boundary.</param>
    /// <returns>The array (longer than <paramref name="length"/> by at most one boundary).</returns>
    public static T[] Allocate<T>(int length, out int start)
        where T : unmanaged
    {
        var array = GC.AllocateArray<T>(checked(length + (Alignment / Unsafe.SizeOf<T>())), pinned: true);
        start = Start(array);
        return array;
    }

    /// <summary>The bytes from the start of <paramref name="array"/>'s data to the previous 64-byte boundary (0 when it
    /// is on one); what the tests check.</summary>
    public static int Misalignment<T>(T[] array, int start)
        where T : unmanaged => (int)(Address(array) + (start * Unsafe.SizeOf<T>())) % Alignment;

    private static int Start<T>(T[] array)
        where T : unmanaged
    {
        int misalignment = (int)(Address(array) % Alignment);
        return misalignment == 0 ? 0 : (Alignment - misalignment) / Unsafe.SizeOf<T>();
    }

    private static long Address<T>(T[] array)
        where T : unmanaged
    {
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            return handle.AddrOfPinnedObject().ToInt64();
        }
        finally
        {
            handle.Free();
        }
    }
}
