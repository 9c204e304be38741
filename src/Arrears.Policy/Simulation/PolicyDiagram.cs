using System.Globalization;
using System.Text;
using Arrears.Policy.Text;


namespace Arrears.Policy.Simulation;

/// <summary>
/// Draws a <see cref="LifecyclePolicy"/> as a Mermaid state diagram, with the policy's parameters on the edges and, in the
/// notes of the states that wait on a deadline, how holds defer that deadline (with the policy's hold limits).
/// </summary>
/// <example>
/// <code>
/// Console.WriteLine(PolicyDiagram.ToMermaid(PolicyPresets.TencentApiGateway.Policy));
/// // stateDiagram-v2
/// //     [*] --> Active
/// //     Active --> Overdue : balance below 0 (tolerance 0)
/// //     Overdue --> Suspended : grace P1D elapsed (inclusive)
/// //     ...
/// </code>
/// </example>
public static class PolicyDiagram
{
    /// <summary>Returns the Mermaid <c>stateDiagram-v2</c> source of a policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>The diagram source, one statement per line, ending with a new line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public static string ToMermaid(LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var tolerance = Invariant.Format(policy.Tolerance);
        var threshold = policy.Tolerance == 0 ? "0" : "-" + tolerance;
        var resume = policy.ResumeMinimumBalance is { } minimum
            ? $"balance at least {threshold} and at least {Invariant.Format(minimum)}"
            : $"balance at least {threshold}";

        var sb = new StringBuilder();
        sb.Append("---\n").Append("title: ").Append(Escape(policy.Name)).Append('\n').Append("---\n");
        sb.Append("stateDiagram-v2\n");
        sb.Append("    [*] --> Active\n");
        Edge(sb, "Active", "Overdue", $"InArrears: balance below {threshold} (tolerance {tolerance}), notify {Route(policy, NotificationKind.Overdue)}");
        Edge(sb, "Overdue", "Active", $"Paid: balance at least {threshold} within grace, notify nobody");
        Edge(sb, "Overdue", "Suspended", $"GraceExpired: grace {IsoDurationPattern.Instance.Format(policy.Grace)} elapsed ({Boundary(policy.GraceBoundary)}), notify {Route(policy, NotificationKind.Suspended)}");
        Edge(sb, "Suspended", "Active", $"Resumed: {resume}, notify {Route(policy, NotificationKind.Resumed)}");
        Edge(sb, "Suspended", "Purged", $"RetentionExpired: retention {IsoDurationPattern.Instance.Format(policy.Retention)} elapsed ({Boundary(policy.RetentionBoundary)}), notify {Route(policy, NotificationKind.Purged)}");
        sb.Append("    Purged --> [*]\n");

        sb.Append("    note right of Overdue\n");
        sb.Append("        service keeps running for ").Append(IsoDurationPattern.Instance.Format(policy.Grace)).Append('\n');
        sb.Append("        new charges never move the deadline\n");
        sb.Append("        a suspension hold defers it to the end of the hold").Append(Limit(policy, HoldKind.Suspension)).Append('\n');
        sb.Append("    end note\n");
        sb.Append("    note right of Suspended\n");
        sb.Append("        service stopped, data kept for ").Append(IsoDurationPattern.Instance.Format(policy.Retention)).Append('\n');
        sb.Append("        a purge hold defers the purge to the end of the hold").Append(Limit(policy, HoldKind.Purge)).Append('\n');
        if (policy.PurgeWarnings.Count > 0)
        {
            sb.Append("        PurgeWarning ")
                .Append(string.Join(" and ", policy.PurgeWarnings.Select(IsoDurationPattern.Instance.Format)))
                .Append(" before the purge, to ").Append(Route(policy, NotificationKind.PurgeWarning)).Append('\n');
        }

        sb.Append("    end note\n");
        sb.Append("    note right of Purged\n");
        sb.Append("        terminal: configuration and data destroyed\n");
        sb.Append("    end note\n");
        return sb.ToString();
    }

    private static void Edge(StringBuilder sb, string from, string to, string label) =>
        sb.Append("    ").Append(from).Append(" --> ").Append(to).Append(" : ").Append(Escape(label)).Append('\n');

    private static string Boundary(DeadlineBoundary boundary) => boundary.ToString().ToLowerInvariant();

    /// <summary>The policy's limit on holds of a kind, as the diagram says it: <c> (holds of at most P7D)</c>, or nothing.</summary>
    private static string Limit(LifecyclePolicy policy, HoldKind kind) =>
        policy.HoldLimits.TryGetValue(kind, out var limit) ? $" (holds of at most {IsoDurationPattern.Instance.Format(limit)})" : string.Empty;

    private static string Route(LifecyclePolicy policy, NotificationKind kind)
    {
        var route = policy.RouteFor(kind);
        var audience = route.Audience switch
        {
            Audience.None => "nobody",
            Audience.Creator => "creator",
            Audience.Collaborators => "collaborators",
            _ => "creator and collaborators",
        };
        return route.Audience == Audience.None
            ? audience
            : string.Create(CultureInfo.InvariantCulture, $"{audience} by {string.Join(" and ", route.Channels)}");
    }

    /// <summary>Keeps a label on one line and free of the characters Mermaid gives a meaning to.</summary>
    private static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                ';' => ',',
                '#' => ' ',
                _ when char.IsControl(c) => ' ',
                '<' => '‹',
                '>' => '›',
                '{' => '(',
                '}' => ')',
                _ => c,
            });
        }

        return sb.ToString();
    }
}
