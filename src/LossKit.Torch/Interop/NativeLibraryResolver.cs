using System.Reflection;
using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

/// <summary>
/// Finds and loads the native shim (liblosskit_native) for the LossKit.Torch assembly. Registered as the
/// assembly's <see cref="DllImportResolver"/> the first time any native method is used.
/// </summary>
/// <remarks>
/// Search order: the <c>LOSSKIT_NATIVE_PATH</c> environment variable (a file or a folder), the folder of the
/// LossKit.Torch assembly, its <c>runtimes/&lt;rid&gt;/native/</c> sub-folders (the NuGet layout), the
/// application's base folder, and finally the operating system's own search (LD_LIBRARY_PATH, PATH, ...).
/// When nothing loads, the exception lists every place tried with the reason, and how to fix it.
/// </remarks>
internal static class NativeLibraryResolver
{
    internal const string LibraryName = "losskit_native";

    private static readonly object Gate = new();
    private static IntPtr _handle;

    internal static void Register(Assembly assembly) =>
        NativeLibrary.SetDllImportResolver(assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName) return IntPtr.Zero;
        lock (Gate)
        {
            if (_handle != IntPtr.Zero) return _handle;
            var tried = new List<string>();
            foreach (var candidate in Candidates(assembly))
            {
                if (!File.Exists(candidate))
                {
                    tried.Add($"{candidate}: not found");
                    continue;
                }
                try
                {
                    _handle = NativeLibrary.Load(candidate);
                    CheckAbiVersion(_handle, candidate);
                    return _handle;
                }
                catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
                {
                    tried.Add($"{candidate}: found but could not be loaded: {e.Message}");
                }
            }
            try
            {
                _handle = NativeLibrary.Load(LibraryName, assembly, searchPath);
                CheckAbiVersion(_handle, LibraryName);
                return _handle;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                tried.Add($"the operating system's library search (LD_LIBRARY_PATH, system folders): {FirstLine(e.Message)}");
            }
            throw new DllNotFoundException(FailureMessage(tried));
        }
    }

    private static IEnumerable<string> Candidates(Assembly assembly)
    {
        var file = FileName();
        var env = Environment.GetEnvironmentVariable("LOSSKIT_NATIVE_PATH");
        if (!string.IsNullOrWhiteSpace(env))
            yield return Directory.Exists(env) ? Path.Combine(env, file) : env;

        var folders = new List<string>();
        if (!string.IsNullOrEmpty(assembly.Location)) folders.Add(Path.GetDirectoryName(assembly.Location)!);
        folders.Add(AppContext.BaseDirectory);
        var rids = new[] { RuntimeInformation.RuntimeIdentifier, PortableRid() }.Distinct().ToArray();
        foreach (var folder in folders.Distinct())
        {
            yield return Path.Combine(folder, file);
            foreach (var rid in rids) yield return Path.Combine(folder, "runtimes", rid, "native", file);
        }
    }

    internal static string FileName() =>
        OperatingSystem.IsWindows() ? LibraryName + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + LibraryName + ".dylib"
        : "lib" + LibraryName + ".so";

    private static string PortableRid()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        return $"{os}-{arch}";
    }

    private static unsafe void CheckAbiVersion(IntPtr handle, string where)
    {
        if (!NativeLibrary.TryGetExport(handle, "lk_abi_version", out var export))
            throw new DllNotFoundException($"{where} is not a LossKit native library (no lk_abi_version export).");
        var version = ((delegate* unmanaged<int>)export)();
        if (version != NativeMethods.AbiVersion)
            throw new DllNotFoundException(
                $"{where} implements native ABI version {version}, but this LossKit.Torch needs version {NativeMethods.AbiVersion}. " +
                "Rebuild the native library from the same sources (dotnet build src/LossKit.Torch) or update the package.");
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return i < 0 ? s : s[..i].TrimEnd();
    }

    private static string FailureMessage(List<string> tried) =>
        $"LossKit.Torch could not load its native library '{FileName()}'. Places tried, in order:" + Environment.NewLine +
        string.Join(Environment.NewLine, tried.Select(t => "  - " + t)) + Environment.NewLine +
        "How to fix:" + Environment.NewLine +
        "  - If the library was not found: build it with 'dotnet build' of a project that references LossKit.Torch " +
        "(needs cmake, g++ and libtorch: './build.sh setup' or 'sudo apt-get install -y cmake g++ libtorch-dev libsleef-dev' on Debian 12), " +
        "or point LOSSKIT_NATIVE_PATH at the file." + Environment.NewLine +
        "  - If it was found but could not be loaded because a libtorch library (libtorch_cpu, libc10) is missing: install libtorch " +
        "('sudo apt-get install -y libtorch1.13' on Debian 12) or add the lib folder of an official libtorch to LD_LIBRARY_PATH (PATH on Windows, DYLD_LIBRARY_PATH on macOS).";
}
