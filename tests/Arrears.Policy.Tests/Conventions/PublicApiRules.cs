using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>One breach of a public API rule: the documentation id of the offending type or member, and what is wrong.</summary>
/// <param name="Member">The documentation comment id, for example <c>P:Arrears.Policy.Ledger.Count</c>.</param>
/// <param name="Problem">What is wrong, in words.</param>
internal sealed record ApiViolation(string Member, string Problem)
{
    public override string ToString() => $"{Member}: {Problem}";
}

/// <summary>
/// The rules every public API of the src assemblies obeys, written as reusable checks over a set of types so that the
/// convention tests run them over the real assemblies and the tests of the tests run them over deliberately bad types.
/// </summary>
internal static class PublicApiRules
{
    /// <summary>
    /// Types that never appear in a public signature: time is NodaTime (<c>Instant</c>, <c>Duration</c>, <c>LocalDate</c>, ...),
    /// money and rates are <see cref="decimal"/>.
    /// </summary>
    public static readonly IReadOnlyDictionary<Type, string> ForbiddenTypes = new Dictionary<Type, string>
    {
        [typeof(DateTime)] = "use NodaTime.Instant, LocalDateTime or ZonedDateTime",
        [typeof(DateTimeOffset)] = "use NodaTime.Instant, OffsetDateTime or ZonedDateTime",
        [typeof(TimeSpan)] = "use NodaTime.Duration or Period",
        [typeof(DateOnly)] = "use NodaTime.LocalDate",
        [typeof(TimeOnly)] = "use NodaTime.LocalTime",
        [typeof(double)] = "use decimal",
        [typeof(float)] = "use decimal",
        [typeof(Half)] = "use decimal",
    };

