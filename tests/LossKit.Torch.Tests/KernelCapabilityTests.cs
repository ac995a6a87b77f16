using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace LossKit.Torch.Tests;

/// <summary>
/// The native library picks the fused kernels' instruction set from CPUID and XGETBV itself (the same code on GCC,
/// Clang and MSVC). Checked here against sources that do not share that code.
/// </summary>
public class KernelCapabilityTests
{
    [Fact]
    public void The_detected_capability_is_what_the_cpu_and_the_operating_system_allow()
    {
        FusedKernels.DetectedCapability.Should().Be(Expected());
        ((int)FusedKernels.Capability).Should().BeLessThanOrEqualTo((int)FusedKernels.DetectedCapability);
    }

    private static KernelCapability Expected()
    {
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.X86)) return KernelCapability.Default;
        if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
        {
            // Linux lists only the features it enabled: it drops avx* when it does not save the wider registers.
            var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal))
                .Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            bool Has(params string[] names) => names.All(flags.Contains);
            if (Has("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma", "f16c")) return KernelCapability.AVX512;
            if (Has("avx2", "fma", "f16c")) return KernelCapability.AVX2;
            return KernelCapability.Default;
        }
        // Elsewhere the runtime's own detection (every CPU with AVX2 also has F16C).
        if (Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported && Avx2.IsSupported && Fma.IsSupported)
            return KernelCapability.AVX512;
        if (Avx2.IsSupported && Fma.IsSupported) return KernelCapability.AVX2;
        return KernelCapability.Default;
    }
}
