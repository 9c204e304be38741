// An API whose calls are refused with 402 Payment Required while the calling account is suspended for unpaid arrears,
// and served again as soon as a payment resumes it. See README.md.
using Arrears.Policy.AspNetCore;
using Arrears.Policy.Runtime;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails();

// The account policies are named in configuration (appsettings.json: "Arrears:Policies"). The hosted service that
// AddArrearsPolicy registers evaluates what is due, delivers the outbox, and sleeps until the next due instant or until
// new facts arrive.
var directory = new InMemoryRecipientDirectory();
builder.Services.AddSingleton(directory);
builder.Services.AddSingleton<ApiStatusCache>();
builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears"))
    .AddNotifier<EmailNotifier>()
    .AddNotifier<SmsNotifier>()
    .UseEnforcementHandler<GatewaySwitch>()
    .UseRecipientDirectory(directory);

var app = builder.Build();

// The gate: only the API is behind it; billing (and health checks, sign-in, ...) are not.
app.UseWhen(
    context => context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal),
    api => api.UseMiddleware<SuspendedApiMiddleware>());

app.MapGet("/api/hello", (HttpContext context) =>
    Results.Ok(new { message = $"hello, {context.Request.Headers[SuspendedApiMiddleware.AccountHeader]}" }));
app.MapBilling();

await app.RunAsync();

/// <summary>The application's entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
