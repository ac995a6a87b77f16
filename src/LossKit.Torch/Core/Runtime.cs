using System.Runtime.InteropServices;
using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>
    /// Seeds libtorch's global random generators (CPU, and every CUDA device when present), as torch.manual_seed
    /// does in PyTorch: the same seed followed by the same calls gives the same numbers as PyTorch on the CPU.
    /// </summary>
    /// <remarks>The generator is process-wide and shared by all threads: seed it once, before starting threads, if
    /// runs must be reproducible. Drawing from several threads at once is safe but the order is not deterministic.</remarks>
    public static void manual_seed(long seed) => NativeError.Check(lk_manual_seed(unchecked((ulong)seed)));

    /// <summary>Sets the number of threads libtorch uses inside one operation (intra-op parallelism), process-wide.</summary>
    public static void set_num_threads(int num)
    {
        if (num < 1) throw new ArgumentOutOfRangeException(nameof(num), num, "The number of threads must be at least 1.");
        NativeError.Check(lk_set_num_threads(num));
    }

    /// <summary>The number of threads libtorch uses inside one operation.</summary>
    public static int get_num_threads() => (int)NativeError.Check((long)lk_get_num_threads());

    /// <summary>The libtorch version the native library was built against, e.g. "1.13.0".</summary>
    public static string __version__ => Marshal.PtrToStringUTF8(lk_torch_version()) ?? "unknown";

    /// <summary>True when CUDA is available: a CUDA build of libtorch and a GPU.</summary>
    public static bool cuda_is_available() => cuda.is_available();

    /// <summary>CUDA queries.</summary>
    public static class cuda
    {
        /// <summary>True when libtorch was built with CUDA and at least one GPU is visible.</summary>
        public static bool is_available() => lk_cuda_is_available() != 0;

        /// <summary>Number of visible CUDA devices (0 without CUDA).</summary>
        public static int device_count() => lk_cuda_device_count();
    }

    /// <summary>Opens a new dispose scope on the calling thread (see <see cref="DisposeScope"/>).</summary>
    public static DisposeScope NewDisposeScope() => DisposeScopeManager.NewDisposeScope();

    /// <summary>Runs <paramref name="expr"/> in a new dispose scope and moves its result out of it.</summary>
    public static Tensor WrappedTensorDisposeScope(Func<Tensor> expr)
    {
        using var scope = NewDisposeScope();
        return expr().MoveToOuterDisposeScope();
    }
}
