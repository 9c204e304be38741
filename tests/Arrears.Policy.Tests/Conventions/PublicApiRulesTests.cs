using System.Xml.Linq;
using Arrears.Policy.Tests.Conventions.Samples;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>Tests of the tests: the public API rules report deliberately bad types, and only them.</summary>
public sealed class PublicApiRulesTests
{
    private static readonly XDocument TestAssemblyDocumentation = PublicApiRules.DocumentationFileOf(typeof(PublicApiRulesTests).Assembly);

    [Fact]
    public void ForbiddenTypesInSignatures_DateTimeProperty_IsReported()
    {
        var violations = PublicApiRules.ForbiddenTypesInSignatures([typeof(WithDateTimeProperty)]);

        var violation = Assert.Single(violations);
        Assert.Equal("P:Arrears.Policy.Tests.Conventions.Samples.WithDateTimeProperty.When", violation.Member);
        Assert.Contains("System.DateTime", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ForbiddenTypesInSignatures_EverySignaturePosition_IsReported()
    {
        var violations = PublicApiRules.ForbiddenTypesInSignatures([typeof(EveryShape)]);

        const string type = "Arrears.Policy.Tests.Conventions.Samples.EveryShape";
        string[] expected =
        [
            $"E:{type}.Changed",
            $"F:{type}.Field",
            $"M:{type}.#ctor(System.Nullable{{System.DateTime}})",
            $"M:{type}.First``1(System.Collections.Generic.Dictionary{{``0,System.Half}})",
            $"M:{type}.Rate",
            $"M:{type}.Take(System.Single)",
            $"M:{type}.TryGet(System.TimeOnly@)",
            $"P:{type}.Item(System.DateOnly)",
            $"P:{type}.Nested",
            $"P:{type}.Spans",
        ];
        AssertMembers(expected, violations);
    }

    [Fact]
    public void ForbiddenTypesInSignatures_InterfacesDelegatesBaseTypesAndProtectedMembers_AreReported()
    {
        var violations = PublicApiRules.ForbiddenTypesInSignatures(
            [typeof(IHasMoment), typeof(RateOf), typeof(ComparableToDateTime), typeof(Unsealed), typeof(AbstractBase), typeof(StaticHelpers)]);

        const string ns = "Arrears.Policy.Tests.Conventions.Samples";
        string[] expected =
        [
            $"M:{ns}.ComparableToDateTime.CompareTo(System.DateTime)",
            $"M:{ns}.RateOf.Invoke(System.TimeSpan)",
            $"M:{ns}.StaticHelpers.One",
            $"P:{ns}.AbstractBase.Delay",
            $"P:{ns}.IHasMoment.Moment",
            $"P:{ns}.Unsealed.Protected",
            $"T:{ns}.ComparableToDateTime",
        ];
        AssertMembers(expected, violations);
    }

    [Fact]
    public void ForbiddenTypesInSignatures_NodaTimeAndDecimalOnly_ReportsNothing()
    {
        var violations = PublicApiRules.ForbiddenTypesInSignatures(
            [typeof(Clean), typeof(FullyDocumented), typeof(SealedRecord), typeof(RecordStruct), typeof(Shade)]);

        Assert.Empty(violations);
    }

    [Fact]
    public void UnsealedClasses_UnsealedClassAndRecord_AreReported()
    {
        var violations = PublicApiRules.UnsealedClasses(SampleTypes(), new Dictionary<Type, string>());

        string[] expected =
        [
            "T:Arrears.Policy.Tests.Conventions.Samples.OpenRecord",
            "T:Arrears.Policy.Tests.Conventions.Samples.Unsealed",
        ];
        AssertMembers(expected, violations);
    }

    [Fact]
    public void StructDefaultsThatThrow_StructWhoseDefaultThrows_IsReportedAndOthersAreNot()
    {
        var violations = PublicApiRules.StructDefaultsThatThrow(SampleTypes());

        var violation = Assert.Single(violations);
        Assert.Equal("T:Arrears.Policy.Tests.Conventions.Samples.ThrowingDefault", violation.Member);
        Assert.StartsWith("default value: Count throws NullReferenceException", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsealedClasses_AllowListedWithReason_IsNotReported()
    {
        var allowed = new Dictionary<Type, string>
        {
            [typeof(Unsealed)] = "hosts derive from it to add their own protected helpers",
            [typeof(OpenRecord)] = "hosts derive from it to add fields",
        };

        Assert.Empty(PublicApiRules.UnsealedClasses(SampleTypes(), allowed));
    }

    [Fact]
    public void UnsealedClasses_AllowListEntryWithoutReasonOrStale_IsReported()
    {
        var allowed = new Dictionary<Type, string>
        {
            [typeof(Unsealed)] = " ",
            [typeof(OpenRecord)] = "hosts derive from it to add fields",
            [typeof(SealedRecord)] = "was unsealed once",
        };

        var violations = PublicApiRules.UnsealedClasses(SampleTypes(), allowed);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Member.EndsWith(".Unsealed", StringComparison.Ordinal) && v.Problem.Contains("no reason", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Member.EndsWith(".SealedRecord", StringComparison.Ordinal) && v.Problem.Contains("stale", StringComparison.Ordinal));
    }

    [Fact]
    public void UndocumentedMembers_EveryMemberKindDocumented_ReportsNothing()
    {
        // Runs against the compiler's own documentation file for this test assembly, so it also proves that the ids
        // computed by DocumentationId match the compiler's for constants, fields, operators, indexers, events, generic methods,
        // arrays, by-refs, nested types of generic types and records.
        var documented = new[]
        {
            typeof(FullyDocumented), typeof(Clean), typeof(EveryShape), typeof(SealedRecord), typeof(RecordStruct), typeof(OpenRecord),
            typeof(Shade), typeof(RateOf), typeof(IHasMoment), typeof(AbstractBase), typeof(Outer<>), typeof(Outer<>.Inner),
        };

        AssertMembers([], PublicApiRules.UndocumentedMembers(documented, TestAssemblyDocumentation));
    }

    [Fact]
    public void UndocumentedMembers_UndocumentedTypesAndMembers_AreReported()
    {
        var violations = PublicApiRules.UndocumentedMembers(
            [typeof(PartlyDocumented), typeof(PartlyDocumented.UndocumentedNested), typeof(UndocumentedClass), typeof(ImplicitConstructor)],
            TestAssemblyDocumentation);

        const string ns = "Arrears.Policy.Tests.Conventions.Samples";
        string[] expected =
        [
            $"E:{ns}.PartlyDocumented.Changed",
            $"F:{ns}.PartlyDocumented.Field",
            $"M:{ns}.ImplicitConstructor.#ctor",
            $"M:{ns}.PartlyDocumented.#ctor(System.Int32)",
            $"M:{ns}.PartlyDocumented.Undocumented",
            $"M:{ns}.PartlyDocumented.UndocumentedNested.#ctor",
            $"M:{ns}.UndocumentedClass.#ctor",
            $"P:{ns}.PartlyDocumented.Value",
            $"T:{ns}.PartlyDocumented.UndocumentedNested",
            $"T:{ns}.UndocumentedClass",
        ];
        AssertMembers(expected, violations);
    }

    [Fact]
    public void TypesWithoutExamples_HandMadeDocumentationFile_ReportsTypesButNotEnumsOrExceptions()
    {
        const string ns = "Arrears.Policy.Tests.Conventions.Samples";
        var documentation = XDocument.Parse(
            $"""
            <doc>
              <members>
                <member name="T:{ns}.Clean"><summary>s</summary><example><code>new Clean();</code></example></member>
                <member name="T:{ns}.SealedRecord"><summary>s</summary></member>
              </members>
            </doc>
            """);

        var violations = PublicApiRules.TypesWithoutExamples(
            [typeof(Clean), typeof(SealedRecord), typeof(RecordStruct), typeof(Shade), typeof(InvalidOperationException)],
            documentation);

        AssertMembers([$"T:{ns}.RecordStruct", $"T:{ns}.SealedRecord"], violations);
    }

    [Fact]
    public void UndocumentedMembers_HandMadeDocumentationFile_ReportsMissingAndEmptyEntries()
    {
        const string type = "Arrears.Policy.Tests.Conventions.Samples.WithDateTimeProperty";
        var documentation = XDocument.Parse(
            $"""
            <doc>
              <members>
                <member name="T:{type}"><summary>Present.</summary></member>
                <member name="P:{type}.When"><remarks>No summary.</remarks></member>
              </members>
            </doc>
            """);

        var violations = PublicApiRules.UndocumentedMembers([typeof(WithDateTimeProperty)], documentation);

        Assert.Collection(
            violations.OrderBy(v => v.Member, StringComparer.Ordinal),
            v => Assert.Equal(($"M:{type}.#ctor", "no entry in the XML documentation file (an implicit constructor needs an explicit, documented one)"), (v.Member, v.Problem)),
            v => Assert.Equal(($"P:{type}.When", "documentation entry has neither <summary> nor <inheritdoc/>"), (v.Member, v.Problem)));
    }

    [Theory]
    [InlineData(typeof(Ledger), nameof(Ledger.TryGetEntry), "M:Arrears.Policy.Ledger.TryGetEntry(System.String,Arrears.Policy.LedgerEntry@)")]
    [InlineData(typeof(Ledger), nameof(Ledger.BalanceAt), "M:Arrears.Policy.Ledger.BalanceAt(NodaTime.Instant)")]
    [InlineData(typeof(Currency), nameof(Currency.KnownCodes), "P:Arrears.Policy.Currency.KnownCodes")]
    [InlineData(typeof(BillingCycle), "op_Equality", "M:Arrears.Policy.Billing.BillingCycle.op_Equality(Arrears.Policy.Billing.BillingCycle,Arrears.Policy.Billing.BillingCycle)")]
    [InlineData(typeof(FullyDocumented), "op_Explicit", "M:Arrears.Policy.Tests.Conventions.Samples.FullyDocumented.op_Explicit(Arrears.Policy.Tests.Conventions.Samples.FullyDocumented)~System.Decimal")]
    [InlineData(typeof(FullyDocumented), nameof(FullyDocumented.TryFind), "M:Arrears.Policy.Tests.Conventions.Samples.FullyDocumented.TryFind``2(System.Collections.Generic.IDictionary{``0,System.Collections.Generic.List{``1}},System.Int32[0:,0:],``1[]@)")]
    [InlineData(typeof(Outer<>.Inner), nameof(Outer<int>.Inner.Echo), "M:Arrears.Policy.Tests.Conventions.Samples.Outer`1.Inner.Echo(`0,System.Collections.Generic.IEnumerable{Arrears.Policy.Tests.Conventions.Samples.Outer{`0}.Inner})")]
    public void DocumentationId_Member_MatchesCompilerFormat(Type type, string memberName, string expected)
    {
        var member = Assert.Single(type.GetMember(memberName));

        Assert.Equal(expected, DocumentationId.Of(member));
    }

    private static void AssertMembers(string[] expected, IReadOnlyList<ApiViolation> violations)
    {
        var actual = violations.Select(v => v.Member).Order(StringComparer.Ordinal).ToArray();
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            var newLine = Environment.NewLine;
            Assert.Fail($"Reported members differ.{newLine}Expected:{newLine}{string.Join(newLine, expected)}{newLine}Actual:{newLine}{string.Join(newLine, violations)}");
        }
    }

    private static Type[] SampleTypes() =>
        [.. typeof(PublicApiRulesTests).Assembly.GetExportedTypes().Where(t => t.Namespace == typeof(Clean).Namespace)];
}
