using System.Net;
using OpenAI.Embeddings;

namespace Sluice.Simulator.Tests;

public sealed class EmbeddingAndModelTests
{
    [Fact]
    public async Task The_SDK_parses_unit_length_deterministic_embeddings_of_the_requested_width()
    {
        await using var host = await SimulatorHost.StartAsync();
        var embeddings = Http.OpenAI(host).GetEmbeddingClient("text-embedding-3-small");
        var options = new EmbeddingGenerationOptions { Dimensions = 64 };

        OpenAIEmbeddingCollection first = await embeddings.GenerateEmbeddingsAsync(["alpha", "beta", "alpha"], options);
        OpenAIEmbedding again = await embeddings.GenerateEmbeddingAsync("alpha", options);

        Assert.Equal(3, first.Count);
        foreach (var e in first)
        {
            var v = e.ToFloats().Span;
            Assert.Equal(64, v.Length);
            double norm = Math.Sqrt(v.ToArray().Sum(x => (double)x * x));
            Assert.InRange(norm, 0.999, 1.001);
        }
        Assert.Equal(first[0].ToFloats().ToArray(), first[2].ToFloats().ToArray());
        Assert.Equal(first[0].ToFloats().ToArray(), again.ToFloats().ToArray());
        Assert.NotEqual(first[0].ToFloats().ToArray(), first[1].ToFloats().ToArray());
        Assert.Equal(3, first.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Float_encoding_gives_the_same_vector_as_base64()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { EmbeddingDimensions = 8 });
        using var client = Http.Client(host);

        var asFloat = System.Text.Json.JsonDocument.Parse(await (await Http.PostAsync(client, "/v1/embeddings", """{"model":"e","input":"x","encoding_format":"float"}""")).Content.ReadAsStringAsync());
        var asBase64 = System.Text.Json.JsonDocument.Parse(await (await Http.PostAsync(client, "/v1/embeddings", """{"model":"e","input":"x","encoding_format":"base64"}""")).Content.ReadAsStringAsync());

        float[] floats = asFloat.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        byte[] bytes = Convert.FromBase64String(asBase64.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(8, floats.Length);
        Assert.Equal(floats, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
    }

    [Theory]
    [InlineData("""{"model":"e","input":""}""", "input")]
    [InlineData("""{"model":"e","input":[]}""", "input")]
    [InlineData("""{"model":"e"}""", "input")]
    [InlineData("""{"input":"x"}""", "model")]
    public async Task Invalid_embedding_requests_get_a_400_naming_the_parameter(string body, string param)
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);

        var response = await Http.PostAsync(client, "/v1/embeddings", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task The_SDK_lists_the_configured_models()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Models = ["sim-a", "sim-b"] });

        var models = (await Http.OpenAI(host).GetOpenAIModelClient().GetModelsAsync()).Value;

        Assert.Equal(["sim-a", "sim-b"], models.Select(m => m.Id).ToArray());
    }
}
