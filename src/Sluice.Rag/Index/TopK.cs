namespace Sluice.Rag;

/// <summary>The best <c>k</c> (score, row) pairs seen so far: a min-heap on score, so a candidate costs one compare
/// unless it beats the current k-th.</summary>
internal sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _rows;

    public TopK(int k)
    {
        _scores = new float[k];
        _rows = new int[k];
    }

    public int Count { get; private set; }

    /// <summary>The score a candidate must beat once the heap is full.</summary>
    public float Threshold => Count < _scores.Length ? float.NegativeInfinity : _scores[0];

    public void Offer(float score, int row)
    {
        if (Count < _scores.Length)
        {
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (_scores[parent] <= score)
                {
                    break;
                }

                _scores[i] = _scores[parent];
                _rows[i] = _rows[parent];
                i = parent;
            }

            _scores[i] = score;
            _rows[i] = row;
        }
        else if (score > _scores[0])
        {
            SiftDown(score, row);
        }
    }

    public void MergeInto(TopK other)
    {
        for (int i = 0; i < Count; i++)
        {
            other.Offer(_scores[i], _rows[i]);
        }
    }

    /// <summary>The pairs, best first.</summary>
    public (float Score, int Row)[] Sorted()
    {
        var result = new (float Score, int Row)[Count];
        for (int i = 0; i < Count; i++)
        {
            result[i] = (_scores[i], _rows[i]);
        }

        Array.Sort(result, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return result;
    }

    private void SiftDown(float score, int row)
    {
        int i = 0;
        int n = Count;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && _scores[child + 1] < _scores[child])
            {
                child++;
            }

            if (_scores[child] >= score)
            {
                break;
            }

            _scores[i] = _scores[child];
            _rows[i] = _rows[child];
            i = child;
        }

        _scores[i] = score;
        _rows[i] = row;
    }
}
