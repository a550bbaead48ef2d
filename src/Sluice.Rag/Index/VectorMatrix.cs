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
    /// <paramref name="queries"/>.Length = count × dimensions), row by row so each row is read once for the whole block.</summary>
    public void ScoreBlock(ReadOnlySpan<float> queries, TopK[] heaps, int from, int to, bool[]? allowed)
    {
        int count = heaps.Length;
        Span<float> decoded = int8 ? new float[dimensions] : default;
        for (int row = from; row < to; row++)
        {
            if (allowed is not null && !allowed[row])
            {
                continue;
            }

            ReadOnlySpan<float> vector;
            float scale = 1f;
            if (int8)
            {
                TensorPrimitives.ConvertChecked<sbyte, float>(_codes.AsSpan(row * dimensions, dimensions), decoded);
                vector = decoded;
                scale = _scales[row];
            }
            else
            {
                vector = _floats.AsSpan(row * dimensions, dimensions);
            }

            for (int q = 0; q < count; q++)
            {
                float score = TensorPrimitives.Dot(vector, queries.Slice(q * dimensions, dimensions)) * scale;
                if (score > heaps[q].Threshold)
                {
                    heaps[q].Offer(score, row);
                }
            }
        }
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
