using System.Text.RegularExpressions;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>Relative links in README.md and docs/ point at files that exist.</summary>
public sealed partial class DocumentationLinkTests
{
    [Fact]
    public void RelativeLinks_ReadmeAndDocs_PointAtExistingFiles()
    {
        var root = RepositoryFiles.Root.FullName;
        var markdownFiles = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Prepend(Path.Combine(root, "README.md"))
            .ToList();

        var broken = markdownFiles.SelectMany(BrokenLinks).ToList();

        Assert.True(broken.Count == 0, "Broken links:" + Environment.NewLine + string.Join(Environment.NewLine, broken));
    }

    [Fact]
    public void BrokenLinks_MissingTarget_IsReportedAndExistingOnesAreNot()
    {
        var directory = Directory.CreateTempSubdirectory("links");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "present.md"), "# present");
            var page = Path.Combine(directory.FullName, "page.md");
            File.WriteAllText(
                page,
                "See [present](present.md#heading), [web](https://example.com), [anchor](#top), [gone](missing/file.md) and\n" +
                "[code](`not a link`) in `[inline](code.md)` text.\n```csharp\nvar x = list[0](fenced.md);\n```\n");

            var broken = BrokenLinks(page);

            var only = Assert.Single(broken);
            Assert.Contains("missing/file.md", only, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Returns one line per relative link of a markdown file whose target file or directory does not exist.</summary>
    internal static IEnumerable<string> BrokenLinks(string markdownPath)
    {
        var text = InlineCode().Replace(FencedCode().Replace(File.ReadAllText(markdownPath), string.Empty), string.Empty);
        var directory = Path.GetDirectoryName(markdownPath)!;
        foreach (Match match in Link().Matches(text))
        {
            var target = match.Groups["target"].Value;
            if (target.Length == 0 || target.StartsWith('#') || target.Contains("://", StringComparison.Ordinal) ||
                target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var path = Path.Combine(directory, target.Split('#')[0].Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                yield return $"{Path.GetRelativePath(RepositoryFilesRootOr(directory), markdownPath)}: {target}";
            }
        }
    }

    private static string RepositoryFilesRootOr(string fallback)
    {
        try
        {
            return RepositoryFiles.Root.FullName;
        }
        catch (DirectoryNotFoundException)
        {
            return fallback;
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s`]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^\s*```.*?^\s*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedCode();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex InlineCode();
}
