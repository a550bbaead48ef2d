using System.Net.Http.Json;

namespace Sluice.Testing;

/// <summary>Demand far above a limit: one worker sending small chat requests back to back until stopped. Shared by
/// the budget tests and the budget benchmark, which measure what the provider (the simulator) saw.</summary>
internal static class ChatLoad
{
    public static async Task SendUntilAsync(HttpClient http, string worker, CancellationToken stop, string model = "gpt-4o-mini")
    {
        int i = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.PostAsJsonAsync("chat/completions", new
                {
                    model,
                    messages = new[] { new { role = "user", content = $"{worker} request {i++}" } },
                    max_tokens = 8,
                }, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // a connection reset under load: send the next one
            }
        }
    }
}
