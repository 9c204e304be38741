using System.Reflection;
using System.Text;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>
/// Computes the documentation comment id the C# compiler writes into the XML documentation file for a type or member,
/// for example <c>M:Arrears.Policy.Ledger.TryGetEntry(System.String,Arrears.Policy.LedgerEntry@)</c>.
/// </summary>
internal static class DocumentationId
{
    public static string Of(Type type) => "T:" + TypeName(type, forParameter: false);

    public static string Of(MemberInfo member) => member switch
    {
        Type type => Of(type),
        FieldInfo field => $"F:{TypeName(field.DeclaringType!, false)}.{field.Name}",
        EventInfo @event => $"E:{TypeName(@event.DeclaringType!, false)}.{@event.Name}",
        PropertyInfo property => $"P:{TypeName(property.DeclaringType!, false)}.{property.Name}{Parameters(property.GetIndexParameters())}",
        ConstructorInfo ctor => $"M:{TypeName(ctor.DeclaringType!, false)}.{(ctor.IsStatic ? "#cctor" : "#ctor")}{Parameters(ctor.GetParameters())}",
        MethodInfo method => MethodId(method),
        _ => throw new ArgumentException($"member: unsupported member kind {member.MemberType}", nameof(member)),
    };

    private static string MethodId(MethodInfo method)
    {
        var builder = new StringBuilder("M:");
        builder.Append(TypeName(method.DeclaringType!, false)).Append('.').Append(method.Name.Replace('.', '#'));
        if (method.IsGenericMethod)
        {
            builder.Append("``").Append(method.GetGenericArguments().Length);
        }

        builder.Append(Parameters(method.GetParameters()));
        if (method.Name is "op_Implicit" or "op_Explicit")
        {
            builder.Append('~').Append(TypeName(method.ReturnType, forParameter: true));
        }

        return builder.ToString();
    }

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? string.Empty : "(" + string.Join(",", parameters.Select(p => TypeName(p.ParameterType, forParameter: true))) + ")";

    private static string TypeName(Type type, bool forParameter)
    {
        if (type.IsByRef)
        {
            return TypeName(type.GetElementType()!, forParameter) + "@";
        }

        if (type.IsPointer)
        {
            return TypeName(type.GetElementType()!, forParameter) + "*";
        }

        if (type.IsArray)
        {
            var rank = type.GetArrayRank();
            var suffix = type.IsSZArray ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", rank)) + "]";
            return TypeName(type.GetElementType()!, forParameter) + suffix;
        }

        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // In a parameter list a generic type is written with its arguments in braces; in a declaration with its arity.
        var arguments = forParameter && type.IsGenericType ? type.GetGenericArguments() : [];
        return Named(type, arguments, forParameter);
    }

    private static string Named(Type type, Type[] allArguments, bool forParameter)
    {
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        var name = definition.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var baseName = tick >= 0 ? name[..tick] : name;
        var arity = tick >= 0 ? int.Parse(name[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 0;

        string prefix;
        int consumed;
        if (definition.DeclaringType is { } outer)
        {
            var outerArity = outer.IsGenericTypeDefinition ? outer.GetGenericArguments().Length : 0;
            prefix = Named(outer, allArguments.Length == 0 ? [] : allArguments[..outerArity], forParameter) + ".";
            consumed = outerArity;
        }
        else
        {
            prefix = string.IsNullOrEmpty(definition.Namespace) ? string.Empty : definition.Namespace + ".";
            consumed = 0;
        }

        if (arity == 0)
        {
            return prefix + baseName;
        }

        if (allArguments.Length == 0)
        {
            return prefix + baseName + "`" + arity.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var own = allArguments[consumed..(consumed + arity)];
        return prefix + baseName + "{" + string.Join(",", own.Select(a => TypeName(a, forParameter))) + "}";
    }
}
