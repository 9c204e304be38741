using Arrears.Policy.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>
/// Runs the runtime for the life of the host: a pass (<see cref="ArrearsRuntime.RunOnceAsync"/>), then sleep until the
/// earliest due instant (<see cref="ArrearsRuntime.NextDueAsync"/>) or until new facts arrive
/// (<see cref="ArrearsRuntime.WaitForFactsAsync"/>), whichever comes first. There is no polling interval.
/// </summary>
/// <remarks>
/// <para>
/// The delay is computed with the registered <see cref="IClock"/> and recomputed after every wake, so a changed clock or a
/// long delay clamped to what <see cref="Task.Delay(TimeSpan, CancellationToken)"/> accepts (about 49.7 days) only costs
/// one extra pass. Facts that arrive during a pass wake the next sleep at once: the wait is taken before the pass.
/// </para>
/// <para>
/// A pass that throws is logged and retried after a backoff (the runtime's retry delays, doubling); a store that reports
/// work due now while the pass could claim none (another host holds it) is retried after a short doubling wait, so
/// neither case spins. Stopping the host cancels the pass or the sleep and ends the loop without an error.
/// </para>
/// </remarks>
internal sealed class ArrearsHostedService(ArrearsRuntime runtime, IClock clock, ArrearsRuntimeOptions options, ILogger logger, Action<ILogger> logStarted)
    : BackgroundService
{
    /// <summary>The longest delay <see cref="Task.Delay(TimeSpan, CancellationToken)"/> accepts: <see cref="uint.MaxValue"/> − 1 milliseconds.</summary>
    internal static readonly Duration MaxDelay = Duration.FromMilliseconds(uint.MaxValue - 1L);

    /// <summary>The first wait when the store reports work due now that no pass can claim; it doubles up to the base retry delay.</summary>
    internal static readonly Duration FirstIdleWait = Duration.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logStarted(logger);
        var failures = 0;
        var idle = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the pass, so that facts arriving while it runs end the sleep that follows.
            var facts = runtime.WaitForFactsAsync();
            Duration? wait;
            try
            {
                var (evaluation, dispatch) = await runtime.RunOnceAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                var worked = evaluation.Accounts > 0 || evaluation.Failures > 0 || dispatch.Delivered + dispatch.Retried + dispatch.DeadLettered > 0;
                if (worked)
                {
                    Log.Pass(logger, evaluation, dispatch);
                }

                if (evaluation.Failures > 0)
                {
                    Log.EvaluationFailures(logger, evaluation.Failures);
                }

                if (dispatch.DeadLettered > 0)
                {
                    Log.DeadLettered(logger, dispatch.DeadLettered);
                }

                var next = await runtime.NextDueAsync(stoppingToken).ConfigureAwait(false);
                var until = next - clock.GetCurrentInstant();
                if (next is not { } due)
                {
                    idle = 0;
                    wait = null;
                    Log.SleepingUntilFacts(logger);
                }
                else if (until > Duration.Zero)
                {
                    idle = 0;
                    wait = until;
                    Log.SleepingUntil(logger, due, until.Value);
                }
                else if (worked)
                {
                    idle = 0;
                    continue; // more is due already: run again at once
                }
                else
                {
                    wait = IdleWait(++idle, options.BaseRetryDelay);
                    Log.NothingClaimable(logger, due, wait.Value);
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break; // stopping: a pass cut short by the host's shutdown is not a failure
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                wait = FailureWait(++failures, options.BaseRetryDelay, options.MaxRetryDelay);
                Log.PassFailed(logger, ex, failures, wait.Value);
            }

            await SleepAsync(facts, wait, stoppingToken).ConfigureAwait(false);
        }

        Log.Stopped(logger);
    }

    /// <summary>Converts a wait to what <see cref="Task.Delay(TimeSpan, CancellationToken)"/> accepts: whole milliseconds rounded up, at most <see cref="MaxDelay"/>.</summary>
    /// <param name="wait">The wait; not negative.</param>
    /// <returns>The delay.</returns>
    internal static TimeSpan ToDelay(Duration wait)
    {
        if (wait >= MaxDelay)
        {
            return MaxDelay.ToTimeSpan();
        }

        if (wait <= Duration.Zero)
        {
            return TimeSpan.Zero;
        }

        // Rounded up: a wake a fraction of a millisecond early would find nothing due and sleep for zero milliseconds.
        var milliseconds = (wait.ToInt64Nanoseconds() + NodaConstants.NanosecondsPerMillisecond - 1) / NodaConstants.NanosecondsPerMillisecond;
        return TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>The wait after the <paramref name="failures"/>th failed pass in a row: the base retry delay, doubling, capped at the maximum.</summary>
    internal static Duration FailureWait(int failures, Duration baseDelay, Duration maxDelay) => Doubling(baseDelay, failures, maxDelay);

    /// <summary>The wait after the <paramref name="idle"/>th pass in a row that found nothing although the store reported work due: one second, doubling, capped at the base retry delay.</summary>
    internal static Duration IdleWait(int idle, Duration baseDelay) => Doubling(FirstIdleWait, idle, baseDelay > FirstIdleWait ? baseDelay : FirstIdleWait);

    private static Duration Doubling(Duration first, int count, Duration cap)
    {
        var wait = first;
        for (var i = 1; i < count && wait < cap; i++)
        {
            wait += wait;
        }

        return wait < cap ? wait : cap;
    }

    private static async Task SleepAsync(Task facts, Duration? wait, CancellationToken stoppingToken)
    {
        if (facts.IsCompleted || stoppingToken.IsCancellationRequested)
        {
            return;
        }

        // A linked source per sleep: cancelling it when facts win disposes the timer instead of leaving it registered.
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = wait is { } w ? Task.Delay(ToDelay(w), sleep.Token) : Task.Delay(Timeout.Infinite, sleep.Token);
        await Task.WhenAny(facts, delay).ConfigureAwait(false);
        await sleep.CancelAsync().ConfigureAwait(false);
    }
}
