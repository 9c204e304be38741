namespace Arrears.Policy.Runtime;

/// <summary>
/// Delivers notifications over one channel (for example <c>Email</c> or <c>SMS</c>): the port a host implements, or takes
/// from Arrears.Policy.Notifications, to reach people.
/// </summary>
/// <remarks>
/// <para>
/// The dispatcher calls <see cref="DeliverAsync"/> at least once per notification, each time with the same
/// <see cref="NotificationDelivery.Key"/>: a notifier passes the key on to a provider that deduplicates by it (an
/// <c>Idempotency-Key</c> header, a message id) so that a repeat after a crash reaches nobody twice.
/// </para>
/// <para>
/// Expected outcomes are returned, not thrown: <see cref="DeliveryResult.Delivered"/>, a transient failure that the
/// dispatcher retries with backoff, or a permanent failure that it dead-letters. An exception is treated as transient.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// public sealed class ConsoleNotifier : INotifier
/// {
///     public string Channel =&gt; "Email";
///     public ContactKind Contact =&gt; ContactKind.Email;
///     public ValueTask&lt;DeliveryResult&gt; DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
///     {
///         Console.WriteLine($"{delivery.Key}: {delivery.Kind} to {delivery.Address}");
///         return ValueTask.FromResult(DeliveryResult.Delivered);
///     }
/// }
/// </code>
/// </example>
public interface INotifier
{
    /// <summary>Gets the channel this notifier delivers, as policies name it (for example <c>Email</c>); compared ordinally.</summary>
    string Channel { get; }

    /// <summary>Gets the kind of address this channel needs; a recipient without one is dead-lettered, never sent elsewhere.</summary>
    ContactKind Contact { get; }

    /// <summary>Delivers one notification.</summary>
    /// <param name="delivery">The notification, its idempotency key and the recipient's resolved address.</param>
    /// <param name="cancellationToken">Cancels the delivery (the dispatcher then retries it later).</param>
    /// <returns>Whether it was delivered, failed transiently, or failed permanently.</returns>
    ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>The kind of address a channel needs to reach a recipient.</summary>
public enum ContactKind
{
    /// <summary>The channel needs no address: it receives the recipient's id (for example a webhook to the host's own service).</summary>
    None = 0,

    /// <summary>An email address.</summary>
    Email = 1,

    /// <summary>A phone number (SMS, voice), in E.164 form such as <c>+8613800000000</c>.</summary>
    Phone = 2,
}
