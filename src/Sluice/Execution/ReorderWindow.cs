using System.Numerics;

namespace Sluice.Execution;

/// <summary>
/// The reorder window: holds finished results until every earlier one has been handed out, so output keeps input
/// order. The run never has more than its read-ahead limit of items taken and not handed out, so an index always maps
/// to a free place once the ring has grown to that size; it starts small and doubles when an index needs it, so a
/// short run or one with no slow item never pays for the whole limit. Not thread-safe; the run's lock guards it.
/// </summary>
internal sealed class ReorderWindow<T>
{
    private const int InitialSize = 64;
    private readonly int _maxSize;
    private T[] _places;
    private bool[] _ready;
    private long _next;
    private int _count;
    private int _readyRun; // ready places in a row from _next: what the consumer can take now

    /// <param name="capacity">The most results outstanding at once (the read-ahead limit).</param>
    public ReorderWindow(int capacity)
    {
        _maxSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity));
        int size = Math.Min(InitialSize, _maxSize);
        _places = new T[size];
        _ready = new bool[size];
    }

    /// <summary>Results held, ready or not.</summary>
    public int Count => _count;

    /// <summary>Results held back behind an earlier unfinished one (not takeable now).</summary>
    public int HeldBehindHead => _count - _readyRun;

    /// <summary>Whether the next result in order is here.</summary>
    public bool CanTake => _readyRun > 0;

    public void Put(long index, T value)
    {
        if (index - _next >= _places.Length)
        {
            Grow(index - _next + 1);
        }

        int mask = _places.Length - 1;
        int place = (int)(index & mask);
        _places[place] = value;
        _ready[place] = true;
        _count++;
        if (index == _next + _readyRun)
        {
            do
            {
                _readyRun++;
            }
            while (_readyRun < _count && _ready[(int)((_next + _readyRun) & mask)]);
        }
    }

    public bool TryTake(out T value)
    {
        if (_readyRun == 0)
        {
            value = default!;
            return false;
        }

        int place = (int)(_next & (_places.Length - 1));
        value = _places[place];
        _places[place] = default!;
        _ready[place] = false;
        _next++;
        _count--;
        _readyRun--;
        return true;
    }

    private void Grow(long needed)
    {
        if (needed > _maxSize)
        {
            throw new InvalidOperationException("Reorder window overflow: more results outstanding than the read-ahead allows.");
        }

        int size = (int)BitOperations.RoundUpToPowerOf2((uint)needed);
        var places = new T[size];
        var ready = new bool[size];
        int oldMask = _places.Length - 1;
        for (long i = _next; i < _next + _places.Length; i++)
        {
            int from = (int)(i & oldMask);
            if (_ready[from])
            {
                places[(int)(i & (size - 1))] = _places[from];
                ready[(int)(i & (size - 1))] = true;
            }
        }

        _places = places;
        _ready = ready;
    }
}
