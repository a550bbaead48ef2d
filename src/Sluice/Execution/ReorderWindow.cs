namespace Sluice.Execution;

/// <summary>
/// Holds finished results until every earlier one has been handed out, so output keeps input order.
/// Its capacity is the run's window: the engine never has more items taken and not yet handed out,
/// so an index always maps to a free slot. Not thread-safe; the run guards it.
/// </summary>
internal sealed class ReorderWindow<T>
{
    private readonly T[] _slots;
    private readonly bool[] _ready;
    private long _next;
    private int _count;

    public ReorderWindow(int capacity)
    {
        _slots = new T[capacity];
        _ready = new bool[capacity];
    }

    public int Count => _count;

    public void Put(long index, T value)
    {
        int slot = (int)(index % _slots.Length);
        _slots[slot] = value;
        _ready[slot] = true;
        _count++;
    }

    public bool TryTake(out T value)
    {
        int slot = (int)(_next % _slots.Length);
        if (!_ready[slot])
        {
            value = default!;
            return false;
        }

        value = _slots[slot];
        _slots[slot] = default!;
        _ready[slot] = false;
        _next++;
        _count--;
        return true;
    }
}
