namespace Tetragon.Docker.Policy.Plan;

/// <summary>Tetragon's spellings of a policy mode, in policies (spec.options) and on the command line.</summary>
public static class PolicyModeNames
{
    public const string Enforce = "enforce";
    public const string Monitor = "monitor";

    public static string Of(PolicyMode mode) => mode == PolicyMode.Monitor ? Monitor : Enforce;

    /// <summary>enforce or monitor, in any case.</summary>
    public static bool TryParse(string text, out PolicyMode mode)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case Enforce:
                mode = PolicyMode.Enforce;
                return true;
            case Monitor:
                mode = PolicyMode.Monitor;
                return true;
            default:
                mode = PolicyMode.Enforce;
                return false;
        }
    }
}
