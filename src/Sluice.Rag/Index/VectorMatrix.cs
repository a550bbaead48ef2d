using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Sluice.Rag;

/// <summary>
/// The in-memory side of the index: every vector, unit-normalised, in one contiguous array (row-major), as floats or
/// as int8 codes with one scale per row. Rows are dense: removing a row moves the last row into its place. Not
/// thread-safe; <see cref="VectorIndex"/> guards it.
/// </summary>
internal sealed class VectorMatrix(int dimensions, bool int8)
{
    private float[] _floats = [];
    private int _floatStart; // row 0's index in _floats: on a 64-byte boundary (AlignedArray)
    private sbyte[] _codes = [];
    private int _codeStart;
    private float[] _scales = [];
    private int _capacity;

    public int Dimensions => dimensions;

    public bool IsInt8 => int8;

    public int Count { get; private set; }

    public long Bytes => int8 ? _codes.LongLength + _scales.LongLength * sizeof(float) : _floats.LongLength * sizeof(float);

    /// <summary>Bytes from row 0 to the previous 64-byte boundary: 0 once anything is allocated (for tests).</summary>
    internal int RowMisalignment => int8 ? AlignedArray.Misalignment(_codes, _codeStart) : AlignedArray.Misalignment(_floats, _floatStart);

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
            var codes = CodeRow(row);
            for (int i = 0; i < unit.Length; i++)
            {
                codes[i] = (sbyte)Math.Clamp(MathF.Round(unit[i] / scale), -127, 127);
            }

