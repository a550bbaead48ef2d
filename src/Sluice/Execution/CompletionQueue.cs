namespace Sluice.Execution;

/// <summary>
/// Holds finished results in the order they finished, for unordered output. A ring the size of the run's read-ahead
/// limit: never more items are outstanding, so it never overflows. Not thread-safe; the run's lock guards it.
/// </summary>
internal sealed class CompletionQueue<T>
{
    private readonly T[] _places;
    private int _head;
    private int _count;

    public CompletionQueue(int capacity) => _places = new T[capacity];

    public int Count => _count;

    public void Put(T value)
    {
        if (_count == _places.Length)
        {
            throw new InvalidOperationException("Completion queue overflow: more results than the read-ahead allows.");
        }

        int tail = _head + _count;
        if (tail >= _places.Length)
        {
            tail -= _places.Length;
        }

        _places[tail] = value;
        _count++;
    }

    public bool TryTake(out T value)
    {
        if (_count == 0)
        {
            value = default!;
            return false;
        }

        value = _places[_head];
        _places[_head] = default!;
        _head = _head + 1 == _places.Length ? 0 : _head + 1;
        _count--;
        return true;
    }
}
