using System.Collections.Frozen;
using System.Globalization;
using Arrears.Policy.Text;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// An immutable, validated lifecycle policy: how long an overdue account keeps its service (grace), how long a suspended
/// account's data is kept (retention), where each deadline's boundary lies, and who is told what over which channels.
/// </summary>
/// <remarks>
/// The rules the engine applies with a policy are those of the lifecycle specification (docs/spec/lifecycle.md). Presets
/// for real products are in <see cref="Presets.PolicyPresets"/>. Create a policy from <see cref="LifecyclePolicyOptions"/>;
/// every problem is reported at once in a <see cref="PolicyValidationException"/>.
/// </remarks>
/// <example>
/// <code>
/// var options = new LifecyclePolicyOptions { Name = "api-gateway-strict", Grace = Duration.FromHours(2), GraceBoundary = DeadlineBoundary.Exclusive };
/// options.Routes[NotificationKind.PurgeWarning] = new NotificationRoute(Audience.Creator, ["Email"]);
/// LifecyclePolicy policy = LifecyclePolicy.Create(options);
/// // policy.ToString(): "api-gateway-strict: grace PT2H exclusive, retention P180D inclusive"
/// </code>
/// </example>
public sealed class LifecyclePolicy
{
    private readonly NotificationRoute[] _routes;
    private readonly Duration? _suspensionHoldLimit;
    private readonly Duration? _purgeHoldLimit;

    private LifecyclePolicy(LifecyclePolicyOptions options)
    {
        Name = options.Name;
        Grace = options.Grace;
        GraceBoundary = options.GraceBoundary;
        Retention = options.Retention;
        RetentionBoundary = options.RetentionBoundary;
        Tolerance = options.Tolerance;
        ArrearsThreshold = -options.Tolerance;
        ResumeMinimumBalance = options.ResumeMinimumBalance;
        PurgeWarnings = [.. options.PurgeWarnings.OrderDescending()];
        Channels = [.. options.Channels];
        _routes = new NotificationRoute[Enum.GetValues<NotificationKind>().Length];
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            _routes[(int)kind] = options.Routes.TryGetValue(kind, out var route)
                ? route with { Channels = route.Channels.Count == 0 ? Channels : [.. route.Channels] }
                : new NotificationRoute(Audience.Everyone, Channels);
        }

