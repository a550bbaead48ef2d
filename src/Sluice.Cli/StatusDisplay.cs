using System.Globalization;

namespace Sluice.Cli;

/// <summary>A one-line status on standard error while a task runs: rewritten in place four times a second on a
/// terminal, else printed as a plain line every few seconds (<c>SLUICE_STATUS_SECONDS</c>, default 5). Standard output
/// stays free for results.</summary>
internal static class StatusDisplay
{
    /// <summary>Whether standard error is a terminal that takes live updates.</summary>
    public static bool IsLive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    public static async Task ShowUntilAsync(Task finished, Func<string> status)
    {
        bool live = IsLive;
        var interval = live ? TimeSpan.FromMilliseconds(250) : PlainInterval();
        int width = 0;
        while (!finished.IsCompleted)
        {
            await Task.WhenAny(finished, Task.Delay(interval, TimeProvider.System)).ConfigureAwait(false);
            if (finished.IsCompleted)
            {
                break;
            }

            string line = "sluice: " + status();
            if (live)
            {
                Console.Error.Write("\r" + line.PadRight(width));
                width = line.Length;
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }

        if (live && width > 0)
        {
            Console.Error.Write("\r" + new string(' ', width) + "\r");
        }
    }

    /// <summary>How often a plain status line is printed: <c>SLUICE_STATUS_SECONDS</c>, default 5 seconds.</summary>
    public static TimeSpan PlainInterval() =>
        double.TryParse(Environment.GetEnvironmentVariable("SLUICE_STATUS_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(5);
}
