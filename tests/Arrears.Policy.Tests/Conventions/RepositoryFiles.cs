namespace Arrears.Policy.Tests.Conventions;

/// <summary>Finds files of the repository checkout the tests were built from.</summary>
internal static class RepositoryFiles
{
    private const string Marker = "Arrears.Policy.sln";

    /// <summary>Gets the repository root: the nearest directory above the test binaries that holds the solution file.</summary>
    public static DirectoryInfo Root { get; } = FindRoot();

    public static string PathOf(string relativePath) =>
        Path.Combine(Root.FullName, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    private static DirectoryInfo FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, Marker)))
            {
                return directory;
            }
        }

        throw new DirectoryNotFoundException($"No {Marker} above {AppContext.BaseDirectory}; these tests run from a checkout of the repository.");
    }
}
