using System.Text.Json.Nodes;
using static Arrears.Policy.Packaging.Tests.PackedFolder;

namespace Arrears.Policy.Packaging.Tests;

/// <summary>
/// The arrears tool installs from the packed folder with the commands docs/cli.md gives, and its <c>simulate</c> prints
/// the expected timeline of docs/spec/examples/never-paid.scenario.json.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(SerialProcesses.Name)]
public sealed class ToolInstallTests
{
    [PackagesFact]
    public void ToolInstall_InsideTheRepository_TakesThePackageFromArtifactsThroughTheRepositoryNuGetConfig()
    {
        Require();
        var work = Directory.CreateTempSubdirectory("arrears-tool-");
        try
        {
            // The repository's nuget.config maps Arrears.Policy* to artifacts/; dotnet tool install refuses --add-source
            // while package source mapping is on, so none is given.
            var install = Install(Root, work.FullName, []);

            AssertSimulatesNeverPaid(work.FullName, install);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [PackagesFact]
    public void ToolInstall_OutsideTheRepositoryWithAddSource_TakesThePackageFromTheFolder()
    {
        Require();
        var work = Directory.CreateTempSubdirectory("arrears-tool-");
        try
        {
            var elsewhere = Directory.CreateDirectory(Path.Combine(work.FullName, "elsewhere")).FullName;

            var install = Install(elsewhere, work.FullName, ["--add-source", Folder]);

            AssertSimulatesNeverPaid(work.FullName, install);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static ProcessResult Install(string workingDirectory, string work, IEnumerable<string> extra)
    {
        var install = ProcessRunner.Run(
            ProcessRunner.Dotnet,
            ["tool", "install", "--tool-path", Path.Combine(work, "tools"), .. extra, "Arrears.Policy.Cli", "--version", PackageVersion],
            workingDirectory,
            TimeSpan.FromMinutes(5),
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") });
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains("arrears.policy.cli", install.Output, StringComparison.OrdinalIgnoreCase);
        return install;
    }

    private static void AssertSimulatesNeverPaid(string work, ProcessResult install)
    {
        var arrears = Path.Combine(work, "tools", OperatingSystem.IsWindows() ? "arrears.exe" : "arrears");
        Assert.True(File.Exists(arrears), $"no {arrears} after {install}");

        var version = ProcessRunner.Run(arrears, ["--version"], Root, TimeSpan.FromMinutes(1));
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Equal(PackageVersion, version.Output.Trim());

        var simulate = ProcessRunner.Run(arrears, ["simulate", "docs/spec/examples/never-paid.scenario.json"], Root, TimeSpan.FromMinutes(1));
        Assert.True(simulate.ExitCode == 0, simulate.ToString());
        var actual = JsonNode.Parse(simulate.Output)!;
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "docs", "spec", "examples", "never-paid.expected.json")))!;
        foreach (var part in new[] { "account", "charges", "transitions", "final" })
        {
            Assert.True(JsonNode.DeepEquals(expected[part], actual[part]), $"{part}: expected {expected[part]}, got {actual[part]}");
        }

        // Notifications as a multiset, ignoring the keys (whose formats docs/spec pins in its own words, see decision 0004).
        Assert.Equal(Notifications(expected), Notifications(actual));
    }

    private static List<string> Notifications(JsonNode timeline) =>
        [.. timeline["notifications"]!.AsArray()
            .Select(n => $"{n!["kind"]} {n["recipient"]} {n["channel"]}")
            .Order(StringComparer.Ordinal)];
}
