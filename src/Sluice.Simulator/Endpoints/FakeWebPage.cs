using Sluice.Simulator.Content;

namespace Sluice.Simulator.Endpoints;

/// <summary>Deterministic fake web pages for the Parallel Web Systems endpoints.</summary>
internal static class FakeWebPage
{
    public static string Title(ReplyText text, ulong seed) => text.Generate(seed ^ 0x7171UL, 6).TrimEnd('.');

    public static string PublishDate(ulong seed) =>
        new DateOnly(2020, 1, 1).AddDays((int)(seed % 2000)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static List<string> Excerpts(ReplyText text, ulong seed, int count) =>
        Enumerable.Range(0, count).Select(i => text.Generate(seed + (ulong)i * 31, 24)).ToList();

    public static string FullContent(ReplyText text, ulong seed) =>
        "# " + Title(text, seed) + "\n\n" + string.Join("\n\n", Excerpts(text, seed ^ 0xF00DUL, 5));

    /// <summary>Hosts ending in <c>.invalid</c> and paths containing <c>/error</c> fail to fetch.</summary>
    public static bool Fails(string url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase)
        || uri.AbsolutePath.Contains("/error", StringComparison.OrdinalIgnoreCase);

    /// <summary>A 401 when the <c>x-api-key</c> header is missing or empty, else null.</summary>
    public static SimulatedReply? RequireApiKey(in EndpointRequest request) =>
        request.Http.Headers.TryGetValue("x-api-key", out var key) && !string.IsNullOrWhiteSpace(key.ToString())
            ? null
            : SimulatedReply.Error(401, "Missing or empty x-api-key header.", "authentication_error", null, "unauthorized");
}
