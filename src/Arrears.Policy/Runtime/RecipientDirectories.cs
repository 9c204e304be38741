using System.Collections.Concurrent;

namespace Arrears.Policy.Runtime;

/// <summary>A recipient directory in memory: the host adds each recipient's addresses. For tests and small hosts.</summary>
/// <example>
/// <code>
/// var directory = new InMemoryRecipientDirectory();
/// directory.Set("owner", new RecipientContact("owner@example.com", "+8613800000000"));
/// </code>
/// </example>
public sealed class InMemoryRecipientDirectory : IRecipientDirectory
{
    private readonly ConcurrentDictionary<string, RecipientContact> _contacts = new(StringComparer.Ordinal);

    /// <summary>Initializes an empty directory.</summary>
    public InMemoryRecipientDirectory()
    {
    }

    /// <summary>Sets a recipient's addresses, replacing any earlier ones.</summary>
    /// <param name="recipient">The recipient's id.</param>
    /// <param name="contact">The addresses.</param>
    public void Set(string recipient, RecipientContact contact)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(recipient);
        ArgumentNullException.ThrowIfNull(contact);
        _contacts[recipient] = contact;
    }

    /// <inheritdoc />
    public ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_contacts.TryGetValue(recipient, out var contact) ? contact : null);
}

/// <summary>
/// A recipient directory for hosts whose recipients are addresses themselves: a recipient containing <c>@</c> is its own
/// email address, one starting with <c>+</c> its own phone number; anything else has no address and its notifications
/// are dead-lettered.
/// </summary>
/// <example>
/// <code>
/// var runtime = new ArrearsRuntime(store, policies, clock, notifiers, enforcement, RecipientsAreAddresses.Instance);
/// </code>
/// </example>
public sealed class RecipientsAreAddresses : IRecipientDirectory
{
    private RecipientsAreAddresses()
    {
    }

    /// <summary>Gets the directory.</summary>
    public static RecipientsAreAddresses Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return ValueTask.FromResult<RecipientContact?>(new RecipientContact(
            recipient.Contains('@', StringComparison.Ordinal) ? recipient : null,
            recipient.StartsWith('+') ? recipient : null));
    }
}