        Routes = Enum.GetValues<NotificationKind>().ToFrozenDictionary(kind => kind, kind => _routes[(int)kind]);
        HoldLimits = options.HoldLimits.ToFrozenDictionary();
        _suspensionHoldLimit = options.HoldLimits.TryGetValue(HoldKind.Suspension, out var suspension) ? suspension : null;
        _purgeHoldLimit = options.HoldLimits.TryGetValue(HoldKind.Purge, out var purge) ? purge : null;
    }

    /// <summary>Gets the policy's name (a preset's name, or <c>custom</c>).</summary>
    public string Name { get; }

    /// <summary>Gets how long an overdue account keeps its service before suspension (exact elapsed time).</summary>
    public Duration Grace { get; }

    /// <summary>Gets the boundary of the suspension deadline.</summary>
    public DeadlineBoundary GraceBoundary { get; }

    /// <summary>Gets how long a suspended account's data is kept before the purge (exact elapsed time).</summary>
    public Duration Retention { get; }

    /// <summary>Gets the boundary of the purge deadline.</summary>
    public DeadlineBoundary RetentionBoundary { get; }

    /// <summary>Gets the tolerated debt: the account is in arrears when its balance is below minus this.</summary>
    public decimal Tolerance { get; }

    /// <summary>Gets minus <see cref="Tolerance"/>: the account is in arrears when its balance is below it (computed once).</summary>
    internal decimal ArrearsThreshold { get; }

    /// <summary>Gets the minimum balance required to leave Suspended, if any (besides not being in arrears).</summary>
    public decimal? ResumeMinimumBalance { get; }

    /// <summary>Gets the purge warning offsets, largest first.</summary>
    public IReadOnlyList<Duration> PurgeWarnings { get; }

    /// <summary>Gets the default notification channels.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>Gets the resolved audience and channels of every notification kind.</summary>
    public IReadOnlyDictionary<NotificationKind, NotificationRoute> Routes { get; }

    /// <summary>
    /// Gets the longest window a <see cref="Hold"/> of each kind may have (<see cref="HoldKind.Suspension"/>,
    /// <see cref="HoldKind.Purge"/>); a kind not listed has no limit. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<HoldKind, Duration> HoldLimits { get; }

    /// <summary>Creates a validated policy.</summary>
    /// <param name="options">The settings; they are copied, so later changes to them do not affect the policy.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="PolicyValidationException">One or more settings are invalid; every problem is listed.</exception>
    public static LifecyclePolicy Create(LifecyclePolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Validate(options);
        return errors.Count > 0 ? throw new PolicyValidationException(errors) : new LifecyclePolicy(options);
    }

    /// <summary>Lists every problem of a set of options without creating a policy.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>
    /// Each problem as the field (a path such as <c>purgeWarnings[2]</c>) and what is wrong with its value; empty when the
    /// options are valid.
    /// </returns>
    public static IReadOnlyList<ValidationError> Validate(LifecyclePolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            errors.Add(new("name", $"must not be empty, got \"{options.Name}\""));
        }

        if (options.Grace < Duration.Zero)
        {
            errors.Add(new("grace", $"must not be negative, got \"{IsoDurationPattern.Instance.Format(options.Grace)}\""));
        }

        if (!Enum.IsDefined(options.GraceBoundary))
        {
            errors.Add(new("graceBoundary", $"must be Inclusive or Exclusive, got \"{options.GraceBoundary}\""));
        }

        if (options.Retention < Duration.Zero)
        {
            errors.Add(new("retention", $"must not be negative, got \"{IsoDurationPattern.Instance.Format(options.Retention)}\""));
        }

        if (!Enum.IsDefined(options.RetentionBoundary))
        {
            errors.Add(new("retentionBoundary", $"must be Inclusive or Exclusive, got \"{options.RetentionBoundary}\""));
        }

        if (options.Tolerance < 0)
        {
            errors.Add(new("tolerance", string.Create(CultureInfo.InvariantCulture, $"must not be negative, got \"{options.Tolerance}\"")));
        }

        var warnings = new HashSet<Duration>();
        for (var i = 0; i < options.PurgeWarnings.Count; i++)
        {
            if (options.PurgeWarnings[i] <= Duration.Zero)
            {
                errors.Add(new($"purgeWarnings[{i}]", $"must be positive, got \"{IsoDurationPattern.Instance.Format(options.PurgeWarnings[i])}\""));
            }
            else if (!warnings.Add(options.PurgeWarnings[i]))
            {
                errors.Add(new($"purgeWarnings[{i}]", $"duplicate warning offset, got \"{IsoDurationPattern.Instance.Format(options.PurgeWarnings[i])}\""));
            }
        }

        if (options.Channels.Count == 0)
        {
            errors.Add(new("channels", "must name at least one channel, got []"));
        }

        ValidateChannels("channels", options.Channels.AsReadOnly(), errors);
        foreach (var (kind, route) in options.Routes)
        {
            if (!Enum.IsDefined(kind))
            {
                errors.Add(new("routes", $"unknown notification kind, got \"{kind}\""));
                continue;
            }

            if (route is null)
            {
                errors.Add(new($"routes.{kind}", "must not be null"));
                continue;
            }

            if ((route.Audience & ~Audience.Everyone) != 0)
            {
                errors.Add(new($"routes.{kind}.audience", $"unknown audience, got \"{route.Audience}\""));
            }

            if (route.Channels is null)
            {
                errors.Add(new($"routes.{kind}.channels", "must not be null (use an empty list for the policy's channels)"));
                continue;
            }

            ValidateChannels($"routes.{kind}.channels", route.Channels, errors);
        }

        foreach (var (kind, limit) in options.HoldLimits)
        {
            if (kind is not (HoldKind.Suspension or HoldKind.Purge))
            {
                errors.Add(new("holdLimits", $"a limit is set per kind, suspension or purge (a hold of kind all is checked against both), got \"{kind}\""));
            }
            else if (limit < Duration.Zero)
            {
                errors.Add(new($"holdLimits.{HoldKindName(kind)}", $"must not be negative, got \"{IsoDurationPattern.Instance.Format(limit)}\""));
            }
        }

        return errors;
    }

    /// <summary>Returns the audience and channels of a notification kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The resolved route.</returns>
    public NotificationRoute RouteFor(NotificationKind kind) => _routes[(int)kind];

    /// <summary>Returns the longest window a hold pausing deadlines of <paramref name="kind"/> may have, or <see langword="null"/> for no limit.</summary>
    /// <param name="kind"><see cref="HoldKind.Suspension"/> or <see cref="HoldKind.Purge"/>.</param>
    internal Duration? HoldLimit(HoldKind kind) => kind == HoldKind.Suspension ? _suspensionHoldLimit : _purgeHoldLimit;

    /// <summary>The name of a hold kind as the scenario format and error paths write it: <c>suspension</c>, <c>purge</c>, <c>all</c>.</summary>
    internal static string HoldKindName(HoldKind kind) => kind switch
    {
        HoldKind.Suspension => "suspension",
        HoldKind.Purge => "purge",
        HoldKind.All => "all",
        _ => kind.ToString(),
    };

    /// <summary>Returns options holding this policy's settings, to derive a changed policy.</summary>
    /// <returns>A new, independent options object.</returns>
    public LifecyclePolicyOptions ToOptions()
    {
        var options = new LifecyclePolicyOptions
        {
            Name = Name,
            Grace = Grace,
            GraceBoundary = GraceBoundary,
            Retention = Retention,
            RetentionBoundary = RetentionBoundary,
            Tolerance = Tolerance,
            ResumeMinimumBalance = ResumeMinimumBalance,
        };
        options.PurgeWarnings.ReplaceWith(PurgeWarnings);
        options.Channels.ReplaceWith(Channels);
        foreach (var (kind, limit) in HoldLimits)
        {
            options.HoldLimits[kind] = limit;
        }

        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            var route = _routes[(int)kind];
            if (route.Audience != Audience.Everyone || !route.Channels.SequenceEqual(Channels, StringComparer.Ordinal))
            {
                options.Routes[kind] = route;
            }
        }

        return options;
    }

    /// <summary>Returns a one-line summary such as <c>tencent-api-gateway: grace P1D inclusive, retention P180D inclusive</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"{Name}: grace {IsoDurationPattern.Instance.Format(Grace)} {GraceBoundary.ToString().ToLowerInvariant()}, retention {IsoDurationPattern.Instance.Format(Retention)} {RetentionBoundary.ToString().ToLowerInvariant()}";

    private static void ValidateChannels(string field, IReadOnlyList<string> channels, List<ValidationError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < channels.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(channels[i]))
            {
                errors.Add(new($"{field}[{i}]", $"must not be empty, got \"{channels[i]}\""));
            }
            else if (!seen.Add(channels[i]))
            {
                errors.Add(new($"{field}[{i}]", $"duplicate channel, got \"{channels[i]}\""));
            }
        }
    }

}
