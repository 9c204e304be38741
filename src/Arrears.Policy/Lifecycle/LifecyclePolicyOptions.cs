using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// The mutable, bindable settings of a <see cref="LifecyclePolicy"/>, each with a documented default.
/// Build an immutable, validated policy with <see cref="LifecyclePolicy.Create(LifecyclePolicyOptions)"/>.
/// </summary>
/// <example>
/// <code>
/// var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
/// options.Grace = Duration.FromHours(2);
/// options.GraceBoundary = DeadlineBoundary.Exclusive;
/// var policy = LifecyclePolicy.Create(options);   // throws PolicyValidationException listing every problem
/// </code>
/// </example>
public sealed class LifecyclePolicyOptions
{
    /// <summary>Initializes options holding the documented defaults (those of the <c>tencent-api-gateway</c> preset).</summary>
    public LifecyclePolicyOptions()
    {
    }

    /// <summary>Gets or sets the policy's name. Default: <c>custom</c>.</summary>
    public string Name { get; set; } = "custom";

    /// <summary>Gets or sets how long an overdue account keeps its service before suspension. Default: 24 hours. Must not be negative.</summary>
    public Duration Grace { get; set; } = Duration.FromHours(24);

    /// <summary>Gets or sets the boundary of the suspension deadline. Default: <see cref="DeadlineBoundary.Inclusive"/>.</summary>
    public DeadlineBoundary GraceBoundary { get; set; } = DeadlineBoundary.Inclusive;

    /// <summary>Gets or sets how long a suspended account's data is kept before the purge. Default: 180 days. Must not be negative.</summary>
    public Duration Retention { get; set; } = Duration.FromDays(180);

    /// <summary>Gets or sets the boundary of the purge deadline. Default: <see cref="DeadlineBoundary.Inclusive"/>.</summary>
    public DeadlineBoundary RetentionBoundary { get; set; } = DeadlineBoundary.Inclusive;

    /// <summary>Gets or sets the tolerated debt: the account is in arrears when its balance is below minus this. Default: 0. Must not be negative.</summary>
    public decimal Tolerance { get; set; }

    /// <summary>Gets or sets an extra condition for leaving Suspended: the balance must be at least this. Default: none.</summary>
    public decimal? ResumeMinimumBalance { get; set; }

    /// <summary>Gets the offsets before the purge deadline at which a <see cref="NotificationKind.PurgeWarning"/> is sent. Default: 7 days and 1 day. Each must be positive and appear once.</summary>
    public IList<Duration> PurgeWarnings { get; } = [Duration.FromDays(7), Duration.FromDays(1)];

    /// <summary>Gets the channels every notification goes over unless a route says otherwise. Default: <c>Email</c> and <c>SMS</c>. At least one.</summary>
    public IList<string> Channels { get; } = ["Email", "SMS"];

    /// <summary>Gets per-kind overrides of the audience and channels. Kinds not listed go to everyone over <see cref="Channels"/>.</summary>
    public IDictionary<NotificationKind, NotificationRoute> Routes { get; } = new Dictionary<NotificationKind, NotificationRoute>();

    /// <summary>
    /// Gets the longest window a <see cref="Hold"/> of each kind may have: keys <see cref="HoldKind.Suspension"/> and
    /// <see cref="HoldKind.Purge"/> (a hold of kind <see cref="HoldKind.All"/> is checked against both). Default: none, so any
    /// hold is allowed. A kind not listed has no limit; an open-ended hold exceeds any limit; a limit of zero allows no hold
    /// of that kind. Limits must not be negative.
    /// </summary>
    public IDictionary<HoldKind, Duration> HoldLimits { get; } = new Dictionary<HoldKind, Duration>();
}
