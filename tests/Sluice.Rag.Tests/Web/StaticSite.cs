using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sluice.Rag.Tests;

/// <summary>A static web site on 127.0.0.1 (Kestrel, port 0) with the pages a crawler meets: good ones, slow ones,
/// huge ones, redirect chains and loops, wrong content types.</summary>
public sealed class StaticSite : IAsyncLifetime
{
    public const int HugeBytes = 3 * 1024 * 1024;

    private WebApplication _app = null!;
    private int _holding;
    private int _peakHolding;
    private long _trickleBytes;

    public Uri BaseAddress { get; private set; } = null!;

    public int PeakHolding => Volatile.Read(ref _peakHolding);

    public string Url(string path) => new Uri(BaseAddress, path).AbsoluteUri;

    public void ResetPeak() => Volatile.Write(ref _peakHolding, 0);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/pages/{name}", (string name) => Results.Content($"<html><head><title>Page &amp; {name}</title></head><body><p>The page called {name}.</p></body></html>", "text/html; charset=utf-8"));
        _app.MapGet("/text", () => Results.Text("plain words", "text/plain"));
        _app.MapGet("/latin1", () => Results.Bytes(Encoding.Latin1.GetBytes("café crème"), "text/plain; charset=iso-8859-1"));
        _app.MapGet("/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
            return Results.Content("<p>finally</p>", "text/html");
        });
        _app.MapGet("/trickle", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/html";
            for (int i = 0; i < 200 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.WriteAsync("<p>drip</p>", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                Interlocked.Add(ref _trickleBytes, 11);
                await Task.Delay(TimeSpan.FromMilliseconds(100), context.RequestAborted);
            }
        });
        _app.MapGet("/huge", () => Results.Bytes(new byte[HugeBytes], "text/html"));
        _app.MapGet("/huge-chunked", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            var block = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            for (int sent = 0; sent < HugeBytes; sent += block.Length)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        });
        _app.MapGet("/image", () => Results.Bytes([0x89, 0x50, 0x4E, 0x47], "image/png"));
        _app.MapGet("/octet", () => Results.Bytes(Encoding.UTF8.GetBytes("<html>looks like html</html>"), "application/octet-stream"));
        _app.MapGet("/untyped", async (HttpContext context) => await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("who knows")));
        _app.MapGet("/loop/a", () => Results.Redirect("/loop/b"));
        _app.MapGet("/loop/b", () => Results.Redirect("/loop/a"));
        _app.MapGet("/chain/{n:int}", (int n) => n < 10 ? Results.Redirect($"/chain/{n + 1}") : Results.Content("<title>end of chain</title>", "text/html"));
        _app.MapGet("/moved", () => Results.Redirect("/pages/target", permanent: true));
        _app.MapGet("/to-ftp", () => Results.Redirect("ftp://127.0.0.1/file"));
        _app.MapGet("/missing", () => Results.NotFound());
        _app.MapGet("/hold/{i:int}", async (int i, HttpContext context) =>
        {
            int now = Interlocked.Increment(ref _holding);
            int peak;
            while (now > (peak = Volatile.Read(ref _peakHolding)) && Interlocked.CompareExchange(ref _peakHolding, now, peak) != peak)
            {
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(150), context.RequestAborted);
                return Results.Text($"held {i}", "text/plain");
            }
            finally
            {
                Interlocked.Decrement(ref _holding);
            }
        });
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
