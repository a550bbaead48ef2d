namespace Sluice.Execution;

/// <summary>Presents an <see cref="IEnumerator{T}"/> as an <see cref="IAsyncEnumerator{T}"/> without allocating per item.</summary>
internal sealed class SyncSourceEnumerator<T>(IEnumerator<T> inner) : IAsyncEnumerator<T>
{
    public T Current => inner.Current;

    public ValueTask<bool> MoveNextAsync() => new(inner.MoveNext());

    public ValueTask DisposeAsync()
    {
        inner.Dispose();
        return default;
    }
}
