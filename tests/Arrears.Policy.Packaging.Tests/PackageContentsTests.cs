using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using static Arrears.Policy.Packaging.Tests.PackedFolder;

namespace Arrears.Policy.Packaging.Tests;

/// <summary>Every project under src/ is packed with its metadata, README, release notes, symbols and SourceLink commit.</summary>
[Trait("Category", "Packaging")]
public sealed partial class PackageContentsTests
{
    [PackagesFact]
    public void Pack_EverySrcProject_MakesAPackageAndASymbolPackage()
    {
        Require();
        var made = Directory.EnumerateFiles(Folder, $"*.{PackageVersion}.*nupkg").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);

        var missing = ExpectedIds.SelectMany(id => new[] { $"{id}.{PackageVersion}.nupkg", $"{id}.{PackageVersion}.snupkg" }).Where(name => !made.Contains(name)).ToList();

        Assert.True(missing.Count == 0, "Not packed: " + string.Join(", ", missing));
        Assert.Contains("Arrears.Policy", ExpectedIds);
        Assert.Contains("Arrears.Policy.Cli", ExpectedIds);
    }

    [PackagesFact]
    public void Nuspec_EveryPackage_HasIdVersionDescriptionTagsLicenseReadmeReleaseNotesAndCommit()
    {
        Require();
        var problems = new List<string>();
        foreach (var id in ExpectedIds)
        {
            var metadata = Child(Nuspec(id), "metadata")!;
            string? Value(string name) => Child(metadata, name)?.Value;
            void Expect(bool condition, string problem)
            {
                if (!condition)
                {
                    problems.Add($"{id}: {problem}");
                }
            }

            Expect(Value("id") == id, $"id is {Value("id")}");
            Expect(Value("version") == PackageVersion, $"version is {Value("version")}, expected {PackageVersion}");
            Expect(Value("description") is { Length: > 40 } description && !description.Contains("Package Description", StringComparison.Ordinal), "no description of its own");
            Expect((Value("tags") ?? string.Empty).Split(' ').Contains("arrears"), $"tags are \"{Value("tags")}\"");
            var license = Child(metadata, "license");
            Expect(license?.Attribute("type")?.Value == "expression" && license.Value == LicenseOfRepository(), $"license is {license}, expected the expression {LicenseOfRepository()}");
            Expect(Value("readme") == "README.md", $"readme is {Value("readme")}");
            Expect((Value("releaseNotes") ?? string.Empty).Contains("CHANGELOG.md", StringComparison.Ordinal), $"release notes are \"{Value("releaseNotes")}\"");
            Expect(CommitOf(id) is { } commit && Sha().IsMatch(commit), $"no SourceLink commit in repository: {Child(metadata, "repository")}");
            Expect(Value("authors") is { Length: > 0 }, "no authors");

            using var archive = ZipFile.OpenRead(PackagePath(id));
            var files = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Expect(files.Contains("README.md"), "README.md is not packed");
            Expect(files.Contains("CHANGELOG.md"), "CHANGELOG.md is not packed");
            Expect(archive.GetEntry("README.md") is { Length: > 200 }, "its README.md is nearly empty");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [PackagesFact]
    public void Libraries_EveryPackageButTheTool_CarryTheAssemblyItsXmlDocsAndDependenciesAsPackages()
    {
        Require();
        foreach (var id in ExpectedIds.Where(id => id != "Arrears.Policy.Cli"))
        {
            using var archive = ZipFile.OpenRead(PackagePath(id));
            var files = archive.Entries.Select(e => e.FullName).ToList();
            Assert.Contains($"lib/net10.0/{id}.dll", files);
            Assert.Contains($"lib/net10.0/{id}.xml", files);
            Assert.DoesNotContain(files, file => file.EndsWith(".pdb", StringComparison.Ordinal));

            // A package depends on its siblings as packages of the same version, never on a project.
            var dependencies = Nuspec(id).Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
            Assert.All(
                dependencies.Where(d => d.Attribute("id")!.Value.StartsWith("Arrears.Policy", StringComparison.Ordinal)),
                d => Assert.Equal(PackageVersion, d.Attribute("version")!.Value));
        }
    }

    [PackagesFact]
    public void SymbolPackages_EveryPackage_HoldTheirPortablePdbs()
    {
        Require();
        foreach (var id in ExpectedIds)
        {
            using var archive = ZipFile.OpenRead(PackagePath(id, ".snupkg"));
            var assembly = id == "Arrears.Policy.Cli" ? "tools/net10.0/any/arrears.pdb" : $"lib/net10.0/{id}.pdb";
            var entry = archive.GetEntry(assembly);
            Assert.True(entry is not null, $"{id}.snupkg has no {assembly}");
            var documents = PdbDocuments(entry);
            Assert.NotEmpty(documents);
        }
    }

    [CiPackagesFact]
    public void SymbolPackages_PackedInCi_AreDeterministicWithMappedSourcePaths()
    {
        Require();
        foreach (var id in ExpectedIds.Where(id => id != "Arrears.Policy.Cli"))
        {
            using var archive = ZipFile.OpenRead(PackagePath(id, ".snupkg"));
            var documents = PdbDocuments(archive.GetEntry($"lib/net10.0/{id}.pdb")!);

            // ContinuousIntegrationBuild maps the checkout to /_/, so the package does not depend on where it was built.
            var unmapped = documents.Where(document => !document.StartsWith("/_/", StringComparison.Ordinal)).ToList();
            Assert.True(unmapped.Count == 0, $"{id}: unmapped source paths: {string.Join(", ", unmapped.Take(5))}");
        }
    }

    [PackagesFact]
    public void ToolPackage_ArrearsPolicyCli_IsADotnetToolWhoseCommandIsArrears()
    {
        Require();
        using var archive = ZipFile.OpenRead(PackagePath("Arrears.Policy.Cli"));
        var settings = XDocument.Load(archive.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
        var command = settings.Descendants("Command").Single();

        Assert.Equal(("arrears", "arrears.dll"), (command.Attribute("Name")?.Value, command.Attribute("EntryPoint")?.Value));
        var packageType = Nuspec("Arrears.Policy.Cli").Descendants().Single(e => e.Name.LocalName == "packageType");
        Assert.Equal("DotnetTool", packageType.Attribute("name")?.Value);
    }

    /// <summary>The SPDX identifier the first line of LICENSE names ("MIT License" is MIT).</summary>
    private static string LicenseOfRepository()
    {
        var first = File.ReadLines(Path.Combine(Root, "LICENSE")).First().Trim();
        return first.EndsWith(" License", StringComparison.Ordinal) ? first[..^" License".Length] : first;
    }

    private static List<string> PdbDocuments(ZipArchiveEntry entry)
    {
        using var copy = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
        var reader = provider.GetMetadataReader();
        return [.. reader.Documents.Select(handle => reader.GetString(reader.GetDocument(handle).Name))];
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex Sha();
}

/// <summary>A test of what only a CI pack guarantees: skipped with the reason outside CI.</summary>
public sealed class CiPackagesFactAttribute : FactAttribute
{
    public CiPackagesFactAttribute()
    {
        var ci = Environment.GetEnvironmentVariable("CI");
        Skip = string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : "a pack outside CI is not a continuous-integration build (ContinuousIntegrationBuild is set only with CI=true)";
    }
}
