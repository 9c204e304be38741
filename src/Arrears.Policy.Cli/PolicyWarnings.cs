using Arrears.Policy.Text;

namespace Arrears.Policy.Cli;

/// <summary>
/// What is valid in a policy but does not do what it seems to: printed on standard error as <c>warning: ...</c> lines by
/// simulate, validate and diagram, without changing the exit code.
/// </summary>
/// <remarks>
/// A purge warning offset at or beyond the retention is valid, so that a preset's warnings survive a shorter retention
/// override (<c>{ "preset": "tencent-api-gateway", "retention": "P3D" }</c> keeps the preset's P7D warning), but it is
/// never sent: the warning is sent at <c>purgeAt - w</c> only when that is after the suspension
/// (docs/spec/lifecycle.md section 5; decision 0004, item 3), and <c>purgeAt - w &lt;= suspendAt</c> when
/// <c>w &gt;= retention</c>.
/// </remarks>
internal static class PolicyWarnings
{
    /// <summary>Returns the warnings of a policy, one line each, naming the policy's JSON path (<c>policy</c> in a scenario).</summary>
    public static IEnumerable<string> Of(LifecyclePolicy policy, string path)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var warning in policy.PurgeWarnings.Where(w => w >= policy.Retention))
        {
            yield return $"warning: {path}.purgeWarnings: {IsoDurationPattern.Instance.Format(warning)} is not shorter than the retention " +
                $"{IsoDurationPattern.Instance.Format(policy.Retention)}, so it would come at or before the suspension: this purge warning is never sent";
        }
    }
}
