using System.Runtime.InteropServices;
using LossKit.Torch.Interop;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

public class NativeLibraryTests
{
    [Fact]
    public void the_native_library_loads_and_reports_libtorch_1_13()
    {
        __version__.Should().StartWith("1.13");
        NativeMethods.lk_abi_version().Should().Be(NativeMethods.AbiVersion);
    }

    [Fact]
    public void the_library_sits_next_to_the_managed_assembly_under_the_platform_name()
    {
        var expected = OperatingSystem.IsWindows() ? "losskit_native.dll"
            : OperatingSystem.IsMacOS() ? "liblosskit_native.dylib"
            : "liblosskit_native.so";
        NativeLibraryResolver.FileName().Should().Be(expected);
        var folder = Path.GetDirectoryName(typeof(torch).Assembly.Location)!;
        File.Exists(Path.Combine(folder, expected)).Should().BeTrue($"the build copies {expected} next to LossKit.Torch.dll");
    }

    [Fact]
    public void the_resolver_hands_out_the_loaded_library()
    {
        // The resolver is registered for the LossKit.Torch assembly: loading through it finds the same handle.
        var handle = NativeLibrary.Load(NativeLibraryResolver.LibraryName, typeof(torch).Assembly, null);
        handle.Should().NotBe(IntPtr.Zero);
        NativeLibrary.TryGetExport(handle, "lk_abi_version", out _).Should().BeTrue();
        NativeLibrary.TryGetExport(handle, "lk_tensor_free", out _).Should().BeTrue();
        NativeLibrary.TryGetExport(handle, "_ZN2at4_ops3add4callERKNS_6TensorES4_RKN3c106ScalarE", out _)
            .Should().BeFalse("only the lk_* entry points are exported");
    }

    [Fact]
    public void cuda_queries_are_consistent()
    {
        if (cuda.is_available()) cuda.device_count().Should().BeGreaterThan(0);
        else cuda.device_count().Should().Be(0);
        cuda_is_available().Should().Be(cuda.is_available());
    }

    [Fact]
    public void devices_parse_and_print()
    {
        new Device("cpu").Should().Be(CPU);
        new Device("CUDA:1").Should().Be(new Device(DeviceType.CUDA, 1));
        ((Device)"cuda").Should().Be(CUDA);
        device("cuda:0").ToString().Should().Be("cuda:0");
        CUDA.ToString().Should().Be("cuda");
        CPU.ToString().Should().Be("cpu");
        new Device(DeviceType.CPU, 0).index.Should().Be(-1);
        new Device(2).Should().Be(new Device("cuda:2"));
        new Device("cuda", 3).ToString().Should().Be("cuda:3");
        new Device("cuda:1").GetHashCode().Should().Be(new Device(DeviceType.CUDA, 1).GetHashCode());
    }
}

[Collection(SerialCollection.Name)]
public class RuntimeSettingsTests
{
    [Fact]
    public void set_num_threads_changes_the_intra_op_thread_count()
    {
        var before = get_num_threads();
        before.Should().BeGreaterThan(0);
        try
        {
            set_num_threads(1);
            get_num_threads().Should().Be(1);
            // Results do not depend on the thread count.
            using var scope = NewDisposeScope();
            var x = arange(100_000, ScalarType.Float64);
            var oneThread = x.sum().item<double>();
            set_num_threads(2);
            get_num_threads().Should().Be(2);
            x.sum().item<double>().Should().Be(oneThread).And.Be(99_999.0 * 100_000 / 2);
        }
        finally
        {
            set_num_threads(before);
        }
    }
}
