using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sluice.Simulator.Endpoints;

namespace Sluice.Simulator;

/// <summary><c>GET /stats</c>, <c>POST /admin/reset</c>, <c>GET|POST /admin/config</c> and <c>POST /admin/force-429</c>.</summary>
internal static class AdminEndpoints
{
    public static void Map(WebApplication app, SimulatorState state)
    {
        app.MapGet("/stats", context => WriteAsync(context, 200,
            JsonSerializer.SerializeToUtf8Bytes(state.Counters.Snapshot(), SimulatorJsonContext.Default.StatsSnapshot)));
        app.MapPost("/admin/reset", context =>
        {
            state.Reset();
            return WriteAsync(context, 200, """{"reset":true}"""u8.ToArray());
        });
        app.MapGet("/admin/config", context => WriteAsync(context, 200,
            JsonSerializer.SerializeToUtf8Bytes(state.Options, SimulatorJsonContext.Default.SimulatorOptions)));
        app.MapPost("/admin/config", async context =>
        {
            try
            {
                var patch = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
                    ?? throw new JsonException("expected a JSON object of options to change");
                state.Apply(Merge(state.Options, patch));
                await WriteAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(state.Options, SimulatorJsonContext.Default.SimulatorOptions));
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidDataException)
            {
                await WriteAsync(context, 400, SimulatedReply.ErrorBody(ex.Message, "invalid_request_error", (ex as ArgumentException)?.ParamName, null));
            }
        });
        app.MapPost("/admin/force-429", context =>
        {
            int count = int.TryParse(context.Request.Query["count"], out int c) ? c : 1;
            double ms = double.TryParse(context.Request.Query["retry_after_ms"], System.Globalization.CultureInfo.InvariantCulture, out double m) ? m : 1000;
            if (count < 0 || ms < 0)
                return WriteAsync(context, 400, SimulatedReply.ErrorBody("count and retry_after_ms must be zero or positive.", "invalid_request_error", "count", null));
            state.Limits.Force(count, TimeSpan.FromMilliseconds(ms));
            return WriteAsync(context, 200, """{"forced":true}"""u8.ToArray());
        });
    }

    /// <summary>Overlays the snake_case properties of <paramref name="patch"/> on <paramref name="current"/>; unknown names are rejected.</summary>
    public static SimulatorOptions Merge(SimulatorOptions current, JsonObject patch)
    {
        var merged = JsonSerializer.SerializeToNode(current, SimulatorJsonContext.Default.SimulatorOptions)!.AsObject();
        foreach (var (name, value) in patch)
        {
            if (!merged.ContainsKey(name))
                throw new JsonException($"Unknown option '{name}'. Known options: {string.Join(", ", merged.Select(p => p.Key))}.");
            merged[name] = value?.DeepClone();
        }
        return merged.Deserialize(SimulatorJsonContext.Default.SimulatorOptions)!
            with { Port = current.Port, MaxSeconds = current.MaxSeconds };
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }
}
