using Arrears.Policy.Runtime;
using Microsoft.Extensions.Logging;

namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>Logs each delivery attempt of a notifier, with the address masked; the notifier's outcome is returned unchanged.</summary>
internal sealed class LoggingNotifier(INotifier inner, ILogger logger) : INotifier
{
    /// <summary>Gets the notifier this one logs for.</summary>
    public INotifier Inner => inner;

    /// <inheritdoc />
    public string Channel => inner.Channel;

    /// <inheritdoc />
    public ContactKind Contact => inner.Contact;

    /// <inheritdoc />
    public async ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        DeliveryResult result;
        try
        {
            result = await inner.DeliverAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The type only: exception messages may hold addresses. The dispatcher treats the exception as transient.
            Log.NotifierThrew(logger, delivery.Channel, ex.GetType().Name, delivery.Kind, delivery.Account, delivery.Attempt);
            throw;
        }

        if (result.Outcome == DeliveryOutcome.Delivered)
        {
            Log.Delivered(logger, delivery.Kind, delivery.Account, delivery.Channel, new MaskedAddress(delivery.Address), delivery.Attempt);
        }
        else
        {
            Log.NotDelivered(logger, delivery.Kind, delivery.Account, delivery.Channel, new MaskedAddress(delivery.Address), result.Outcome, delivery.Attempt);
        }

        return result;
    }
}

/// <summary>Logs each enforcement action; the handler's outcome is returned unchanged.</summary>
internal sealed class LoggingEnforcementHandler(IEnforcementHandler inner, ILogger logger) : IEnforcementHandler
{
    /// <summary>Gets the handler this one logs for.</summary>
    public IEnforcementHandler Inner => inner;

    /// <inheritdoc />
    public async ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var product = action.Product ?? "(single product)";
        DeliveryResult result;
        try
        {
            result = await inner.EnforceAsync(action, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.EnforcementThrew(logger, ex.GetType().Name, action.Kind, action.Account, product, action.Episode);
            throw;
        }

        if (result.Outcome == DeliveryOutcome.Delivered)
        {
            Log.Enforced(logger, action.Kind, action.Account, product, action.Episode);
        }
        else
        {
            Log.NotEnforced(logger, action.Kind, action.Account, product, action.Episode, result.Outcome);
        }

        return result;
    }
}
