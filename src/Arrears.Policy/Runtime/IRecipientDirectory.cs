namespace Arrears.Policy.Runtime;

/// <summary>
/// Resolves a recipient (an account's creator or collaborator, as the account names them) to the addresses channels need.
/// </summary>
/// <remarks>
/// A notification over a channel whose <see cref="INotifier.Contact"/> the recipient has no address for is dead-lettered
/// with that reason: it is never sent to another address.
/// </remarks>
/// <example>
/// <code>
/// public sealed class UsersDirectory(UsersDb db) : IRecipientDirectory
/// {
///     public async ValueTask&lt;RecipientContact?&gt; FindAsync(string recipient, CancellationToken cancellationToken)
///     {
///         var user = await db.FindAsync(recipient, cancellationToken);
///         return user is null ? null : new RecipientContact(user.Email, user.Mobile);
///     }
/// }
/// </code>
/// </example>
public interface IRecipientDirectory
{
    /// <summary>Finds a recipient's addresses.</summary>
    /// <param name="recipient">The recipient's id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The addresses, or <see langword="null"/> when the recipient is unknown.</returns>
    ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken);
}

/// <summary>A recipient's addresses: an email address and a phone number, either of which may be missing.</summary>
/// <example>
/// <code>
/// var contact = new RecipientContact("owner@example.com", "+8613800000000");
/// contact.AddressFor(ContactKind.Phone);   // "+8613800000000"
/// </code>
/// </example>
public sealed class RecipientContact
{
    /// <summary>Initializes a recipient's addresses.</summary>
    /// <param name="email">The email address, or <see langword="null"/>.</param>
    /// <param name="phone">The phone number in E.164 form, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An address is empty or whitespace (use <see langword="null"/> for none).</exception>
    public RecipientContact(string? email, string? phone)
    {
        if (email is not null && string.IsNullOrWhiteSpace(email))
        {
            throw new ArgumentException($"email: must be null or an address, got \"{email}\"", nameof(email));
        }

        if (phone is not null && string.IsNullOrWhiteSpace(phone))
        {
            throw new ArgumentException($"phone: must be null or a number, got \"{phone}\"", nameof(phone));
        }

        Email = email;
        Phone = phone;
    }

    /// <summary>Gets the email address, if any.</summary>
    public string? Email { get; }

    /// <summary>Gets the phone number, if any.</summary>
    public string? Phone { get; }

    /// <summary>Returns the address for a kind of contact.</summary>
    /// <param name="kind">The kind of address.</param>
    /// <returns>The address, or <see langword="null"/> when the recipient has none of that kind.</returns>
    public string? AddressFor(ContactKind kind) => kind switch
    {
        ContactKind.Email => Email,
        ContactKind.Phone => Phone,
        _ => null,
    };
}
