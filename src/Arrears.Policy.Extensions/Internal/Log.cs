using Arrears.Policy.Runtime;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>
/// Every log message of the package, generated at compile time. None carries personal data: recipients' addresses are
/// masked (<see cref="AddressMask"/>), notification keys (which contain recipients) and failure reasons (which providers
/// may fill with addresses) are not logged; the outbox keeps them for operators.
/// </summary>
internal static partial class Log
{
    /// <summary>The category of the hosted service's messages.</summary>
    public const string HostCategory = "Arrears.Policy.Hosting";

    /// <summary>The category of delivery and enforcement messages.</summary>
    public const string DeliveryCategory = "Arrears.Policy.Delivery";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Arrears runtime started: account policies {Policies}; notifier channels {Channels}; store {Store}; enforcement handler {Enforcement}; recipient directory {Directory}")]
    public static partial void Started(ILogger logger, string policies, string channels, string store, string enforcement, string directory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Arrears runtime stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Pass: evaluation {Evaluation}; dispatch {Dispatch}")]
    public static partial void Pass(ILogger logger, EvaluationSummary evaluation, DispatchSummary dispatch);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Count} account evaluation(s) failed; each stays due and is evaluated again when its claim expires")]
    public static partial void EvaluationFailures(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Count} outbox message(s) were dead-lettered; the store's dead letters hold each with its reason")]
    public static partial void DeadLettered(ILogger logger, int count);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Sleeping until {Due} (in {Delay}) or until new facts arrive")]
    public static partial void SleepingUntil(ILogger logger, Instant due, Duration delay);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Nothing is due: sleeping until new facts arrive")]
    public static partial void SleepingUntilFacts(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "The store reports work due at {Due}, but the pass found nothing it could claim; waiting {Delay} or until new facts arrive")]
    public static partial void NothingClaimable(ILogger logger, Instant due, Duration delay);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "A pass failed (failure {Failures} in a row); trying again in {Delay} or when new facts arrive")]
    public static partial void PassFailed(ILogger logger, Exception exception, int failures, Duration delay);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Delivered the {Kind} notification for account {Account} over {Channel} to {Address} (attempt {Attempt})")]
    public static partial void Delivered(ILogger logger, NotificationKind kind, string account, string channel, MaskedAddress address, int attempt);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "A {Kind} notification for account {Account} over {Channel} to {Address} was not delivered: {Outcome} (attempt {Attempt}); the outbox keeps the reason")]
    public static partial void NotDelivered(ILogger logger, NotificationKind kind, string account, string channel, MaskedAddress address, DeliveryOutcome outcome, int attempt);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The notifier for {Channel} threw {ExceptionType} delivering a {Kind} notification for account {Account} (attempt {Attempt}); it is retried")]
    public static partial void NotifierThrew(ILogger logger, string channel, string exceptionType, NotificationKind kind, string account, int attempt);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Enforced {Kind} for account {Account}, product {Product}, episode {Episode}")]
    public static partial void Enforced(ILogger logger, EnforcementKind kind, string account, string product, int episode);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Enforcement {Kind} for account {Account}, product {Product}, episode {Episode} failed: {Outcome}; the outbox keeps the reason")]
    public static partial void NotEnforced(ILogger logger, EnforcementKind kind, string account, string product, int episode, DeliveryOutcome outcome);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "The enforcement handler threw {ExceptionType} for {Kind} of account {Account}, product {Product}, episode {Episode}; it is retried")]
    public static partial void EnforcementThrew(ILogger logger, string exceptionType, EnforcementKind kind, string account, string product, int episode);
}
