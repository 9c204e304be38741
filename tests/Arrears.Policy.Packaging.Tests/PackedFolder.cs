using System.IO.Compression;
using System.Xml.Linq;

namespace Arrears.Policy.Packaging.Tests;

/// <summary>
/// The repository these tests were built from and the packages <c>dotnet pack -c Release -o artifacts</c> put in its
/// <c>artifacts/</c> folder.
/// </summary>
/// <remarks>
/// The packages are made by <c>.ci/run</c> (after the build, before the tests) or by hand. Where they are missing or
/// were packed from another commit, <see cref="PackagesFactAttribute"/> skips the tests that need them on a workstation
/// and lets them run, and fail, when <c>CI=true</c>.
/// </remarks>
internal static class PackedFolder
{
    private static readonly Lazy<string?> Problem = new(FindProblem);

    /// <summary>Gets the repository root: the nearest directory above the test binaries that holds the solution file.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Gets the folder the packages are packed to.</summary>
    public static string Folder => Path.Combine(Root, "artifacts");

    /// <summary>Gets the version every package has: <c>VersionPrefix</c> of the root Directory.Build.props.</summary>
    public static string PackageVersion { get; } = ReadVersion();

    /// <summary>Gets the package id of every project under src/, each of which ships as a package.</summary>
    public static IReadOnlyList<string> ExpectedIds { get; } = ReadExpectedIds();

    /// <summary>Gets why the packages cannot be tested here, or <see langword="null"/> when they can.</summary>
    public static string? Unavailable => Problem.Value;

    /// <summary>
    /// Returns why a test that needs the packages is skipped: never when they are there, never in CI (<c>CI=true</c>),
    /// where missing packages must fail the test, and otherwise the reason they cannot be tested.
    /// </summary>
    public static string? SkipReason(string? unavailable, string? ci) =>
        unavailable is null || string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{unavailable} (with CI=true this test fails instead of skipping)";

    /// <summary>Fails the test with the reason when the packages cannot be tested.</summary>
    public static void Require()
    {
        if (Unavailable is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }

    /// <summary>Gets the path of a package of <see cref="PackageVersion"/>: <c>.nupkg</c>, or <c>.snupkg</c> for its symbols.</summary>
    public static string PackagePath(string id, string extension = ".nupkg") => Path.Combine(Folder, $"{id}.{PackageVersion}{extension}");

    /// <summary>Reads the .nuspec of a package.</summary>
    public static XElement Nuspec(string id)
    {
        using var archive = ZipFile.OpenRead(PackagePath(id));
        var entry = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    /// <summary>Gets a child of a nuspec element by local name, whatever the schema's namespace.</summary>
    public static XElement? Child(XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    /// <summary>Gets the commit a package was packed from (its repository/@commit).</summary>
    public static string? CommitOf(string id) =>
        Child(Child(Nuspec(id), "metadata")!, "repository")?.Attribute("commit")?.Value;

    private static string? FindProblem()
    {
        var missing = ExpectedIds.Where(id => !File.Exists(PackagePath(id))).ToList();
        if (missing.Count > 0)
        {
            return $"artifacts/ has no {string.Join(", ", missing)} {PackageVersion}: run `dotnet pack -c Release -o artifacts` at the repository root first";
        }

        var head = ProcessRunner.Run("git", ["rev-parse", "HEAD"], Root, TimeSpan.FromSeconds(30));
        var packed = CommitOf("Arrears.Policy");
        return head.ExitCode == 0 && packed is not null && head.Output.Trim() != packed
            ? $"artifacts/ was packed from commit {packed}, the checkout is at {head.Output.Trim()}: run `dotnet pack -c Release -o artifacts` again"
            : null;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Arrears.Policy.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Arrears.Policy.sln above {AppContext.BaseDirectory}; these tests run from a checkout of the repository.");
    }

    private static string ReadVersion()
    {
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        return props.Descendants("VersionPrefix").Single().Value.Trim();
    }

    private static List<string> ReadExpectedIds() =>
        [.. Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => XDocument.Load(path).Descendants("PackageId").FirstOrDefault()?.Value.Trim() ?? Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal)];
}

/// <summary>A test that needs the packed packages: skipped with the reason on a workstation without them, run in CI.</summary>
public sealed class PackagesFactAttribute : FactAttribute
{
    public PackagesFactAttribute()
    {
        Skip = PackedFolder.SkipReason(PackedFolder.Unavailable, Environment.GetEnvironmentVariable("CI"));
    }
}
