using System.Buffers;
using System.Numerics.Tensors;

namespace Sluice.Rag;

/// <summary>
/// The in-memory side of the index: every vector, unit-normalised, in one contiguous array (row-major), as floats or
/// as int8 codes with one scale per row. Rows are dense: removing a row moves the last row into its place. Not
/// thread-safe; <see cref="VectorIndex"/> guards it.
/// </summary>
internal sealed class VectorMatrix(int dimensions, bool int8)
{
    private float[] _floats = [];
    private sbyte[] _codes = [];
    private float[] _scales = [];

    public int Dimensions => dimensions;

    public bool IsInt8 => int8;

    public int Count { get; private set; }

    public long Bytes => int8 ? _codes.LongLength + _scales.LongLength * sizeof(float) : _floats.LongLength * sizeof(float);

    /// <summary>Writes <paramref name="vector"/> (normalised here) into <paramref name="row"/>; row == Count appends.</summary>
    public void Set(int row, ReadOnlySpan<float> vector)
    {
        if (row == Count)
        {
            Grow(Count + 1);
            Count++;
        }

        Span<float> unit = vector.Length <= 1024 ? stackalloc float[vector.Length] : new float[vector.Length];
        float norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, norm > 0 ? norm : 1f, unit);
        if (int8)
        {
            float max = MathF.Abs(TensorPrimitives.MaxMagnitude(unit)); // MaxMagnitude keeps the sign
            float scale = max > 0 ? max / 127f : 1f;
            var codes = _codes.AsSpan(row * dimensions, dimensions);
            for (int i = 0; i < unit.Length; i++)
            {
                codes[i] = (sbyte)Math.Clamp(MathF.Round(unit[i] / scale), -127, 127);
            }

            _scales[row] = scale;
        }
        else
        {
            unit.CopyTo(_floats.AsSpan(row * dimensions, dimensions));
        }
    }

    /// <summary>Moves the last row into <paramref name="row"/> and drops the last row.</summary>
    public void RemoveByMovingLast(int row)
    {
        int last = Count - 1;
        if (row != last)
        {
            if (int8)
            {
                _codes.AsSpan(last * dimensions, dimensions).CopyTo(_codes.AsSpan(row * dimensions, dimensions));
                _scales[row] = _scales[last];
            }
            else
            {
                _floats.AsSpan(last * dimensions, dimensions).CopyTo(_floats.AsSpan(row * dimensions, dimensions));
            }
        }

        Count--;
    }

    /// <summary>Reserves room for <paramref name="rows"/> rows.</summary>
    public void Grow(int rows)
    {
        int capacity = int8 ? _scales.Length : _floats.Length / dimensions;
        if (rows <= capacity)
        {
            return;
        }

        int next = Math.Max(rows, Math.Max(1024, (int)Math.Min(int.MaxValue / dimensions, capacity * 3L / 2)));
        if (int8)
        {
            Array.Resize(ref _codes, checked(next * dimensions));
            Array.Resize(ref _scales, next);
        }
        else
        {
            Array.Resize(ref _floats, checked(next * dimensions));
        }
    }

    /// <summary>Scores rows [<paramref name="from"/>, <paramref name="to"/>) against each query of a block (unit vectors,
    /// <paramref name="queries"/>.Length = count × dimensions). Blocked: <see cref="RowTile"/> rows at a time are scored
    /// against every query of the block, <see cref="RowTile"/> × 2 dot products per pass, so each row is read from memory
    /// once per block and each query load serves <see cref="RowTile"/> rows. Int8 rows are scored in integers against
    /// int16 codes of the queries (one scale per query, made here once per call): score = row scale × query scale ×
    /// integer dot.</summary>
    public void ScoreBlock(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        int count = heaps.Length;
        int d = dimensions;
        short[]? codes = null;
        Span<float> queryScales = count <= 256 ? stackalloc float[count] : new float[count];
        if (int8)
        {
            codes = ArrayPool<short>.Shared.Rent(count * d);
            QuantiseQueries(queries, count, codes, queryScales);
        }

        try
        {
            Span<int> tileRows = stackalloc int[RowTile];
            Span<float> scores = stackalloc float[RowTile * 2];
            Span<int> dots = stackalloc int[RowTile * 2];
            int row = from;
            while (row < to)
            {
                int n = 0;
                for (; n < RowTile && row < to; row++)
                {
                    if (allowed is null || allowed[row])
                    {
                        tileRows[n++] = row;
                    }
                }

                if (n == 0)
                {
                    break;
                }

                for (int q = 0; q < count; q += 2)
                {
                    int q1 = q + 1 < count ? q + 1 : q;
                    if (int8)
                    {
                        DotCodes(tileRows[..n], codes!, q, q1, dots);
                        for (int r = 0; r < n; r++)
                        {
                            float scale = _scales[tileRows[r]];
                            scores[r * 2] = dots[r * 2] * scale * queryScales[q];
                            scores[(r * 2) + 1] = dots[(r * 2) + 1] * scale * queryScales[q1];
                        }
                    }
                    else
                    {
                        DotRows(tileRows[..n], queries.Slice(q * d, d), queries.Slice(q1 * d, d), scores);
                    }

                    for (int r = 0; r < n; r++)
                    {
                        Offer(heaps[q], scores[r * 2], tileRows[r]);
                        if (q + 1 < count)
                        {
                            Offer(heaps[q + 1], scores[(r * 2) + 1], tileRows[r]);
                        }
                    }
                }
            }
        }
        finally
        {
            if (codes is not null)
            {
                ArrayPool<short>.Shared.Return(codes);
            }
        }
    }

    /// <summary>Rows scored per pass of the blocked kernel.</summary>
    internal const int RowTile = 4;

    private static void Offer(TopK heap, float score, int row)
    {
        if (score > heap.Threshold)
        {
            heap.Offer(score, row);
        }
    }

    /// <summary>Rounds each query to int16 codes with its own symmetric scale (max |x| ÷ the largest code): an error of
    /// at most half a code, about 2⁻¹⁶ of the largest value, far below the rows' int8 rounding.</summary>
    private void QuantiseQueries(ReadOnlySpan<float> queries, int count, short[] codes, Span<float> scales)
    {
        int d = dimensions;
        int largest = DotKernel.MaxQueryCode(d);
        for (int q = 0; q < count; q++)
        {
            var query = queries.Slice(q * d, d);
            float max = MathF.Abs(TensorPrimitives.MaxMagnitude(query));
            float scale = max > 0 ? max / largest : 1f;
            var target = codes.AsSpan(q * d, d);
            for (int i = 0; i < d; i++)
            {
                target[i] = (short)Math.Clamp(MathF.Round(query[i] / scale), -largest, largest);
            }

            scales[q] = scale;
        }
    }

    private void DotCodes(ReadOnlySpan<int> rows, short[] codes, int q0, int q1, Span<int> dots)
    {
        int d = dimensions;
        ref sbyte r0 = ref _codes[rows[0] * d];
        ref sbyte r1 = ref rows.Length > 1 ? ref _codes[rows[1] * d] : ref r0;
        ref sbyte r2 = ref rows.Length > 2 ? ref _codes[rows[2] * d] : ref r0;
        ref sbyte r3 = ref rows.Length > 3 ? ref _codes[rows[3] * d] : ref r0;
        DotKernel.DotInt8x2(ref r0, ref r1, ref r2, ref r3, ref codes[q0 * d], ref codes[q1 * d], d, dots);
    }

    private void DotRows(ReadOnlySpan<int> rows, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, Span<float> scores)
    {
        int d = dimensions;
        var r0 = _floats.AsSpan(rows[0] * d, d);
        var r1 = rows.Length > 1 ? _floats.AsSpan(rows[1] * d, d) : r0;
        var r2 = rows.Length > 2 ? _floats.AsSpan(rows[2] * d, d) : r0;
        var r3 = rows.Length > 3 ? _floats.AsSpan(rows[3] * d, d) : r0;
        DotKernel.Dot4x2(r0, r1, r2, r3, q0, q1, scores);
    }

    /// <summary>Copies row <paramref name="row"/> out as floats (decoded when int8).</summary>
    public float[] Row(int row)
    {
        var result = new float[dimensions];
        if (int8)
        {
            TensorPrimitives.ConvertChecked<sbyte, float>(_codes.AsSpan(row * dimensions, dimensions), result);
            TensorPrimitives.Multiply(result, _scales[row], result);
        }
        else
        {
            _floats.AsSpan(row * dimensions, dimensions).CopyTo(result);
        }

        return result;
    }
}
