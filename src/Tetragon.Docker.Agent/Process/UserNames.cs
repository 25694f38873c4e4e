using System.Globalization;

namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Tetragon's --username-metadata=unix: user names from the host's /etc/passwd (read through
/// /proc/1/root with --pid=host), for processes in the host's mount and user namespaces, where
/// those names mean something. The file is read again when its modification time changes,
/// looked at no more than once a second. Pipeline thread only.
/// </summary>
internal sealed class UserNames(string passwdPath, TimeProvider time)
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private Dictionary<uint, Api.UserRecord> records = [];
    private DateTime loadedWriteTime = DateTime.MinValue;
    private DateTimeOffset nextCheck = DateTimeOffset.MinValue;

    /// <summary>The host's passwd file: init's root with --pid=host, else ours (the same file on the host).</summary>
    public static UserNames ForHost(string procRoot, TimeProvider time)
    {
        var init = $"{procRoot}/1/root/etc/passwd";
        return new UserNames(File.Exists(init) ? init : "/etc/passwd", time);
    }

    /// <summary>The record of <paramref name="uid"/>, shared by every process with it; null when passwd has none.</summary>
    public Api.UserRecord? Of(uint uid)
    {
        Refresh();
        return records.GetValueOrDefault(uid);
    }

    private void Refresh()
    {
        var now = time.GetUtcNow();
        if (now < nextCheck)
        {
            return;
        }

        nextCheck = now + RecheckInterval;
        try
        {
            var written = File.GetLastWriteTimeUtc(passwdPath);
            if (written == loadedWriteTime)
            {
                return;
            }

            records = Parse(File.ReadLines(passwdPath)).ToDictionary(p => p.Key, p => new Api.UserRecord { Name = p.Value });
            loadedWriteTime = written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable for now: keep the names we had and look again later.
        }
    }

    /// <summary>name:password:uid:... lines; the first name of a uid wins, as getpwuid(3) answers.</summary>
    internal static Dictionary<uint, string> Parse(IEnumerable<string> lines)
    {
        var names = new Dictionary<uint, string>();
        foreach (var line in lines)
        {
            var fields = line.Split(':');
            if (fields.Length < 3 || fields[0].Length == 0 || line.StartsWith('#')
                || !uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                continue;
            }

            names.TryAdd(uid, fields[0]);
        }

        return names;
    }
}
