using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Sensors;

/// <summary>
/// Tetragon's base sensor: exec, exit and clone on the sched_process_* BTF tracepoints.
/// One object per hook, all writing to one shared ring buffer.
/// </summary>
internal sealed class ProcessSensor : IDisposable
{
    public const string Name = "__base__";
    public const string Backend = "tp_btf";

    private static readonly string[] ObjectFiles = ["bpf_execve.o", "bpf_exit.o", "bpf_fork.o"];

    private readonly List<BpfObject> objects = [];

    private ProcessSensor()
    {
    }

    /// <summary>The ring buffer every sensor writes to.</summary>
    public int RingBufferFd { get; private set; }

    /// <summary>Reservation failures counted in the kernel: the lost-events figure.</summary>
    public int LostEventsFd { get; private set; }

    public IReadOnlyList<BpfObject> Objects => objects;

    public int AttachedLinks => objects.Sum(o => o.Links.Count);

    public static ProcessSensor Load(string bpfDirectory, uint ringBufferBytes, ulong wakeupBytes)
    {
        var sensor = new ProcessSensor();
        try
        {
            foreach (var file in ObjectFiles)
            {
                var obj = BpfObject.Open(Path.Combine(bpfDirectory, file));
                sensor.objects.Add(obj);
                if (sensor.objects.Count == 1)
                {
                    obj.SetMaxEntries("events", ringBufferBytes);
                }
                else
                {
                    obj.ReuseMap("events", sensor.RingBufferFd);
                    obj.ReuseMap("lost_events", sensor.LostEventsFd);
                    obj.ReuseMap("ringbuf_config", sensor.ConfigFd);
                    obj.ReuseMap("exec_binary_map", sensor.ExecBinaryFd);
                    obj.ReuseMap("binary_tracking", sensor.BinaryTrackingFd);
                }

                obj.Load();
                if (sensor.objects.Count == 1)
                {
                    sensor.RingBufferFd = obj.Map("events").Fd;
                    sensor.LostEventsFd = obj.Map("lost_events").Fd;
                    sensor.ConfigFd = obj.Map("ringbuf_config").Fd;
                    sensor.ExecBinaryFd = obj.Map("exec_binary_map").Fd;
                    sensor.BinaryTrackingFd = obj.Map("binary_tracking").Fd;
                    obj.Map("ringbuf_config").Update(0u, wakeupBytes);
                }
            }

            // Attach only once all loaded: a failure leaves nothing half attached.
            foreach (var obj in sensor.objects)
            {
                obj.AttachAll();
            }

            return sensor;
        }
        catch
        {
            sensor.Dispose();
            throw;
        }
    }

    /// <summary>The ring buffer's wakeup configuration, shared by every sensor.</summary>
    public int ConfigFd { get; private set; }

    /// <summary>The binary of each thread group (exec_binary_map), read by the generic sensors' matchBinaries.</summary>
    public int ExecBinaryFd { get; private set; }

    /// <summary>Whether exec, fork and exit keep exec_binary_map (only while a policy uses matchBinaries).</summary>
    public int BinaryTrackingFd { get; private set; }

    public BpfMap ExecBinaries => objects[0].Map("exec_binary_map");

    /// <summary>Bytes waiting in the ring before a producer wakes the reader (1: the first record after it drained).</summary>
    public void SetWakeupBytes(ulong bytes) => objects[0].Map("ringbuf_config").Update(0u, bytes);

    public void SetBinaryTracking(bool on) => objects[0].Map("binary_tracking").Update(0u, on ? 1u : 0u);

    /// <summary>Stops the kernel side producing; maps stay readable until Dispose.</summary>
    public void Detach()
    {
        foreach (var obj in objects)
        {
            obj.Detach();
        }
    }

    public ulong ReadLostEvents() => BpfMap.SumPerCpu(LostEventsFd, 0);

    public void Dispose()
    {
        foreach (var obj in objects)
        {
            obj.Dispose();
        }

        objects.Clear();
    }
}
