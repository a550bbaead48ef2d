using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Sluice.Testing;

/// <summary>A real <c>redis-server</c> (Debian's package; <c>.ci/run</c> installs it) on a free port of 127.0.0.1,
/// with no persistence, stopped when the tests are done.</summary>
public sealed class RedisServer : IAsyncLifetime, IDisposable
{
    private Process? _process;

    /// <summary>Starts a server of its own for one test (a class fixture shares one among a class's tests).</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        await server.InitializeAsync();
        return server;
    }

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false";

    public async Task InitializeAsync()
    {
        string server = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
            : throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; .ci/run does this).");
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _process = Process.Start(new ProcessStartInfo(server)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (int i = 0; ; i++)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (i < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5_000);
        }

        _process?.Dispose();
        _process = null;
    }
}
