using Microsoft.AspNetCore.Mvc;
using NodaTime.Text;

namespace Arrears.Policy.AspNetCore;

/// <summary>
/// Stands in front of the API: a call of a suspended (or purged) account is answered <c>402 Payment Required</c> with a
/// problem-details body saying why and until when; any other call goes on. One dictionary lookup per call (see
/// <see cref="ApiStatusCache"/>).
/// </summary>
public sealed class SuspendedApiMiddleware(RequestDelegate next, ApiStatusCache statuses, IProblemDetailsService problems)
{
    /// <summary>The header that names the caller's account: a stand-in for the host's authentication (the account of an API key).</summary>
    public const string AccountHeader = "X-Account";

    /// <summary>Answers the call, or passes it on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var account = context.Request.Headers[AccountHeader].ToString();
        if (account.Length == 0)
        {
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "No account", $"The {AccountHeader} header names the calling account.");
            return;
        }

        // The sample's policy has one unnamed product; a host with several maps each endpoint to its product's name.
        var status = await statuses.GetAsync(account, product: null, context.RequestAborted);
        if (status is null)
        {
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Unknown account", $"There is no account {account}.");
            return;
        }

        if (!status.Refused)
        {
            await next(context);
            return;
        }

        var until = status.DataKeptUntil is { } keptUntil ? InstantPattern.ExtendedIso.Format(keptUntil) : null;
        var since = status.Since is { } suspendedSince ? InstantPattern.ExtendedIso.Format(suspendedSince) : null;
        var detail = status.Status == LifecycleStatus.Purged
            ? $"The service of account {account} was suspended for unpaid arrears and its configuration and data were deleted on {until}."
            : $"The service of account {account} has been suspended since {since} for unpaid arrears. Its configuration and data are kept until {until}: pay the arrears before then to resume the service.";
        await WriteAsync(context, StatusCodes.Status402PaymentRequired, "Payment required", detail, new Dictionary<string, object?>
        {
            ["account"] = account,
            ["lifecycle"] = status.Status.ToString(),
            ["suspendedSince"] = since,
            ["dataKeptUntil"] = until,
        });
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