            _scales[row] = scale;
        }
        else
        {
            unit.CopyTo(FloatRow(row));
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
                CodeRow(last).CopyTo(CodeRow(row));
                _scales[row] = _scales[last];
            }
            else
            {
                FloatRow(last).CopyTo(FloatRow(row));
            }
        }

        Count--;
    }

    /// <summary>Reserves room for <paramref name="rows"/> rows.</summary>
    public void Grow(int rows)
    {
        int capacity = _capacity;
        if (rows <= capacity)
        {
            return;
        }

        int next = Math.Max(rows, Math.Max(1024, (int)Math.Min((int.MaxValue / dimensions) - AlignedArray.Alignment, capacity * 3L / 2)));
        int used = Count * dimensions;
        if (int8)
        {
            var codes = AlignedArray.Allocate<sbyte>(checked(next * dimensions), out int start);
            _codes.AsSpan(_codeStart, used).CopyTo(codes.AsSpan(start));
            (_codes, _codeStart) = (codes, start);
            Array.Resize(ref _scales, next);
        }
        else
        {
            var floats = AlignedArray.Allocate<float>(checked(next * dimensions), out int start);
            _floats.AsSpan(_floatStart, used).CopyTo(floats.AsSpan(start));
            (_floats, _floatStart) = (floats, start);
        }

        _capacity = next;
    }

    private Span<float> FloatRow(int row) => _floats.AsSpan(_floatStart + (row * dimensions), dimensions);

    private Span<sbyte> CodeRow(int row) => _codes.AsSpan(_codeStart + (row * dimensions), dimensions);

    /// <summary>Scores rows [<paramref name="from"/>, <paramref name="to"/>) against each query of a block (unit vectors,
    /// <paramref name="queries"/>.Length = count × dimensions). Blocked: <see cref="RowTile"/> rows at a time are scored
    /// against every query of the block, <see cref="RowTile"/> × 2 dot products per pass, so each row is read from memory
    /// once per block and each query load serves <see cref="RowTile"/> rows. Int8 rows are decoded once per tile (the
    /// decoding is shared by the whole block), and scored like floats.</summary>
    public void ScoreBlock(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        if (int8 && heaps.Length <= IntegerKernelQueries)
        {
            ScoreInIntegers(queries, heaps, from, to, allowed);
            return;
        }

        int count = heaps.Length;
        int d = dimensions;
        Span<int> tileRows = stackalloc int[RowTile];
        Span<float> scores = stackalloc float[RowTile * 2];
        float[]? decoded = int8 ? new float[RowTile * d] : null;
        int row = from;
        while (row < to)
        {
            int n = NextTile(ref row, to, allowed, tileRows);
            if (n == 0)
            {
                break;
            }

            ReadOnlySpan<float> tile = int8 ? Decode(tileRows[..n], decoded!) : default;
            for (int q = 0; q < count; q += 2)
            {
                var q0 = queries.Slice(q * d, d);
                var q1 = q + 1 < count ? queries.Slice((q + 1) * d, d) : q0;
                if (int8)
                {
                    DotTile(tile, n, d, q0, q1, scores);
                }
                else
                {
                    DotRows(tileRows[..n], q0, q1, scores);
                }

                for (int r = 0; r < n; r++)
                {
                    float scale = int8 ? _scales[tileRows[r]] : 1f;
                    Offer(heaps[q], scores[r * 2] * scale, tileRows[r]);
                    if (q + 1 < count)
                    {
                        Offer(heaps[q + 1], scores[(r * 2) + 1] * scale, tileRows[r]);
                    }
                }
            }
        }
    }

    /// <summary>Rows scored per pass of the blocked kernel.</summary>
    internal const int RowTile = 4;

    /// <summary>Int8 searches of at most this many queries (a single <see cref="VectorIndex.Search"/>) score the rows in
    /// integers (<see cref="ScoreInIntegers"/>); larger blocks decode each row tile to floats once for the whole block,
    /// which measured faster for them (docs/benchmarks.md, issue 11, second and third passes).</summary>
    internal const int IntegerKernelQueries = 2;

    /// <summary>Scores int8 rows against one or two queries in integers: each query is rounded to int16 codes with its
    /// own scale (an error of about 2⁻¹⁶ of its largest value, far below the rows' int8 rounding), each row chunk is
    /// widened once and multiplied with both queries (<see cref="DotKernel.DotInt8x2"/>); score = row scale × query
    /// scale × integer dot. Nothing is decoded, so a single query reads a quarter of a float row's bytes.</summary>
    /// <summary>Fills <paramref name="tileRows"/> with the next rows from <paramref name="row"/> on that the filter
    /// allows (all of them without one), up to a tile's worth; returns how many.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int NextTile(ref int row, int to, bool[]? allowed, Span<int> tileRows)
    {
        int n = 0;
        for (; n < tileRows.Length && row < to; row++)
        {
            if (allowed is null || allowed[row])
            {
                tileRows[n++] = row;
            }
        }

        return n;
    }

    private void ScoreInIntegers(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        int count = heaps.Length;
        int d = dimensions;
        short[] codes = new short[count * d];
        Span<float> queryScales = stackalloc float[IntegerKernelQueries];
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

            queryScales[q] = scale;
        }

        int q1 = count > 1 ? 1 : 0;
        Span<int> tileRows = stackalloc int[RowTile];
        Span<int> dots = stackalloc int[RowTile * 2];
        int row = from;
        while (row < to)
        {
            int n = NextTile(ref row, to, allowed, tileRows);
            if (n == 0)
            {
                break;
            }

            ref sbyte r0 = ref MemoryMarshal.GetReference(CodeRow(tileRows[0]));
            ref sbyte r1 = ref n > 1 ? ref MemoryMarshal.GetReference(CodeRow(tileRows[1])) : ref r0;
            ref sbyte r2 = ref n > 2 ? ref MemoryMarshal.GetReference(CodeRow(tileRows[2])) : ref r0;
            ref sbyte r3 = ref n > 3 ? ref MemoryMarshal.GetReference(CodeRow(tileRows[3])) : ref r0;
            DotKernel.DotInt8x2(ref r0, ref r1, ref r2, ref r3, ref codes[0], ref codes[q1 * d], d, dots);
            for (int r = 0; r < n; r++)
            {
                float rowScale = _scales[tileRows[r]];
                Offer(heaps[0], dots[r * 2] * rowScale * queryScales[0], tileRows[r]);
                if (count > 1)
                {
                    Offer(heaps[1], dots[(r * 2) + 1] * rowScale * queryScales[1], tileRows[r]);
                }
            }
        }
    }

    private static void Offer(TopK heap, float score, int row)
    {
        if (score > heap.Threshold)
        {
            heap.Offer(score, row);
        }
    }

    private ReadOnlySpan<float> Decode(ReadOnlySpan<int> rows, float[] decoded)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            TensorPrimitives.ConvertChecked<sbyte, float>(
                CodeRow(rows[r]), decoded.AsSpan(r * dimensions, dimensions));
        }

        return decoded.AsSpan(0, rows.Length * dimensions);
    }

    private void DotRows(ReadOnlySpan<int> rows, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, Span<float> scores)
    {
        int d = dimensions;
        ReadOnlySpan<float> r0 = FloatRow(rows[0]);
        var r1 = rows.Length > 1 ? FloatRow(rows[1]) : r0;
        var r2 = rows.Length > 2 ? FloatRow(rows[2]) : r0;
        var r3 = rows.Length > 3 ? FloatRow(rows[3]) : r0;
        DotKernel.Dot4x2(r0, r1, r2, r3, q0, q1, scores);
    }

    private static void DotTile(ReadOnlySpan<float> tile, int n, int d, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, Span<float> scores)
    {
        var r0 = tile[..d];
        var r1 = n > 1 ? tile.Slice(d, d) : r0;
        var r2 = n > 2 ? tile.Slice(2 * d, d) : r0;
        var r3 = n > 3 ? tile.Slice(3 * d, d) : r0;
        DotKernel.Dot4x2(r0, r1, r2, r3, q0, q1, scores);
    }

    /// <summary>Copies row <paramref name="row"/> out as floats (decoded when int8).</summary>
    public float[] Row(int row)
    {
        var result = new float[dimensions];
        if (int8)
        {
            TensorPrimitives.ConvertChecked<sbyte, float>(CodeRow(row), result);
            TensorPrimitives.Multiply(result, _scales[row], result);
        }
        else
        {
            FloatRow(row).CopyTo(result);
        }

        return result;
    }
}
