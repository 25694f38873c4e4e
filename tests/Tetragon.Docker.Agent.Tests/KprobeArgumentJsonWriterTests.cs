using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Tests;

public sealed class KprobeArgumentJsonWriterTests
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static TheoryData<KprobeArgument> SockaddrArguments() =>
    [
        new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET", Addr = "127.0.0.1", Port = 8080 } },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET", Addr = "127.0.0.1", Port = 8080 }, Label = "address" },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET6", Addr = "2001:db8::1", Port = 65535 }, Label = "a\"b\u2028" },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET", Addr = "0.0.0.0" } },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_UNIX" }, Label = "l" },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr { Port = 1 } },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr() },
        new KprobeArgument { SockaddrArg = new KprobeSockaddr(), Label = "empty" },
    ];

    [Theory]
    [MemberData(nameof(SockaddrArguments))]
    public void SockaddrIsWrittenAsJsonFormatterWritesIt(KprobeArgument argument)
    {
        var writer = new KprobeArgumentJsonWriter(Formatter, (w, s) => w.Write(Formatter.Format(new StringValue { Value = s })));
        var actual = new StringWriter();

        writer.Write(actual, argument);

        Assert.Equal(Formatter.Format(argument), actual.ToString());
    }

    [Fact]
    public void SockaddrJsonHasTetragonsShape()
    {
        var argument = new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET", Addr = "127.0.0.1", Port = 8080 } };

        Assert.Equal("{ \"sockaddr_arg\": { \"family\": \"AF_INET\", \"addr\": \"127.0.0.1\", \"port\": 8080 } }", Formatter.Format(argument));
        string[] fields = ["family", "addr", "port"];
        Assert.Equal(fields, KprobeSockaddr.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
    }

    [Fact]
    public void ConnectEventIsExportedAsTheGenericEncoderWritesIt()
    {
        var response = new GetEventsResponse
        {
            ProcessKprobe = new ProcessKprobe
            {
                Process = new Api.Process { Pid = 7, Binary = "/usr/bin/curl" },
                FunctionName = "__x64_sys_connect",
                Args =
                {
                    new KprobeArgument { IntArg = 3, Label = "fd" },
                    new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET", Addr = "127.0.0.1", Port = 8080 }, Label = "address" },
                    new KprobeArgument { SockaddrArg = new KprobeSockaddr { Family = "AF_INET6", Addr = "::1", Port = 443 } },
                },
                Action = KprobeAction.Post,
                PolicyName = "sys-connect",
            },
            NodeName = "n",
            Time = new Timestamp { Seconds = 1_700_000_000, Nanos = 1 },
        };
        var expected = new StringWriter();
        new JsonEventEncoder().Write(response, expected);
        var actual = new StringWriter();

        new ExportJsonEncoder().Write(response, actual);

        Assert.Equal(expected.ToString(), actual.ToString());
    }
}
