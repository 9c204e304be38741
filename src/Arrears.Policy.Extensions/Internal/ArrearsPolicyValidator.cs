using Arrears.Policy.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>
/// Checks, when the host starts, everything that would otherwise fail later: configuration that does not parse, invalid
/// runtime options and policies, a policy channel that no notifier delivers, two notifiers for one channel, and no
/// enforcement handler. Every problem is listed in one <see cref="OptionsValidationException"/>.
/// </summary>
internal sealed class ArrearsPolicyValidator(IServiceProvider services) : IValidateOptions<ArrearsPolicyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ArrearsPolicyOptions options)
    {
        if (!string.Equals(name, Options.DefaultName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(options.BindingErrors);
        errors.AddRange(options.Runtime.Validate().Select(error => $"runtime options: {error}"));
        var policies = PolicyCatalog.Build(options, errors);
        var channels = NotifierChannels(errors);
        foreach (var (policyName, (policy, source)) in policies)
        {
            var routes = Enum.GetValues<NotificationKind>().Length * policy.Products.Count + 1; // every kind of every product, and the balance alarm
            foreach (var (channel, uses) in RoutedChannels(policy))
            {
                if (!channels.Contains(channel))
                {
                    errors.Add(UnknownChannel(policyName, source, channel, uses.Count == routes ? "every notification" : string.Join(", ", uses), channels));
                }
            }
        }

        // Asked without creating the handler where the container can say; otherwise (another container) by resolving it.
        var hasEnforcement = services.GetService<IServiceProviderIsService>() is { } isService
            ? isService.IsService(typeof(IEnforcementHandler))
            : services.GetService<IEnforcementHandler>() is not null;
        if (!hasEnforcement)
        {
            errors.Add(
                "enforcement: no IEnforcementHandler is registered, so a suspension would be decided but never enforced; " +
                "register the host's handler with UseEnforcementHandler<T>() (a host that enforces elsewhere registers a handler that says so)");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Returns the channels the registered notifiers deliver; an empty or repeated channel is an error.</summary>
    private SortedSet<string> NotifierChannels(List<string> errors)
    {
        var channels = new SortedSet<string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var notifier in services.GetServices<INotifier>())
        {
            var type = notifier.GetType().Name;
            var channel = notifier.Channel;
            if (string.IsNullOrWhiteSpace(channel))
            {
                errors.Add($"notifiers: {type} delivers no channel; its Channel must name one, got \"{channel}\"");
            }
            else if (owners.TryGetValue(channel, out var owner))
            {
                errors.Add($"notifiers: two notifiers deliver the channel \"{channel}\": {owner} and {type}; register one notifier per channel");
            }
            else
            {
                owners.Add(channel, type);
                channels.Add(channel);
            }
        }

        return channels;
    }

    /// <summary>Returns each channel a policy sends over, with the notifications that use it (routes to nobody send nothing).</summary>
    private static SortedDictionary<string, List<string>> RoutedChannels(AccountPolicy policy)
    {
        var uses = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var product in policy.Products)
        {
            foreach (var kind in Enum.GetValues<NotificationKind>())
            {
                var route = product.Policy.RouteFor(kind);
                Add(route, product.Name is null ? kind.ToString() : $"{product.Name} {kind}");
            }
        }

        Add(policy.BalanceAlarmRoute, "balance alarm");
        return uses;

        void Add(NotificationRoute route, string use)
        {
            if (route.Audience == Audience.None)
            {
                return;
            }

            foreach (var channel in route.Channels)
            {
                if (!uses.TryGetValue(channel, out var list))
                {
                    uses.Add(channel, list = []);
                }

                if (!list.Contains(use, StringComparer.Ordinal))
                {
                    list.Add(use);
                }
            }
        }
    }

    private static string UnknownChannel(string policy, string source, string channel, string uses, SortedSet<string> channels)
    {
        var registered = channels.Count == 0 ? "no notifier is registered" : "the registered channels are " + string.Join(", ", channels.Select(c => $"\"{c}\""));
        var suggestion = channels.FirstOrDefault(c => IsNear(c, channel)) is { } near ? $"; did you mean \"{near}\"?" : string.Empty;
        return $"policy \"{policy}\" ({source}): sends {uses} over the channel \"{channel}\", but no notifier delivers it; {registered}{suggestion}";
    }

    /// <summary>Whether two channel names differ only in case or by at most two edits (a typo such as <c>Emial</c>).</summary>
    internal static bool IsNear(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return false;
        }

        // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length] <= 2;
    }
}
