namespace Arrears.Policy;

/// <summary>The status of a product's lifecycle (for a single-product account, of the account).</summary>
public enum LifecycleStatus
{
    /// <summary>Not in arrears; the service runs.</summary>
    Active = 0,

    /// <summary>In arrears, within the grace period; the service still runs.</summary>
    Overdue = 1,

    /// <summary>The grace period expired unpaid; the service is stopped but configuration and data are retained.</summary>
    Suspended = 2,

    /// <summary>The retention period expired unpaid; configuration and data are destroyed. Terminal.</summary>
    Purged = 3,
}

/// <summary>Whether a deadline still accepts entries effective at exactly its instant.</summary>
public enum DeadlineBoundary
{
    /// <summary>
    /// "Within 24 hours, inclusive": entries at the deadline instant and cure checks are applied first; the deadline fires
    /// afterwards only if the state still calls for it.
    /// </summary>
    Inclusive = 0,

    /// <summary>The deadline fires at its instant before that instant's entries are applied; a payment at exactly the deadline then cures the new state.</summary>
    Exclusive = 1,
}

/// <summary>Why a lifecycle transition happened.</summary>
public enum TransitionReason
{
    /// <summary>Active → Overdue: the balance fell below minus the tolerance.</summary>
    InArrears = 0,

    /// <summary>Overdue → Active: the arrears were paid within the grace period.</summary>
    Paid = 1,

    /// <summary>Overdue → Suspended: the grace period expired.</summary>
    GraceExpired = 2,

    /// <summary>Suspended → Active: the arrears were paid (and the minimum resume balance met) within the retention period.</summary>
    Resumed = 3,

    /// <summary>Suspended → Purged: the retention period expired.</summary>
    RetentionExpired = 4,
}

/// <summary>What a notification is about.</summary>
public enum NotificationKind
{
    /// <summary>The account became overdue (Active → Overdue).</summary>
    Overdue = 0,

    /// <summary>The service was suspended (Overdue → Suspended).</summary>
    Suspended = 1,

    /// <summary>A warning before the purge deadline, one per configured offset.</summary>
    PurgeWarning = 2,

    /// <summary>The service resumed after payment (Suspended → Active).</summary>
    Resumed = 3,

    /// <summary>Configuration and data were destroyed (Suspended → Purged).</summary>
    Purged = 4,

    /// <summary>The balance crossed below the account's balance alarm.</summary>
    BalanceLow = 5,
}

/// <summary>Who receives a kind of notification.</summary>
[Flags]
public enum Audience
{
    /// <summary>Nobody: the kind is not sent.</summary>
    None = 0,

    /// <summary>The account's creator.</summary>
    Creator = 1,

    /// <summary>Every collaborator of the account.</summary>
    Collaborators = 2,

    /// <summary>The creator and every collaborator (the default).</summary>
    Everyone = Creator | Collaborators,
}
