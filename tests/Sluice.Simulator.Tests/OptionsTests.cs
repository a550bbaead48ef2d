namespace Sluice.Simulator.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Invalid_options_are_rejected_naming_the_option()
    {
        Assert.Equal("DropRate", Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatorOptions { DropRate = -0.1 }.Validate()).ParamName);
        Assert.Equal("MaxCompletionTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatorOptions { MaxCompletionTokens = 2 }.Validate()).ParamName);
        Assert.Equal("TokenizerEncoding", Assert.Throws<ArgumentException>(() => new SimulatorOptions { TokenizerEncoding = "gpt2" }.Validate()).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatorOptions { Error500Rate = 0.6, Error503Rate = 0.6 }.Validate());
    }

    [Fact]
    public async Task Admin_config_rejects_unknown_options_and_invalid_values_with_a_400_naming_them()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);

        var unknown = await Http.PostAsync(client, "/admin/config", """{"latency":5}""");
        var invalid = await Http.PostAsync(client, "/admin/config", """{"hang_rate":2}""");
        var ok = await Http.PostAsync(client, "/admin/config", """{"latency_ms":5, "requests_per_minute": 1000}""");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("latency", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("HangRate", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(5, host.Options.LatencyMs);
        Assert.Equal(1000, host.Options.RequestsPerMinute);
    }
}
