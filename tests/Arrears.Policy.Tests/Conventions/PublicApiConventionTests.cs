using System.Reflection;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>The public API rules, enforced over every src assembly in <see cref="SourceAssemblies"/>.</summary>
public sealed class PublicApiConventionTests
{
    /// <summary>Public classes that may be inherited from, each with the reason it is designed for inheritance.</summary>
    private static readonly IReadOnlyDictionary<Type, string> DesignedForInheritance = new Dictionary<Type, string>();

    [Theory]
    [MemberData(nameof(SourceAssemblies.Names), MemberType = typeof(SourceAssemblies))]
    public void PublicSignatures_SourceAssembly_UseNoBclTimeOrFloatingPointTypes(string assemblyName)
    {
        var types = PublicApiRules.PublicTypes(SourceAssemblies.Named(assemblyName));

        AssertNone(PublicApiRules.ForbiddenTypesInSignatures(types));
    }

    [Theory]
    [MemberData(nameof(SourceAssemblies.Names), MemberType = typeof(SourceAssemblies))]
    public void PublicClasses_SourceAssembly_AreSealedAbstractStaticOrAllowListed(string assemblyName)
    {
        var types = PublicApiRules.PublicTypes(SourceAssemblies.Named(assemblyName));
        var allowed = DesignedForInheritance
            .Where(pair => pair.Key.Assembly.GetName().Name == assemblyName)
            .ToDictionary(pair => pair.Key, pair => pair.Value);

        AssertNone(PublicApiRules.UnsealedClasses(types, allowed));
    }

    [Theory]
    [MemberData(nameof(SourceAssemblies.Names), MemberType = typeof(SourceAssemblies))]
    public void PublicMembers_SourceAssembly_HaveXmlDocumentationEntries(string assemblyName)
    {
        var assembly = SourceAssemblies.Named(assemblyName);

        AssertNone(PublicApiRules.UndocumentedMembers(PublicApiRules.PublicTypes(assembly), PublicApiRules.DocumentationFileOf(assembly)));
    }

    [Theory]
    [MemberData(nameof(SourceAssemblies.Names), MemberType = typeof(SourceAssemblies))]
    public void PublicTypes_SourceAssembly_HaveExamples(string assemblyName)
    {
        var assembly = SourceAssemblies.Named(assemblyName);

        AssertNone(PublicApiRules.TypesWithoutExamples(PublicApiRules.PublicTypes(assembly), PublicApiRules.DocumentationFileOf(assembly)));
    }

    [Theory]
    [MemberData(nameof(SourceAssemblies.Names), MemberType = typeof(SourceAssemblies))]
    public void PublicStructs_SourceAssembly_HaveValidDefaults(string assemblyName)
    {
        AssertNone(PublicApiRules.StructDefaultsThatThrow(PublicApiRules.PublicTypes(SourceAssemblies.Named(assemblyName))));
    }

    [Theory]
    [MemberData(nameof(SourceAssemblies.Names), MemberType = typeof(SourceAssemblies))]
    public void PublicTypes_SourceAssembly_AreFound(string assemblyName)
    {
        // Guards the other rules against passing vacuously because reflection found nothing to check.
        Assert.NotEmpty(PublicApiRules.PublicTypes(SourceAssemblies.Named(assemblyName)));
    }

    [Fact]
    public void SourceAssemblies_ReferencedWithPublicTypes_AreAllListed()
    {
        var listed = SourceAssemblies.All.Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal);
        var referenced = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Select(path => AssemblyName.GetAssemblyName(path).Name!)
            .Where(SourceAssemblies.IsRepositoryAssembly)
            .Where(name => name != typeof(PublicApiConventionTests).Assembly.GetName().Name)
            .Where(name => !SourceAssemblies.NotFromSrc.Contains(name))
            .Where(name => Assembly.Load(name).GetExportedTypes().Length > 0)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.All(referenced, name => Assert.Contains(name, listed));
    }

    private static void AssertNone(IReadOnlyList<ApiViolation> violations)
    {
        if (violations.Count > 0)
        {
            Assert.Fail($"{violations.Count} public API rule violation(s):{Environment.NewLine}" + string.Join(Environment.NewLine, violations));
        }
    }
}
