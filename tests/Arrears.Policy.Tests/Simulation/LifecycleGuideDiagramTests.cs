using Arrears.Policy.Tests.Conventions;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>docs/lifecycle.md shows the diagram the library draws, not a hand-drawn one that could drift.</summary>
public sealed class LifecycleGuideDiagramTests
{
    [Fact]
    public void ToMermaid_TencentApiGateway_IsTheDiagramOfTheLifecycleGuide()
    {
        var guide = RepositoryFiles.Read("docs/lifecycle.md").ReplaceLineEndings("\n");
        var start = guide.IndexOf("```mermaid\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/lifecycle.md has no mermaid block");
        start += "```mermaid\n".Length;
        var end = guide.IndexOf("\n```", start, StringComparison.Ordinal);

        var drawn = PolicyDiagram.ToMermaid(PolicyPresets.TencentApiGateway.Policy).ReplaceLineEndings("\n").TrimEnd('\n');

        Assert.Equal(drawn, guide[start..end]);
    }
}
