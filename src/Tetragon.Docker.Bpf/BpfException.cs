namespace Tetragon.Docker.Bpf;

/// <summary>A libbpf call failed: carries errno and, for load failures, the verifier log.</summary>
public sealed class BpfException : Exception
{
    public BpfException(string message, int errno, string? verifierLog = null)
        : base(Describe(message, errno, verifierLog))
    {
        Errno = errno;
        VerifierLog = verifierLog;
    }

    public int Errno { get; }

    public string? VerifierLog { get; }

    private static string Describe(string message, int errno, string? log)
    {
        var text = errno != 0 ? $"{message}: {new System.ComponentModel.Win32Exception(errno).Message} (errno {errno})" : message;
        return string.IsNullOrEmpty(log) ? text : $"{text}\n{log}";
    }
}
