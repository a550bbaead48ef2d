using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sluice.Rag;

/// <summary>The register-blocked dot products behind search: four rows against two queries in one pass over the
/// dimensions, eight accumulators kept in registers, so every loaded row chunk serves two queries and every loaded
/// query chunk four rows (a plain dot product loads two values per multiply-add; this loads 0.75).</summary>
internal static class DotKernel
{
    /// <summary>Writes row i · query j into <paramref name="scores"/>[i × 2 + j] for rows r0…r3 and queries q0, q1,
    /// all of the same length.</summary>
    public static void Dot4x2(
        ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, ReadOnlySpan<float> r2, ReadOnlySpan<float> r3,
        ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, Span<float> scores)
    {
        int d = r0.Length;
        if (!Vector256.IsHardwareAccelerated || d < Vector256<float>.Count)
        {
            scores[0] = TensorPrimitives.Dot(r0, q0);
            scores[1] = TensorPrimitives.Dot(r0, q1);
            scores[2] = TensorPrimitives.Dot(r1, q0);
            scores[3] = TensorPrimitives.Dot(r1, q1);
            scores[4] = TensorPrimitives.Dot(r2, q0);
            scores[5] = TensorPrimitives.Dot(r2, q1);
            scores[6] = TensorPrimitives.Dot(r3, q0);
            scores[7] = TensorPrimitives.Dot(r3, q1);
            return;
        }

        ref float a0 = ref MemoryMarshal.GetReference(r0);
        ref float a1 = ref MemoryMarshal.GetReference(r1);
        ref float a2 = ref MemoryMarshal.GetReference(r2);
        ref float a3 = ref MemoryMarshal.GetReference(r3);
        ref float b0 = ref MemoryMarshal.GetReference(q0);
        ref float b1 = ref MemoryMarshal.GetReference(q1);
        Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
        int width = Vector256<float>.Count;
        int i = 0;
        for (; i <= d - width; i += width)
        {
            nuint at = (nuint)i;
            var x0 = Vector256.LoadUnsafe(ref b0, at);
            var x1 = Vector256.LoadUnsafe(ref b1, at);
            var v = Vector256.LoadUnsafe(ref a0, at);
            s00 = Vector256.FusedMultiplyAdd(v, x0, s00);
            s01 = Vector256.FusedMultiplyAdd(v, x1, s01);
            v = Vector256.LoadUnsafe(ref a1, at);
            s10 = Vector256.FusedMultiplyAdd(v, x0, s10);
            s11 = Vector256.FusedMultiplyAdd(v, x1, s11);
            v = Vector256.LoadUnsafe(ref a2, at);
            s20 = Vector256.FusedMultiplyAdd(v, x0, s20);
            s21 = Vector256.FusedMultiplyAdd(v, x1, s21);
            v = Vector256.LoadUnsafe(ref a3, at);
            s30 = Vector256.FusedMultiplyAdd(v, x0, s30);
            s31 = Vector256.FusedMultiplyAdd(v, x1, s31);
        }

        scores[0] = Vector256.Sum(s00) + Tail(ref a0, ref b0, i, d);
        scores[1] = Vector256.Sum(s01) + Tail(ref a0, ref b1, i, d);
        scores[2] = Vector256.Sum(s10) + Tail(ref a1, ref b0, i, d);
        scores[3] = Vector256.Sum(s11) + Tail(ref a1, ref b1, i, d);
        scores[4] = Vector256.Sum(s20) + Tail(ref a2, ref b0, i, d);
        scores[5] = Vector256.Sum(s21) + Tail(ref a2, ref b1, i, d);
        scores[6] = Vector256.Sum(s30) + Tail(ref a3, ref b0, i, d);
        scores[7] = Vector256.Sum(s31) + Tail(ref a3, ref b1, i, d);
    }

