using static Arrears.Policy.Packaging.Tests.PackedFolder;

namespace Arrears.Policy.Packaging.Tests;

/// <summary>
/// samples/Arrears.Policy.Consumer, copied out of the repository with the packed packages beside it, restores them
/// from that folder alone, runs on SQLite, and finds every notification, enforcement call and transition it expects.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(SerialProcesses.Name)]
public sealed class ConsumerTests
{
    [PackagesFact]
    public void Consumer_OutsideTheRepositoryWithThePackedFolder_RestoresThePackagesAndGetsEveryDeliveryItExpects()
    {
        Require();
        var work = Directory.CreateTempSubdirectory("arrears-consumer-");
        try
        {
            // The layout the sample's nuget.config expects (../../artifacts), with nothing of the repository around it:
            // no Directory.Build.props, no central package versions, no repository nuget.config.
            var app = Path.Combine(work.FullName, "samples", "Arrears.Policy.Consumer");
            CopyProject(Path.Combine(Root, "samples", "Arrears.Policy.Consumer"), app);
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "artifacts")).FullName;
            foreach (var package in Directory.EnumerateFiles(Folder, $"Arrears.Policy*.{PackageVersion}.nupkg"))
            {
                File.Copy(package, Path.Combine(feed, Path.GetFileName(package)));
            }

            // A packages folder of its own, so that no copy of an earlier pack of the same version is taken from the cache.
            var packages = Path.Combine(work.FullName, "packages");
            var run = ProcessRunner.Run(
                ProcessRunner.Dotnet, ["run", "-c", "Release"], app, TimeSpan.FromMinutes(10),
                new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages });

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("ok: 6 notifications, 2 enforcement calls, 3 transitions as expected", run.Output, StringComparison.Ordinal);
            var commit = CommitOf("Arrears.Policy");
            Assert.Contains("store Arrears.Policy.Sqlite.SqliteArrearsStore", run.Output, StringComparison.Ordinal);
            foreach (var id in new[] { "Arrears.Policy", "Arrears.Policy.Extensions", "Arrears.Policy.Notifications", "Arrears.Policy.Sqlite" })
            {
                Assert.Contains($"package {id} {PackageVersion}+{commit}", run.Output, StringComparison.Ordinal);
                Assert.True(Directory.Exists(Path.Combine(packages, id.ToLowerInvariant(), PackageVersion)), $"{id} {PackageVersion} was not restored from the folder: {run}");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>Tests that run dotnet builds and installs one at a time, so that they do not fight over two cores.</summary>
[CollectionDefinition(Name)]
public sealed class SerialProcesses
{
    public const string Name = "dotnet processes, one at a time";
}
