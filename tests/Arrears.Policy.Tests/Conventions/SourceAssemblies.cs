using System.Reflection;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>
/// The assemblies built from src/ whose public API the convention tests enforce: one line per assembly, named through
/// a type it contains. Add a line when a src project gains public types and this test project references it.
/// </summary>
internal static class SourceAssemblies
{
    public static readonly IReadOnlyList<Assembly> All =
    [
        typeof(Ledger).Assembly, // Arrears.Policy
        typeof(Notifications.WebhookNotifier).Assembly, // Arrears.Policy.Notifications
        typeof(DependencyInjection.ArrearsPolicyBuilder).Assembly, // Arrears.Policy.Extensions
        typeof(Sqlite.SqliteArrearsStore).Assembly, // Arrears.Policy.Sqlite
        typeof(PostgreSql.PostgreSqlArrearsStore).Assembly, // Arrears.Policy.PostgreSql
    ];

    /// <summary>Assemblies of this repository that are not shipped from src/ and so are not bound by the public API rules.</summary>
    public static readonly IReadOnlySet<string> NotFromSrc = new HashSet<string>(StringComparer.Ordinal)
    {
        "Arrears.Policy.PropertyTesting", // shared test generators, under tests/
    };

    /// <summary>Returns whether an assembly name belongs to this repository: the Arrears.Policy family or the <c>arrears</c> tool.</summary>
    public static bool IsRepositoryAssembly(string name) =>
        name == "arrears" || name == "Arrears.Policy" || name.StartsWith("Arrears.Policy.", StringComparison.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var assembly in All)
        {
            data.Add(assembly.GetName().Name!);
        }

        return data;
    }

    public static Assembly Named(string name) =>
        All.Single(a => string.Equals(a.GetName().Name, name, StringComparison.Ordinal));
}