    /// <summary>Returns the types of an assembly that are visible to its users (public, and public nested in public).</summary>
    public static IReadOnlyList<Type> PublicTypes(Assembly assembly) =>
        [.. assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal)];

    /// <summary>Rule (a): no forbidden type in any public signature, including inside arrays, nullables and generic arguments.</summary>
    public static IReadOnlyList<ApiViolation> ForbiddenTypesInSignatures(IEnumerable<Type> types)
    {
        var violations = new List<ApiViolation>();
        foreach (var type in types)
        {
            var typeId = DocumentationId.Of(type);
            if (!typeof(Delegate).IsAssignableFrom(type))
            {
                if (type.BaseType is { } baseType)
                {
                    Check(typeId, "base type", baseType);
                }

                foreach (var implemented in type.GetInterfaces())
                {
                    Check(typeId, "implemented interface", implemented);
                }
            }

            var members = typeof(Delegate).IsAssignableFrom(type)
                ? [type.GetMethod("Invoke")!] // the delegate's signature; BeginInvoke and EndInvoke repeat it
                : VisibleMembers(type);
            foreach (var member in members)
            {
                var id = DocumentationId.Of(member);
                switch (member)
                {
                    case FieldInfo field:
                        Check(id, "field type", field.FieldType);
                        break;
                    case PropertyInfo property:
                        Check(id, "property type", property.PropertyType);
                        foreach (var parameter in property.GetIndexParameters())
                        {
                            Check(id, $"indexer parameter '{parameter.Name}'", parameter.ParameterType);
                        }

                        break;
                    case EventInfo @event:
                        Check(id, "event handler type", @event.EventHandlerType!);
                        break;
                    case MethodBase method:
                        if (method is MethodInfo returning)
                        {
                            Check(id, "return type", returning.ReturnType);
                        }

                        foreach (var parameter in method.GetParameters())
                        {
                            Check(id, $"parameter '{parameter.Name}'", parameter.ParameterType);
                        }

                        break;
                }
            }
        }

        return violations;

        void Check(string id, string where, Type used)
        {
            foreach (var forbidden in ComponentTypes(used).Where(ForbiddenTypes.ContainsKey).Distinct())
            {
                violations.Add(new ApiViolation(id, $"{where} uses {forbidden.FullName}; {ForbiddenTypes[forbidden]}"));
            }
        }
    }

    /// <summary>
    /// Rule (b): every public class is sealed, abstract or static, unless it is on the allow-list with a reason.
    /// An allow-list entry that is not needed (the type is sealed, abstract or static, or not among the types) is a violation too.
    /// </summary>
    public static IReadOnlyList<ApiViolation> UnsealedClasses(IEnumerable<Type> types, IReadOnlyDictionary<Type, string> designedForInheritance)
    {
        var violations = new List<ApiViolation>();
        var unsealed = new HashSet<Type>();
        foreach (var type in types)
        {
            if (type.IsClass && !type.IsSealed && !type.IsAbstract && !typeof(Delegate).IsAssignableFrom(type))
            {
                unsealed.Add(type);
                if (!designedForInheritance.ContainsKey(type))
                {
                    violations.Add(new ApiViolation(
                        DocumentationId.Of(type),
                        "public class is neither sealed, abstract nor static; seal it, or allow-list it with the reason it is designed for inheritance"));
                }
            }
        }

        foreach (var (type, reason) in designedForInheritance)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                violations.Add(new ApiViolation(DocumentationId.Of(type), "allow-list entry has no reason"));
            }

            if (!unsealed.Contains(type))
            {
                violations.Add(new ApiViolation(DocumentationId.Of(type), "allow-list entry is stale: the type is not an unsealed public class here"));
            }
        }

        return violations;
    }

    /// <summary>
    /// Rule (c): every public type and every visible constructor, method, property, field and event has an entry in the
    /// documentation file, with a summary or an inheritdoc.
    /// </summary>
    public static IReadOnlyList<ApiViolation> UndocumentedMembers(IEnumerable<Type> types, XDocument documentation)
    {
        var documented = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var element in documentation.Descendants("member"))
        {
            if (element.Attribute("name")?.Value is { } name)
            {
                documented[name] = element;
            }
        }

        var violations = new List<ApiViolation>();
        foreach (var type in types)
        {
            CheckDocumented(DocumentationId.Of(type));
            if (typeof(Delegate).IsAssignableFrom(type))
            {
                continue; // the type's entry documents the signature (param and returns tags)
            }

            foreach (var member in VisibleMembers(type))
            {
                if (member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
                {
                    // Synthesised record members (Equals, Deconstruct, <Clone>$ ...) cannot carry documentation.
                    continue;
                }

                if (type.IsEnum && member is FieldInfo { IsSpecialName: true })
                {
                    continue; // value__
                }

                CheckDocumented(DocumentationId.Of(member));
            }
        }

        return violations;

        void CheckDocumented(string id)
        {
            if (!documented.TryGetValue(id, out var element))
            {
                violations.Add(new ApiViolation(
                    id,
                    id.Contains(".#ctor", StringComparison.Ordinal)
                        ? "no entry in the XML documentation file (an implicit constructor needs an explicit, documented one)"
                        : "no entry in the XML documentation file"));
            }
            else if (element.Element("summary") is null && element.Element("inheritdoc") is null)
            {
                violations.Add(new ApiViolation(id, "documentation entry has neither <summary> nor <inheritdoc/>"));
            }
        }
    }

    /// <summary>
    /// Rule (d): every public class and struct shows how it is used: its documentation entry has an <c>&lt;example&gt;</c>.
    /// Enums, delegates and exceptions are exempt (their summary is their usage).
    /// </summary>
    public static IReadOnlyList<ApiViolation> TypesWithoutExamples(IEnumerable<Type> types, XDocument documentation)
    {
        var withExample = documentation.Descendants("member")
            .Where(element => element.Element("example") is not null)
            .Select(element => element.Attribute("name")?.Value)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return
        [
            .. types
                .Where(type => !type.IsEnum && !typeof(Delegate).IsAssignableFrom(type) && !typeof(Exception).IsAssignableFrom(type) && !type.IsInterface)
                .Select(DocumentationId.Of)
                .Where(id => !withExample.Contains(id))
                .Order(StringComparer.Ordinal)
                .Select(id => new ApiViolation(id, "public type has no <example> in its documentation")),
        ];
    }

    /// <summary>
    /// Rule (e): the default value of every public struct is a valid value, as NodaTime documents <c>default(Instant)</c>:
    /// reading any public property, <c>ToString</c>, <c>GetHashCode</c> and <c>Equals(default)</c> neither throws nor is false.
    /// </summary>
    public static IReadOnlyList<ApiViolation> StructDefaultsThatThrow(IEnumerable<Type> types)
    {
        var violations = new List<ApiViolation>();
        foreach (var type in types.Where(type => type.IsValueType && !type.IsEnum && !type.ContainsGenericParameters))
        {
            var value = Activator.CreateInstance(type)!;
            var id = DocumentationId.Of(type);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true }))
            {
                Check($"{property.Name}", () => property.GetValue(value));
            }

            Check("ToString()", () => value.ToString());
            Check("GetHashCode()", () => value.GetHashCode());
            Check("Equals(default)", () => value.Equals(Activator.CreateInstance(type)) ? null : throw new InvalidOperationException("returned false"));

            void Check(string member, Func<object?> read)
            {
                try
                {
                    _ = read();
                }
                catch (Exception ex)
                {
                    var inner = ex is TargetInvocationException { InnerException: { } cause } ? cause : ex;
                    violations.Add(new ApiViolation(id, $"default value: {member} throws {inner.GetType().Name} ({inner.Message})"));
                }
            }
        }

        return violations;
    }

    /// <summary>Loads the XML documentation file generated next to an assembly.</summary>
    public static XDocument DocumentationFileOf(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{assembly.GetName().Name}: no XML documentation file next to the assembly; GenerateDocumentationFile must be on", path);
        }

        return XDocument.Load(path);
    }

    /// <summary>
    /// Returns the members of a type its users can reach: public ones, and protected ones unless the type is sealed;
    /// property and event accessors are represented by their property or event.
    /// </summary>
    public static IEnumerable<MemberInfo> VisibleMembers(Type type)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var reachableByInheritance = !type.IsSealed;

        var accessors = new HashSet<MethodInfo>();
        foreach (var property in type.GetProperties(flags))
        {
            accessors.UnionWith(property.GetAccessors(nonPublic: true));
        }

        foreach (var @event in type.GetEvents(flags))
        {
            accessors.UnionWith(new[] { @event.AddMethod, @event.RemoveMethod, @event.RaiseMethod }.OfType<MethodInfo>());
        }

        foreach (var member in type.GetMembers(flags).OrderBy(m => m.MetadataToken))
        {
            var visible = member switch
            {
                FieldInfo f => f.IsPublic || (reachableByInheritance && (f.IsFamily || f.IsFamilyOrAssembly)),
                MethodBase m when m is MethodInfo mi && accessors.Contains(mi) => false,
                MethodBase m => m.IsPublic || (reachableByInheritance && (m.IsFamily || m.IsFamilyOrAssembly)),
                PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || (reachableByInheritance && (a.IsFamily || a.IsFamilyOrAssembly))),
                EventInfo e => e.AddMethod is { } add && (add.IsPublic || (reachableByInheritance && (add.IsFamily || add.IsFamilyOrAssembly))),
                _ => false, // nested types are checked as types of their own
            };
            if (visible)
            {
                yield return member;
            }
        }
    }

    /// <summary>Returns a type and every type it is built from: element types of arrays, pointers and by-refs, and generic arguments.</summary>
    public static IEnumerable<Type> ComponentTypes(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in ComponentTypes(type.GetElementType()!))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var inner in ComponentTypes(argument))
                {
                    yield return inner;
                }
            }
        }

        if (type.IsFunctionPointer)
        {
            foreach (var inner in type.GetFunctionPointerParameterTypes().Append(type.GetFunctionPointerReturnType()).SelectMany(ComponentTypes))
            {
                yield return inner;
            }
        }
    }
}
