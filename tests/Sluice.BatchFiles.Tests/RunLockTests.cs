namespace Sluice.BatchFiles.Tests;

public sealed class RunLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_held_lock_keeps_a_second_one_out_until_it_is_let_go()
    {
        Assert.True(RunLock.TryAcquire(_dir.Path, out var first));
        Assert.Equal(Path.Combine(_dir.Path, "run.lock"), first.Path);
        Assert.True(File.Exists(first.Path));

        Assert.False(RunLock.TryAcquire(_dir.Path, out var second));
        Assert.Null(second);

        first.Dispose();
        Assert.True(RunLock.TryAcquire(_dir.Path, out var third));
        third.Dispose();
    }
}
