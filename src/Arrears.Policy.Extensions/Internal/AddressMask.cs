namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>Masks recipients' addresses for logs: enough to tell two apart, not enough to reach anyone.</summary>
internal static class AddressMask
{
    /// <summary>
    /// Masks an address: <c>owner@example.com</c> becomes <c>o***@example.com</c>, <c>+8613800001234</c> becomes
    /// <c>+86***34</c>, anything else keeps its first character (<c>u***</c>).
    /// </summary>
    /// <param name="address">The address or recipient id.</param>
    /// <returns>The masked text.</returns>
    public static string Mask(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return "***";
        }

        var at = address.LastIndexOf('@');
        if (at > 0)
        {
            return string.Concat(address.AsSpan(0, 1), "***", address.AsSpan(at));
        }

        if (address.StartsWith('+') && address.Length > 6)
        {
            return string.Concat(address.AsSpan(0, 3), "***", address.AsSpan(address.Length - 2));
        }

        return string.Concat(address.AsSpan(0, 1), "***");
    }
}

/// <summary>
/// An address as logs see it: formatting gives the masked text (<see cref="AddressMask.Mask"/>), computed only when a log
/// message is written, and there is no public member through which a structured sink could read the address itself.
/// </summary>
internal readonly struct MaskedAddress
{
    private readonly string? _address;

    /// <summary>Initializes a masked address.</summary>
    /// <param name="address">The address or recipient id.</param>
    public MaskedAddress(string? address)
    {
        _address = address;
    }

    /// <summary>Returns the masked address, for example <c>o***@example.com</c>.</summary>
    /// <returns>The masked text.</returns>
    public override string ToString() => AddressMask.Mask(_address);
}
