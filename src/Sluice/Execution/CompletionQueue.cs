namespace Sluice.Execution;

/// <summary>
/// Holds finished results in the order they finished, for unordered output. A ring of the run's window size:
/// never more items are outstanding, so it never overflows. Not thread-safe; the run guards it.
/// </summary>
internal sealed class CompletionQueue<T>
{
    private readonly T[] _slots;
    private int _head;
    private int _count;

    public CompletionQueue(int capacity) => _slots = new T[capacity];

    public int Count => _count;

    public void Put(T value)
    {
        if (_count == _slots.Length)
        {
            throw new InvalidOperationException("Completion queue overflow: more results than the window allows.");
        }

        int tail = _head + _count;
        if (tail >= _slots.Length)
        {
            tail -= _slots.Length;
        }

        _slots[tail] = value;
        _count++;
    }

    public bool TryTake(out T value)
    {
        if (_count == 0)
        {
            value = default!;
            return false;
        }

        value = _slots[_head];
        _slots[_head] = default!;
        _head = _head + 1 == _slots.Length ? 0 : _head + 1;
        _count--;
        return true;
    }
}
