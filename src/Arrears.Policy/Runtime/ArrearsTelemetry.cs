using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Arrears.Policy.Runtime;

/// <summary>
/// The runtime's metrics and traces, through <see cref="System.Diagnostics.Metrics"/> and <see cref="ActivitySource"/>, so
/// OpenTelemetry (or <c>dotnet-counters</c>) picks them up with no dependency: the meter and the source are both named
/// <see cref="Name"/>.
/// </summary>
/// <remarks>
/// Instruments: <c>arrears.evaluations</c>, <c>arrears.transitions</c> (tag <c>to</c>), <c>arrears.intents</c>,
/// <c>arrears.enforcements</c>, <c>arrears.conflicts</c>, <c>arrears.deliveries</c> (tags <c>kind</c>, <c>outcome</c>),
/// <c>arrears.dead_letters</c>, <c>arrears.batch.duration</c> (seconds) and <c>arrears.due.backlog</c> (accounts claimed
/// by the last batch). One activity per evaluation batch and per dispatch batch.
/// </remarks>
/// <example>
/// <code>
/// services.AddOpenTelemetry()
///     .WithMetrics(metrics =&gt; metrics.AddMeter(ArrearsTelemetry.Name))
///     .WithTracing(tracing =&gt; tracing.AddSource(ArrearsTelemetry.Name));
/// </code>
/// </example>
public static class ArrearsTelemetry
{
    /// <summary>The name of the meter and of the activity source: <c>Arrears.Policy</c>.</summary>
    public const string Name = "Arrears.Policy";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Evaluations = Meter.CreateCounter<long>("arrears.evaluations", "{account}", "Accounts evaluated.");

    internal static readonly Counter<long> Transitions = Meter.CreateCounter<long>("arrears.transitions", "{transition}", "Lifecycle transitions decided.");

    internal static readonly Counter<long> Intents = Meter.CreateCounter<long>("arrears.intents", "{notification}", "Notification intents written to the outbox.");

    internal static readonly Counter<long> Enforcements = Meter.CreateCounter<long>("arrears.enforcements", "{action}", "Enforcement actions written to the outbox.");

    internal static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("arrears.conflicts", "{conflict}", "Commits refused because the account changed; the account was evaluated again.");

    internal static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("arrears.deliveries", "{attempt}", "Outbox delivery attempts, by kind and outcome.");

    internal static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("arrears.dead_letters", "{message}", "Outbox messages dead-lettered.");

    internal static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("arrears.batch.duration", "s", "Duration of one evaluation or dispatch batch.");

    internal static readonly Histogram<long> DueBacklog = Meter.CreateHistogram<long>("arrears.due.backlog", "{account}", "Accounts claimed by an evaluation batch.");
}
