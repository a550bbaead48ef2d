namespace Sluice.Execution;

/// <summary>Presents an <see cref="IEnumerator{T}"/> as an <see cref="IAsyncEnumerator{T}"/> without allocating per item.</summary>
internal sealed class SyncSourceEnumerator<T>(IEnumerator<T> inner) : IAsyncEnumerator<T>
{
    public T Current => inner.Current;

    public ValueTask<bool> MoveNextAsync() => new(inner.MoveNext());

    /// <summary>Moves on without a <see cref="ValueTask{TResult}"/>: the pump's path for a synchronous source.</summary>
    public bool MoveNext() => inner.MoveNext();

    public ValueTask DisposeAsync()
    {
        inner.Dispose();
        return default;
    }
}
