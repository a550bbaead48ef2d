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
    /// once per block and each query load serves <see cref="RowTile"/> rows. Int8 rows are scored in integers
    /// (<see cref="ScoreInIntegers"/> for one or two queries, <see cref="ScoreWidenedTiles"/> for more).</summary>
    public void ScoreBlock(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        if (int8)
        {
            if (heaps.Length <= IntegerKernelQueries)
            {
                ScoreInIntegers(queries, heaps, from, to, allowed);
            }
            else
            {
                ScoreWidenedTiles(queries, heaps, from, to, allowed);
            }

            return;
        }

        int count = heaps.Length;
        Span<int> tileRows = stackalloc int[RowTile];
        Span<float> scores = stackalloc float[RowTile * 2];
        int row = from;
        while (row < to)
        {
            int n = NextTile(ref row, to, allowed, tileRows);
            if (n == 0)
            {
                break;
            }

            for (int q = 0; q < count; q += 2)
            {
                var q0 = queries.Slice(q * dimensions, dimensions);
                var q1 = q + 1 < count ? queries.Slice((q + 1) * dimensions, dimensions) : q0;
                DotRows(tileRows[..n], q0, q1, scores);
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

    /// <summary>Rows scored per pass of the blocked kernel.</summary>
    internal const int RowTile = 4;

    /// <summary>Queries an int8 block scores straight from the int8 rows (<see cref="DotKernel.DotInt8x2"/>); larger
    /// blocks widen each row tile to int16 once and score it against every query (<see cref="DotKernel.DotInt16x2"/>).</summary>
    internal const int IntegerKernelQueries = 2;

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

    /// <summary>Rounds each query of <paramref name="queries"/> to int16 codes with its own scale (an error of about
    /// 2⁻¹⁶ of its largest value, far below the rows' int8 rounding), capped so no integer dot can overflow.</summary>
    private void RoundQueries(ReadOnlySpan<float> queries, Span<short> codes, Span<float> scales)
    {
        int d = dimensions;
        int largest = DotKernel.MaxQueryCode(d);
        for (int q = 0; q < scales.Length; q++)
        {
            var query = queries.Slice(q * d, d);
            float max = MathF.Abs(TensorPrimitives.MaxMagnitude(query));
            float scale = max > 0 ? max / largest : 1f;
            var target = codes.Slice(q * d, d);
            for (int i = 0; i < d; i++)
            {
                target[i] = (short)Math.Clamp(MathF.Round(query[i] / scale), -largest, largest);
            }

            scales[q] = scale;
        }
    }

    /// <summary>Scores int8 rows against one or two queries in integers (<see cref="RoundQueries"/>): each row chunk is
    /// widened once and multiplied with both queries (<see cref="DotKernel.DotInt8x2"/>); score = row scale × query
    /// scale × integer dot. Nothing is decoded, so a single query reads a quarter of a float row's bytes.</summary>
    private void ScoreInIntegers(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        int count = heaps.Length;
        int d = dimensions;
        short[] codes = new short[count * d];
        Span<float> queryScales = stackalloc float[IntegerKernelQueries];
        RoundQueries(queries, codes, queryScales[..count]);
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

    /// <summary>Scores int8 rows against a block of more than <see cref="IntegerKernelQueries"/> queries in integers,
    /// with the same rounded queries as <see cref="ScoreInIntegers"/>: each tile of <see cref="RowTile"/> rows is widened
    /// to int16 once (3 KB at 384 dimensions, kept in L1) and scored against every pair of queries
    /// (<see cref="DotKernel.DotInt16x2"/>: 16 products per instruction, where the float kernel does 8). The integer
    /// sums are exact, so a query scores the same alone and inside a block. Compiled optimised from its first call
    /// (single searches never run it, so without that a process's first int8 <c>SearchMany</c> ran unoptimised code).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ScoreWidenedTiles(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        int count = heaps.Length;
        int d = dimensions;
        short[] codes = new short[count * d];
        float[] queryScales = new float[count];
        RoundQueries(queries, codes, queryScales);
        short[] wide = new short[RowTile * d];
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

            for (int r = 0; r < n; r++)
            {
                DotKernel.Widen(CodeRow(tileRows[r]), wide.AsSpan(r * d, d));
            }

            ref short w0 = ref wide[0];
            ref short w1 = ref n > 1 ? ref wide[d] : ref w0;
            ref short w2 = ref n > 2 ? ref wide[2 * d] : ref w0;
            ref short w3 = ref n > 3 ? ref wide[3 * d] : ref w0;
            for (int q = 0; q < count; q += 2)
            {
                int q1 = q + 1 < count ? q + 1 : q;
                DotKernel.DotInt16x2(ref w0, ref w1, ref w2, ref w3, ref codes[q * d], ref codes[q1 * d], d, dots);
                for (int r = 0; r < n; r++)
                {
                    float rowScale = _scales[tileRows[r]];
                    Offer(heaps[q], dots[r * 2] * rowScale * queryScales[q], tileRows[r]);
                    if (q1 != q)
                    {
                        Offer(heaps[q1], dots[(r * 2) + 1] * rowScale * queryScales[q1], tileRows[r]);
                    }
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

    private void DotRows(ReadOnlySpan<int> rows, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, Span<float> scores)
    {
        int d = dimensions;
        ReadOnlySpan<float> r0 = FloatRow(rows[0]);
        var r1 = rows.Length > 1 ? FloatRow(rows[1]) : r0;
        var r2 = rows.Length > 2 ? FloatRow(rows[2]) : r0;
        var r3 = rows.Length > 3 ? FloatRow(rows[3]) : r0;
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
