using System.Text;
using System.Text.Json;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Tests;

public sealed class JsonEventEncoderTests
{
    private readonly JsonEventEncoder _encoder = new();

    [Fact]
    public void Exec_UsesProtoFieldNamesAndOneLine()
    {
        var process = TestEvents.Proc("/usr/bin/curl", "-I https://ebpf.io/", container: "web");
        var writer = new StringWriter();
        _encoder.Write(TestEvents.Exec(process), writer);
        var text = writer.ToString();

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Count(c => c == '\n'));
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        var proc = root.GetProperty("process_exec").GetProperty("process");
        Assert.Equal("/usr/bin/curl", proc.GetProperty("binary").GetString());
        Assert.Equal(42, proc.GetProperty("pid").GetInt32());
        Assert.Equal("web", proc.GetProperty("container").GetProperty("name").GetString());
        Assert.Equal(ExecId.Create("node1", 1000, 42), proc.GetProperty("exec_id").GetString());
        Assert.Equal("node1", root.GetProperty("node_name").GetString());
        Assert.Equal("2024-05-01T10:11:12.123456789Z", root.GetProperty("time").GetString());
    }

    [Fact]
    public void Exit_SignalAndStatus()
    {
        var json = _encoder.Encode(TestEvents.Exit(TestEvents.Proc("/bin/sleep"), "SIGKILL", 9));
        using var doc = JsonDocument.Parse(json);
        var exit = doc.RootElement.GetProperty("process_exit");
        Assert.Equal("SIGKILL", exit.GetProperty("signal").GetString());
        Assert.Equal(9, exit.GetProperty("status").GetInt32());
    }

    [Fact]
    public void HostileStrings_StayValidJsonOnOneLine()
    {
        var hostile = "a\nb\r\u001b[31mred\u0000\u007f\"\\ \uFFFD\u2028" + new string('x', 5000);
        var process = TestEvents.Proc(hostile, hostile, container: hostile);
        var writer = new StringWriter();
        _encoder.Write(TestEvents.Exec(process), writer);
        var text = writer.ToString();

        Assert.Equal(text.Length - 1, text.IndexOf('\n', StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\r', text);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal(hostile, doc.RootElement.GetProperty("process_exec").GetProperty("process").GetProperty("binary").GetString());
    }

    [Fact]
    public void KprobeArgument_LabelAndOneofKey()
    {
        var ev = TestEvents.Kprobe(TestEvents.Proc("/bin/cat"), "fd_install", "files",
            new KprobeArgument { IntArg = 3 },
            new KprobeArgument { FileArg = new KprobeFile { Path = "/etc/passwd" }, Label = "file" });
        using var doc = JsonDocument.Parse(_encoder.Encode(ev));
        var args = doc.RootElement.GetProperty("process_kprobe").GetProperty("args");
        Assert.Equal(3, args[0].GetProperty("int_arg").GetInt32());
        Assert.Equal("/etc/passwd", args[1].GetProperty("file_arg").GetProperty("path").GetString());
        Assert.Equal("file", args[1].GetProperty("label").GetString());
        Assert.Equal("files", doc.RootElement.GetProperty("process_kprobe").GetProperty("policy_name").GetString());
    }
}
