using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Sluice.Testing;

namespace Sluice.LocalEmbeddings.Tests;

public sealed class NativeMemoryTrimmerTests
{
    [Fact]
    public void A_trim_runs_at_most_once_per_interval_and_only_after_a_call_finished()
    {
        var time = new FakeTimeProvider();
        int trims = 0;
        using var trimmer = new NativeMemoryTrimmer(TimeSpan.FromSeconds(5), time, () => { trims++; return true; });

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, trims); // idle: nothing to give back

        trimmer.NoteWork();
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, trims); // not before the interval
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, trims);

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(1, trims); // idle again

        trimmer.NoteWork();
        trimmer.NoteWork();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, trims); // many calls in one interval: one trim
        Assert.Equal(2, trimmer.Trims);
    }

    [Fact]
    public async Task The_generator_trims_after_its_calls_and_not_while_idle()
    {
        using var generator = new LocalEmbeddingGenerator(new LocalEmbeddingOptions { NativeMemoryTrimInterval = TimeSpan.FromMilliseconds(100) });
        var trimmer = generator.TrimmerForTests;
        if (!IsGlibc())
        {
            Assert.Null(trimmer); // no malloc_trim: nothing runs
            return;
        }

        Assert.NotNull(trimmer);
        await Task.Delay(400);
        Assert.Equal(0, trimmer.Trims);

        await generator.GenerateAsync(SampleTexts.Mixed(50, seed: 3));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (trimmer.WorkPending && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20); // the tick after the last group trims once more
        }

        int afterCall = trimmer.Trims;
        Assert.True(afterCall >= 1, "no trim after the call");
        await Task.Delay(500); // five intervals with no call
        Assert.Equal(afterCall, trimmer.Trims);
    }

    [Fact]
    public void Zero_turns_trimming_off_and_a_negative_interval_is_refused_by_name()
    {
        using var generator = new LocalEmbeddingGenerator(new LocalEmbeddingOptions { NativeMemoryTrimInterval = TimeSpan.Zero });
        Assert.Null(generator.TrimmerForTests);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingOptions { NativeMemoryTrimInterval = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Contains(nameof(LocalEmbeddingOptions.NativeMemoryTrimInterval), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trim_gives_free_pages_inside_the_C_librarys_heap_back_to_the_system()
    {
        if (!IsGlibc())
        {
            Assert.False(NativeMemoryTrimmer.TrimNow());
            return;
        }

        // 192 MB of small blocks (malloc's heap, not mappings of their own), written so they are resident, then all
        // freed but the last: the free memory lies below a block in use, where glibc's own trimming of the heap's top
        // never reaches it.
        const int Blocks = 48 * 1_024;
        const int Size = 4_096;
        byte[] ones = new byte[Size];
        Array.Fill(ones, (byte)1);
        var blocks = new nint[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(Size); // malloc on Unix
            Marshal.Copy(ones, 0, blocks[i], Size);
        }

        for (int i = 0; i < Blocks - 1; i++)
        {
            Marshal.FreeHGlobal(blocks[i]);
        }

        long freed = ResidentBytes();
        Assert.True(NativeMemoryTrimmer.TrimNow());
        long trimmed = ResidentBytes();
        Marshal.FreeHGlobal(blocks[^1]);

        Assert.True(freed - trimmed > 128L * 1_048_576, $"resident {freed / 1_048_576} MB after the frees, {trimmed / 1_048_576} MB after the trim");
    }

    private static bool IsGlibc() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out nint library) && NativeLibrary.TryGetExport(library, "malloc_trim", out _);

    /// <summary>The resident set from /proc/self/statm (pages × page size).</summary>
    private static long ResidentBytes() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
}
