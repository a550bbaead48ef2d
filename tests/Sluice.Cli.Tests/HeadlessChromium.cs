using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket, no browser download, no package): open
/// a page, record every network request it makes, evaluate script in it, take a screenshot. Started with the flags this
/// machine's closed network needs and a fresh profile; killed (its process tree, by id) on dispose.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly string _profile;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<JsonObject> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The README's test command sets up everything on a fresh Debian machine: when Chromium is missing, install
    /// Debian's package once (apt-get, as root; an index refresh only if the first attempt fails).</summary>
    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Executable))
        {
            return;
        }

        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(Executable) && await AptGetAsync("install", "-y", "chromium") != 0)
            {
                await AptGetAsync("update");
                await AptGetAsync("install", "-y", "chromium");
            }
        }
        finally
        {
            Installing.Release();
        }
    }

    private static async Task<int> AptGetAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await Task.WhenAll(output, errors);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no apt-get on this machine: the assertion after it names what is missing
        }
    }

    public static async Task<HeadlessChromium> StartAsync()
    {
        await EnsureInstalledAsync();
        Assert.True(File.Exists(Executable), $"{Executable} is missing and apt-get could not install it: install Debian's chromium (apt-get install -y chromium).");
        string profile = Path.Combine(Path.GetTempPath(), "sluice-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
            "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank",
        })
        {
            start.ArgumentList.Add(flag);
        }

        var process = Process.Start(start)!;
        var browser = new HeadlessChromium(process, profile);
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Regex.Match(line, @"DevTools listening on (ws://\S+)") is { Success: true } match)
            {
                endpoint.TrySetResult(match.Groups[1].Value);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            string url = await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await browser._socket.ConnectAsync(new Uri(url), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }

        browser._receiving = browser.ReceiveAsync();
        return browser;
    }

    /// <summary>Opens <paramref name="file"/> in a new tab, waits for its load event, and returns the tab's session and
    /// the URL of every request the tab made.</summary>
    public async Task<Page> OpenAsync(string file, int width = 1280, int height = 900)
    {
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        string session = attached["sessionId"]!.GetValue<string>();
        await SendAsync("Network.enable", null, session);
        await SendAsync("Page.enable", null, session);
        await SendAsync("Log.enable", null, session);
        await SendAsync("Runtime.enable", null, session);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, session);
        string url = new Uri(file).AbsoluteUri;
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, session);
        var page = new Page(this, session, url);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await page.EvaluateAsync("document.readyState === 'complete' ? location.href : ''"))?.GetValue<string>() != url)
        {
            await Task.Delay(10, timeout.Token); // loaded when the tab shows this file, complete
        }

        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await SendAsync("Browser.close", null).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is TimeoutException or WebSocketException or OperationCanceledException or InvalidOperationException)
        {
        }

        try
        {
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _socket.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal async Task<JsonObject> SendAsync(string method, JsonObject? parameters, string? session = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        var answer = await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (answer["error"] is { } error)
        {
            throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
        }

        return answer["result"]?.AsObject() ?? new JsonObject();
    }

    internal IReadOnlyList<JsonObject> Events(string method, string session) =>
        [.. _events.Where(e => e["method"]?.GetValue<string>() == method && e["sessionId"]?.GetValue<string>() == session)];

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var json = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (json["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var reply))
                {
                    reply.TrySetResult(json);
                }
                else if (json["method"] is not null)
                {
                    _events.Enqueue(json);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>One open tab.</summary>
    internal sealed class Page(HeadlessChromium browser, string session, string url)
    {
        public string Url => url;

        /// <summary>The URL of every request the tab sent, the page itself included.</summary>
        public IReadOnlyList<string> Requests =>
            [.. browser.Events("Network.requestWillBeSent", session).Select(e => e["params"]!["request"]!["url"]!.GetValue<string>())];

        /// <summary>What the tab logged as an error (a Content-Security-Policy violation, a failed load) and the
        /// exceptions its scripts threw.</summary>
        public IReadOnlyList<string> Errors =>
        [
            .. browser.Events("Log.entryAdded", session)
                .Where(e => e["params"]!["entry"]!["level"]!.GetValue<string>() == "error")
                .Select(e => e["params"]!["entry"]!["text"]!.GetValue<string>()),
            .. browser.Events("Runtime.exceptionThrown", session).Select(e => e["params"]!.ToJsonString()),
            .. browser.Events("Runtime.consoleAPICalled", session)
                .Where(e => e["params"]!["type"]!.GetValue<string>() == "error")
                .Select(e => e["params"]!.ToJsonString()),
        ];

        /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value as JSON.</summary>
        public async Task<JsonNode?> EvaluateAsync(string expression)
        {
            var result = await browser.SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, session);
            if (result["exceptionDetails"] is { } exception)
            {
                throw new InvalidOperationException("the page's script failed: " + exception.ToJsonString());
            }

            return result["result"]!["value"];
        }

        /// <summary>A PNG of the page from its top, at most <paramref name="maxHeight"/> CSS pixels tall.</summary>
        public async Task<byte[]> ScreenshotAsync(int maxHeight)
        {
            var metrics = await browser.SendAsync("Page.getLayoutMetrics", null, session);
            var size = metrics["cssContentSize"]!;
            double width = size["width"]!.GetValue<double>(), height = Math.Min(size["height"]!.GetValue<double>(), maxHeight);
            var shot = await browser.SendAsync("Page.captureScreenshot", new JsonObject
            {
                ["format"] = "png",
                ["captureBeyondViewport"] = true,
                ["clip"] = new JsonObject { ["x"] = 0, ["y"] = 0, ["width"] = width, ["height"] = height, ["scale"] = 1 },
            }, session);
            return Convert.FromBase64String(shot["data"]!.GetValue<string>());
        }
    }
}
