using Arrears.Policy.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Arrears.Policy.Runtime;
using NodaTime;
using static Arrears.Policy.Notifications.NotificationText;

namespace Arrears.Policy.Notifications;

/// <summary>
/// Delivers notifications by posting them as signed JSON to an HTTP endpoint: an SMS gateway, an email service, a chat
/// bot or the host's own service.
/// </summary>
/// <remarks>
/// <para>
/// Each request is a <c>POST</c> of <c>application/json</c> (the fields are listed in docs/notifications.md) with an
/// <c>Idempotency-Key</c> header holding the notification's key (percent-encoded when it is not printable ASCII) and an
/// <c>Arrears-Signature</c> header (see <see cref="WebhookSignature"/>) timestamped by the <see cref="IClock"/>.
/// </para>
/// <para>
/// A 2xx answer is a delivery. 408, 429, 5xx, a network error and a timeout are transient failures (retried); any other
/// answer (other 4xx, a redirect) is a permanent failure whose reason holds the status code and reason phrase. A
/// redirect that the <see cref="HttpClient"/> followed is a permanent failure too, whatever the final answer: a
/// followed 301 or 302 turns the POST into a GET without the body. The response body is never read, so that nothing
/// the endpoint echoes ends up in a reason.
/// </para>
/// <para>
/// The <see cref="HttpClient"/> belongs to the host (take it from <c>IHttpClientFactory</c>); the notifier never
/// disposes it and is safe to use from several threads at once.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var sms = new WebhookNotifier(
///     httpClientFactory.CreateClient("sms-gateway"),
///     new WebhookNotifierOptions
///     {
///         Endpoint = new Uri("https://sms-gateway.example.com/arrears"),
///         Secret = secrets["sms-webhook-secret"],
///         Channel = "SMS",
///         Contact = ContactKind.Phone,
///     },
///     clock);
/// DeliveryResult result = await sms.DeliverAsync(delivery, cancellationToken);
/// </code>
/// </example>
public sealed class WebhookNotifier : INotifier
{
    private const int MinimumSecretBytes = 16;

    private readonly HttpClient _httpClient;
    private readonly Uri _endpoint;
    private readonly byte[] _secret;
    private readonly Duration _timeout;
    private readonly IClock _clock;
    private readonly INotificationTemplates _templates;

    /// <summary>Initializes a notifier.</summary>
    /// <param name="httpClient">The client that sends the requests; the host owns it.</param>
    /// <param name="options">The settings; they are validated and copied, so later changes to them do not affect the notifier.</param>
    /// <param name="clock">The clock that timestamps each signature.</param>
    /// <param name="templates">The wording of the <c>text</c> field; <see langword="null"/> for <see cref="EnglishNotificationTemplates"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/>, <paramref name="options"/> or <paramref name="clock"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem, naming the field and the value.</exception>
    public WebhookNotifier(HttpClient httpClient, WebhookNotifierOptions options, IClock clock, INotificationTemplates? templates = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid webhook notifier options: " + string.Join("; ", errors), nameof(options));
        }

        _httpClient = httpClient;
        Channel = options.Channel;
        Contact = options.Contact;
        _endpoint = options.Endpoint!;
        _secret = Encoding.UTF8.GetBytes(options.Secret);
        _timeout = options.Timeout;
        _clock = clock;
        _templates = templates ?? EnglishNotificationTemplates.Instance;
    }

    /// <inheritdoc />
    public string Channel { get; }

    /// <inheritdoc />
    public ContactKind Contact { get; }

    /// <summary>Lists every problem of a set of options without creating a notifier.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>Each problem as the field (for example <c>endpoint</c>) and what is wrong with its value; empty when the options are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<ValidationError> Validate(WebhookNotifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(options.Channel))
        {
            errors.Add(new("channel", $"must not be empty, got \"{Id(options.Channel ?? string.Empty)}\""));
        }

        if (!Enum.IsDefined(options.Contact))
        {
            errors.Add(new("contact", $"must be None, Email or Phone, got \"{options.Contact}\""));
        }

        if (options.Endpoint is null)
        {
            errors.Add(new("endpoint", "must be an absolute http or https address, got none"));
        }
        else if (!options.Endpoint.IsAbsoluteUri || (options.Endpoint.Scheme != Uri.UriSchemeHttps && options.Endpoint.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add(new("endpoint", $"must be an absolute http or https address, got \"{Id(options.Endpoint.OriginalString)}\""));
        }
        else if (!string.IsNullOrEmpty(options.Endpoint.UserInfo))
        {
            errors.Add(new("endpoint", "must not hold credentials (user:password@); the signature authenticates the requests"));
        }

        var secretBytes = options.Secret is null ? 0 : Encoding.UTF8.GetByteCount(options.Secret);
        if (secretBytes < MinimumSecretBytes)
        {
            errors.Add(new("secret", string.Create(
                CultureInfo.InvariantCulture,
                $"must be at least {MinimumSecretBytes} bytes of UTF-8, got {secretBytes} bytes")));
        }

        if (options.Timeout <= Duration.Zero || options.Timeout > Duration.FromHours(1))
        {
            errors.Add(new("timeout", $"must be positive and at most one hour, got \"{IsoDurationPattern.Instance.Format(options.Timeout)}\""));
        }

        return errors;
    }

    /// <summary>Posts one notification to the endpoint.</summary>
    /// <param name="delivery">The notification.</param>
    /// <param name="cancellationToken">Cancels the delivery; an <see cref="OperationCanceledException"/> is then thrown.</param>
    /// <returns>
    /// <see cref="DeliveryResult.Delivered"/> for a 2xx answer; a transient failure for 408, 429, 5xx, a network error or a
    /// timeout; a permanent failure for any other answer.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="delivery"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        cancellationToken.ThrowIfCancellationRequested();
        var text = _templates.ShortText(delivery) ?? throw new InvalidOperationException("The notification templates returned no short text.");
        var body = WebhookPayload.Write(delivery, text);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", HeaderValue(delivery.Key));
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Sign(_secret, _clock.GetCurrentInstant(), body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout.ToTimeSpan());
        try
        {
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.RequestMessage?.RequestUri is { } final && final != _endpoint)
            {
                // The client followed a redirect: a 301 or 302 turns the POST into a GET without the body, whose 200
                // would otherwise read as a delivery. The endpoint must be the final address.
                return DeliveryResult.Permanent("the endpoint redirected the notification to another address; set the endpoint to the final address");
            }

            return Classify(response);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Transient(
                timeout.IsCancellationRequested
                    ? $"the endpoint did not answer within {Seconds(_timeout)}"
                    : "the endpoint did not answer within the HttpClient's timeout");
        }
        catch (HttpRequestException exception)
        {
            return DeliveryResult.Transient($"could not reach the endpoint: {exception.HttpRequestError}");
        }
    }

    private static DeliveryResult Classify(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        if (code is >= 200 and < 300)
        {
            return DeliveryResult.Delivered;
        }

        var status = string.Create(CultureInfo.InvariantCulture, $"{code} {Safe(response.ReasonPhrase)}").TrimEnd();
        return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || code >= 500
            ? DeliveryResult.Transient($"the endpoint answered {status}")
            : DeliveryResult.Permanent($"the endpoint rejected the notification: {status}");
    }
}