    /// <summary>Writes row i · query j, exactly in integers, into <paramref name="scores"/>[i × 2 + j] for int8 rows
    /// r0…r3 and int16 queries q0, q1, all <paramref name="d"/> long. Each 16-value chunk of a row is widened once
    /// (sbyte → short) and multiplied with both queries by a multiply-add of adjacent pairs (short × short → int), so
    /// a row costs a quarter of a float row's memory traffic and half its multiply-adds. The caller keeps
    /// 127 × max |query code| × d below 2³¹ so no sum overflows.</summary>
    public static void DotInt8x2(
        ref sbyte r0, ref sbyte r1, ref sbyte r2, ref sbyte r3, ref short q0, ref short q1, int d, Span<int> scores)
    {
        int i = 0;
        if (Avx2.IsSupported && d >= Vector256<short>.Count)
        {
            Vector256<int> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<int> s20 = default, s21 = default, s30 = default, s31 = default;
            int width = Vector256<short>.Count;
            for (; i <= d - width; i += width)
            {
                nuint at = (nuint)i;
                var x0 = Vector256.LoadUnsafe(ref q0, at);
                var x1 = Vector256.LoadUnsafe(ref q1, at);
                var v = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, at));
                s00 = Avx2.Add(s00, Avx2.MultiplyAddAdjacent(v, x0));
                s01 = Avx2.Add(s01, Avx2.MultiplyAddAdjacent(v, x1));
                v = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r1, at));
                s10 = Avx2.Add(s10, Avx2.MultiplyAddAdjacent(v, x0));
                s11 = Avx2.Add(s11, Avx2.MultiplyAddAdjacent(v, x1));
                v = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r2, at));
                s20 = Avx2.Add(s20, Avx2.MultiplyAddAdjacent(v, x0));
                s21 = Avx2.Add(s21, Avx2.MultiplyAddAdjacent(v, x1));
                v = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r3, at));
                s30 = Avx2.Add(s30, Avx2.MultiplyAddAdjacent(v, x0));
                s31 = Avx2.Add(s31, Avx2.MultiplyAddAdjacent(v, x1));
            }

            Store(scores, s00, s01, s10, s11, s20, s21, s30, s31);
        }
        else
        {
            scores[..8].Clear();
        }

        for (; i < d; i++)
        {
            int y0 = Unsafe.Add(ref q0, i);
            int y1 = Unsafe.Add(ref q1, i);
            int a = Unsafe.Add(ref r0, i), b = Unsafe.Add(ref r1, i), c = Unsafe.Add(ref r2, i), e = Unsafe.Add(ref r3, i);
            scores[0] += a * y0;
            scores[1] += a * y1;
            scores[2] += b * y0;
            scores[3] += b * y1;
            scores[4] += c * y0;
            scores[5] += c * y1;
            scores[6] += e * y0;
            scores[7] += e * y1;
        }
    }

    /// <summary>Like <see cref="DotInt8x2"/>, for rows already widened to int16 (a tile widened once and scored against
    /// a whole block of queries): no widening in the loop, two loaded query chunks and four row chunks per eight
    /// multiply-adds of 16 pairs each. The same exact integer sums, under the same bound on the query codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotInt16x2(
        ref short r0, ref short r1, ref short r2, ref short r3, ref short q0, ref short q1, int d, Span<int> scores)
    {
        int i = 0;
        if (Avx2.IsSupported && d >= Vector256<short>.Count)
        {
            Vector256<int> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<int> s20 = default, s21 = default, s30 = default, s31 = default;
            int width = Vector256<short>.Count;
            for (; i <= d - width; i += width)
            {
                nuint at = (nuint)i;
                var x0 = Vector256.LoadUnsafe(ref q0, at);
                var x1 = Vector256.LoadUnsafe(ref q1, at);
                var v = Vector256.LoadUnsafe(ref r0, at);
                s00 = MultiplyAdd(s00, v, x0);
                s01 = MultiplyAdd(s01, v, x1);
                v = Vector256.LoadUnsafe(ref r1, at);
                s10 = MultiplyAdd(s10, v, x0);
                s11 = MultiplyAdd(s11, v, x1);
                v = Vector256.LoadUnsafe(ref r2, at);
                s20 = MultiplyAdd(s20, v, x0);
                s21 = MultiplyAdd(s21, v, x1);
                v = Vector256.LoadUnsafe(ref r3, at);
                s30 = MultiplyAdd(s30, v, x0);
                s31 = MultiplyAdd(s31, v, x1);
            }

            Store(scores, s00, s01, s10, s11, s20, s21, s30, s31);
        }
        else
        {
            scores[..8].Clear();
        }

        for (; i < d; i++)
        {
            int y0 = Unsafe.Add(ref q0, i);
            int y1 = Unsafe.Add(ref q1, i);
            int a = Unsafe.Add(ref r0, i), b = Unsafe.Add(ref r1, i), c = Unsafe.Add(ref r2, i), e = Unsafe.Add(ref r3, i);
            scores[0] += a * y0;
            scores[1] += a * y1;
            scores[2] += b * y0;
            scores[3] += b * y1;
            scores[4] += c * y0;
            scores[5] += c * y1;
            scores[6] += e * y0;
            scores[7] += e * y1;
        }
    }

    /// <summary>Widens int8 codes to int16 (<paramref name="destination"/> at least as long as <paramref name="source"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(ReadOnlySpan<sbyte> source, Span<short> destination)
    {
        int d = source.Length;
        ref sbyte from = ref MemoryMarshal.GetReference(source);
        ref short to = ref MemoryMarshal.GetReference(destination[..d]);
        int i = 0;
        if (Avx2.IsSupported)
        {
            for (; i <= d - Vector256<short>.Count; i += Vector256<short>.Count)
            {
                Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
            }
        }

        for (; i < d; i++)
        {
            Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
        }
    }

    /// <summary>sum + the products of adjacent int16 pairs, summed into int32 lanes: one AVX-VNNI instruction
    /// (<c>vpdpwssd</c>) where the CPU has it, else AVX2's multiply-add of pairs and an add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MultiplyAdd(Vector256<int> sum, Vector256<short> left, Vector256<short> right) =>
        AvxVnni.IsSupported ? AvxVnni.MultiplyWideningAndAdd(sum, left, right) : Avx2.Add(sum, Avx2.MultiplyAddAdjacent(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(
        Span<int> scores, Vector256<int> s00, Vector256<int> s01, Vector256<int> s10, Vector256<int> s11,
        Vector256<int> s20, Vector256<int> s21, Vector256<int> s30, Vector256<int> s31)
    {
        scores[0] = Vector256.Sum(s00);
        scores[1] = Vector256.Sum(s01);
        scores[2] = Vector256.Sum(s10);
        scores[3] = Vector256.Sum(s11);
        scores[4] = Vector256.Sum(s20);
        scores[5] = Vector256.Sum(s21);
        scores[6] = Vector256.Sum(s30);
        scores[7] = Vector256.Sum(s31);
    }

    /// <summary>The largest query code for <paramref name="d"/> dimensions: at most <see cref="short.MaxValue"/>, and
    /// small enough that 127 × code × d fits an int.</summary>
    public static int MaxQueryCode(int d) => (int)Math.Min(short.MaxValue, int.MaxValue / (127L * d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(ref float a, ref float b, int from, int to)
    {
        float sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        }

        return sum;
    }
}
