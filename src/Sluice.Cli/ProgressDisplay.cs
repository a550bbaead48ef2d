using System.Globalization;
using Sluice.BatchFiles;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>
/// Shows a run's counts while it goes: on a terminal a live panel (refreshed four times a second), otherwise one plain
/// status line every few seconds. Both on standard error, so standard output carries only the final summary.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly Func<BatchRunSnapshot> _read;
    private readonly Func<bool> _costLimitReached;
    private readonly IAnsiConsole _console;
    private readonly bool _live;
    private readonly TimeSpan _plainInterval;

    /// <summary>The display on standard error: a live panel when it is a terminal (<see cref="StatusDisplay.IsLive"/>),
    /// else a plain line every <see cref="StatusDisplay.PlainInterval"/>.</summary>
    public static ProgressDisplay ForStandardError(Func<BatchRunSnapshot> read, Func<bool> costLimitReached) =>
        new(read, costLimitReached, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), StatusDisplay.IsLive, StatusDisplay.PlainInterval());

    public ProgressDisplay(Func<BatchRunSnapshot> read, Func<bool> costLimitReached, IAnsiConsole console, bool live, TimeSpan plainInterval)
    {
        _read = read;
        _costLimitReached = costLimitReached;
        _console = console;
        _live = live;
        _plainInterval = plainInterval;
    }

    /// <summary>Shows progress until <paramref name="finished"/> completes.</summary>
    public async Task ShowUntilAsync(Task finished)
    {
        if (_live)
        {
            await _console.Live(Render(_read())).AutoClear(false).StartAsync(async context =>
            {
                while (!finished.IsCompleted)
                {
                    await Task.WhenAny(finished, Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System)).ConfigureAwait(false);
                    context.UpdateTarget(Render(_read()));
                }
            }).ConfigureAwait(false);
            return;
        }

        while (!finished.IsCompleted)
        {
            await Task.WhenAny(finished, Task.Delay(_plainInterval, TimeProvider.System)).ConfigureAwait(false);
            if (!finished.IsCompleted)
            {
                Console.Error.WriteLine("sluice: " + StatusLine(_read()));
            }
        }
    }

    /// <summary>One line with every count: the plain status line and the final summary.</summary>
    public static string StatusLine(BatchRunSnapshot s)
    {
        var c = CultureInfo.InvariantCulture;
        string total = s.Total is { } t ? t.ToString("N0", c) : "?";
        string percent = s.Total is > 0 ? string.Create(c, $" ({100.0 * s.Done / s.Total.Value:F1}%)") : string.Empty;
        string eta = s.EstimatedRemaining is { } left && s.Done < s.Total ? $", ETA {Duration(left)}" : string.Empty;
        string limit = s.ConcurrencyLimit > 0 ? $" (limit {s.ConcurrencyLimit})" : string.Empty;
        string notSent = s.NotSent > 0 ? $", not sent {s.NotSent.ToString("N0", c)}" : string.Empty;
        return string.Create(c,
            $"{s.Done:N0}/{total} done{percent}, {s.ItemsPerSecond:N1}/s{eta}, in flight {s.InFlight}{limit}, " +
            $"ok {s.Succeeded:N0}, failed {s.Failed:N0}{notSent}, retries {s.Retries:N0}, 429s {s.RateLimited:N0}, " +
            $"cache hits {s.CacheHits:N0}, {s.OutputTokensPerMinute:N0} output tok/min, cost {Cost(s.Cost)}, {Duration(s.Elapsed)} elapsed");
    }

    public static string Cost(decimal? dollars) =>
        dollars is { } d ? "$" + d.ToString(d < 1 ? "0.0000" : "N2", CultureInfo.InvariantCulture) : "unknown";

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:D2}m"
        : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:D2}s"
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:F1}s");

    private Spectre.Console.Rendering.IRenderable Render(BatchRunSnapshot s)
    {
        var c = CultureInfo.InvariantCulture;
        double ratio = s.Total is > 0 ? Math.Min(1, (double)s.Done / s.Total.Value) : 0;
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]done[/]", string.Create(c, $"{s.Done:N0} / {(s.Total is { } t ? t.ToString("N0", c) : "?")}  {Bar(ratio)} {ratio * 100:F1}%"));
        grid.AddRow("rate", string.Create(c, $"{s.ItemsPerSecond:N1}/s, ETA {(s.EstimatedRemaining is { } e ? Duration(e) : "?")}, elapsed {Duration(s.Elapsed)}"));
        grid.AddRow("in flight", string.Create(c, $"{s.InFlight} (concurrency limit {(s.ConcurrencyLimit > 0 ? s.ConcurrencyLimit.ToString(c) : "?")})"));
        grid.AddRow("outcomes", string.Create(c, $"[green]ok {s.Succeeded:N0}[/], [red]failed {s.Failed:N0}[/], resumed {s.Resumed:N0}{(s.NotSent > 0 ? $", not sent {s.NotSent:N0}" : string.Empty)}"));
        grid.AddRow("provider", string.Create(c, $"retries {s.Retries:N0}, 429s {s.RateLimited:N0}, cache hits {s.CacheHits:N0}"));
        grid.AddRow("tokens", string.Create(c, $"in {s.InputTokens:N0}, out {s.OutputTokens:N0} ({s.OutputTokensPerMinute:N0}/min)"));
        grid.AddRow("cost", Cost(s.Cost) + (_costLimitReached() ? " [yellow](--max-cost reached: no new requests)[/]" : string.Empty));
        return new Panel(grid).Header("sluice run").Border(BoxBorder.Rounded);
    }

    private static string Bar(double ratio)
    {
        int filled = (int)Math.Round(ratio * 30);
        return "[green]" + new string('━', filled) + "[/][grey]" + new string('━', 30 - filled) + "[/]";
    }
}
