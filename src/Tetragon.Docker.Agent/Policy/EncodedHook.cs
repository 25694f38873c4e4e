namespace Tetragon.Docker.Agent.Policy;

/// <summary>What one hook writes into the generic sensor's maps: its config and its filter values.</summary>
internal sealed record EncodedHook(uint HookId, byte[] Config, IReadOnlyList<byte[]> StringKeys, IReadOnlyList<byte[]> NumberKeys, IReadOnlyList<GenericArg> Args, byte ReturnType);
