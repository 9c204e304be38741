using System.Xml.Linq;
using static Arrears.Policy.Packaging.Tests.PackedFolder;

namespace Arrears.Policy.Packaging.Tests;

/// <summary>The files that make packing and consuming work: versions, NuGet configuration, the consumer's isolation.</summary>
[Trait("Category", "Packaging")]
public sealed class PackagingSetupTests
{
    private static readonly string Consumer = Path.Combine(Root, "samples", "Arrears.Policy.Consumer");

    [Fact]
    public void ConsumerProject_ArrearsPolicyVersion_IsTheRepositoryVersionPrefix()
    {
        var project = XDocument.Load(Path.Combine(Consumer, "Arrears.Policy.Consumer.csproj"));

        Assert.Equal(PackageVersion, project.Descendants("ArrearsPolicyVersion").Single().Value);
        Assert.Matches(@"^\d+\.\d+\.\d+$", PackageVersion);
    }

    [Fact]
    public void ConsumerProject_References_ArePackagesNeverProjects()
    {
        var project = XDocument.Load(Path.Combine(Consumer, "Arrears.Policy.Consumer.csproj"));

        Assert.Empty(project.Descendants("ProjectReference"));
        Assert.Contains(project.Descendants("PackageReference"), r => r.Attribute("Include")?.Value == "Arrears.Policy.Extensions");
        Assert.DoesNotContain("Arrears.Policy.Consumer", File.ReadAllText(Path.Combine(Root, "Arrears.Policy.sln")), StringComparison.Ordinal);
    }

    [Fact]
    public void ConsumerFolder_StandsAlone_WithItsOwnBuildPropsPackageVersionsAndEditorConfig()
    {
        // Without these files MSBuild and the analyzers would pick up the repository's, and the consumer would not be
        // built as an application outside the repository is.
        Assert.DoesNotContain("Import", File.ReadAllText(Path.Combine(Consumer, "Directory.Build.props")), StringComparison.Ordinal);
        var packages = XDocument.Load(Path.Combine(Consumer, "Directory.Packages.props"));
        Assert.Equal("false", packages.Descendants("ManagePackageVersionsCentrally").Single().Value);
        Assert.Contains("root = true", File.ReadAllText(Path.Combine(Consumer, ".editorconfig")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nuget.config", "artifacts")]
    [InlineData("samples/Arrears.Policy.Consumer/nuget.config", "../../artifacts")]
    public void NuGetConfig_ArrearsPackages_ComeOnlyFromTheArtifactsFolderAndEverythingElseFromNuGetOrg(string file, string folder)
    {
        var config = XDocument.Load(Path.Combine(Root, file)).Root!;

        var local = Assert.Single(config.Element("packageSources")!.Elements("add"));
        Assert.Equal(("arrears-local", folder), (local.Attribute("key")?.Value, local.Attribute("value")?.Value));
        var mapping = config.Element("packageSourceMapping")!.Elements("packageSource")
            .ToDictionary(s => s.Attribute("key")!.Value, s => s.Elements("package").Select(p => p.Attribute("pattern")!.Value).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["*"], mapping["nuget.org"]);
        Assert.Equal(["Arrears.Policy", "Arrears.Policy.*"], mapping["arrears-local"]);
        Assert.Null(config.Element("packageSources")!.Element("clear"));
    }

    [Fact]
    public void NuGetConfigs_AllOfTheRepository_NameNoRegistryAddress()
    {
        var configs = Directory.EnumerateFiles(Root, "*.config", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path).Equals("nuget.config", StringComparison.OrdinalIgnoreCase))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(configs);
        Assert.All(configs, path => Assert.DoesNotContain("://", File.ReadAllText(path), StringComparison.Ordinal));
    }

    [Fact]
    public void SrcProjects_Every_IsPackedWithValidationSymbolsAndTheSharedMetadata()
    {
        var props = File.ReadAllText(Path.Combine(Root, "src", "Directory.Build.props"));
        foreach (var setting in new[]
                 {
                     "<IsPackable>true</IsPackable>", "<EnablePackageValidation>true</EnablePackageValidation>",
                     "<IncludeSymbols>true</IncludeSymbols>", "<SymbolPackageFormat>snupkg</SymbolPackageFormat>",
                     "<PublishRepositoryUrl>true</PublishRepositoryUrl>", "<PackageReadmeFile>README.md</PackageReadmeFile>",
                 })
        {
            Assert.Contains(setting, props, StringComparison.Ordinal);
        }

        // No project opts out or sets a version of its own: one version, from VersionPrefix in the root props.
        foreach (var project in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(project);
            Assert.DoesNotContain("<IsPackable>false", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<Version>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<VersionPrefix>", text, StringComparison.Ordinal);
            Assert.True(XDocument.Load(project).Descendants("Description").Any(), $"{project} has no Description");
        }
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(null, "true", null)]
    [InlineData("no packages", "true", null)]
    [InlineData("no packages", "TRUE", null)]
    [InlineData("no packages", null, "no packages (with CI=true this test fails instead of skipping)")]
    [InlineData("no packages", "false", "no packages (with CI=true this test fails instead of skipping)")]
    public void SkipReason_PackagesAndCi_SkipsOnlyOutsideCiWhenUnavailable(string? unavailable, string? ci, string? expected)
    {
        Assert.Equal(expected, SkipReason(unavailable, ci));
    }
}
