namespace Sluice.Execution;

/// <summary>
/// The reorder window: holds finished results until every earlier one has been handed out, so output keeps input
/// order. Its capacity is the run's read-ahead limit: the engine never has more items taken and not yet handed out,
/// so an index always maps to a free place. Not thread-safe; the run's lock guards it.
/// </summary>
internal sealed class ReorderWindow<T>
{
    private readonly T[] _places;
    private readonly bool[] _ready;
    private long _next;
    private int _count;

    public ReorderWindow(int capacity)
    {
        _places = new T[capacity];
        _ready = new bool[capacity];
    }

    public int Count => _count;

    public void Put(long index, T value)
    {
        int place = (int)(index % _places.Length);
        _places[place] = value;
        _ready[place] = true;
        _count++;
    }

    public bool TryTake(out T value)
    {
        int place = (int)(_next % _places.Length);
        if (!_ready[place])
        {
            value = default!;
            return false;
        }

        value = _places[place];
        _places[place] = default!;
        _ready[place] = false;
        _next++;
        _count--;
        return true;
    }
}
