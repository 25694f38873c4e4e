using System.Runtime.Versioning;

// The agent drives the Linux kernel: it runs nowhere else.
[assembly: SupportedOSPlatform("linux")]
