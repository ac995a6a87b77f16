namespace LossKit.Torch;

/// <summary>Kinds of devices a tensor can live on. The values are libtorch's (c10::DeviceType) and TorchSharp's.</summary>
public enum DeviceType
{
    /// <summary>The host CPU.</summary>
    CPU = 0,
    /// <summary>An NVIDIA GPU (needs a CUDA build of libtorch).</summary>
    CUDA = 1,
}

public static partial class torch
{
    /// <summary>A device: a <see cref="DeviceType"/> and an index (-1 = the current device of that type).</summary>
    public sealed class Device : IEquatable<Device>
    {
        /// <summary>The kind of device.</summary>
        public DeviceType type { get; }

        /// <summary>The device index; -1 means the current device of <see cref="type"/>.</summary>
        public int index { get; }

        /// <summary>Creates a device of the given type and index.</summary>
        public Device(DeviceType deviceType, int index = -1)
        {
            if (index < -1) throw new ArgumentOutOfRangeException(nameof(index), index, "A device index must be >= -1.");
            if (deviceType == DeviceType.CPU && index > 0)
                throw new ArgumentOutOfRangeException(nameof(index), index, "The CPU device has no index other than 0 or -1.");
            type = deviceType;
            this.index = deviceType == DeviceType.CPU ? -1 : index;
        }

        /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
        public Device(string description)
        {
            ArgumentNullException.ThrowIfNull(description);
            var (t, i) = Parse(description);
            type = t;
            index = i;
        }

        /// <summary>Creates a device from a type name ("cpu", "cuda") and an index.</summary>
        public Device(string deviceType, int index = -1) : this(Parse(deviceType).type, index) { }

        /// <summary>A CUDA device with the given index.</summary>
        public Device(int index) : this(DeviceType.CUDA, index) { }

        /// <summary>Parses a device description, as TorchSharp allows: <c>Device d = "cuda:0";</c></summary>
        public static implicit operator Device(string description) => new(description);

        private static (DeviceType type, int index) Parse(string description)
        {
            var s = description.Trim().ToLowerInvariant();
            var colon = s.IndexOf(':');
            var name = colon < 0 ? s : s[..colon];
            var type = name switch
            {
                "cpu" => DeviceType.CPU,
                "cuda" => DeviceType.CUDA,
                _ => throw new ArgumentException($"Unknown device '{description}': expected \"cpu\", \"cuda\" or \"cuda:N\".", nameof(description)),
            };
            var index = -1;
            if (colon >= 0 && (!int.TryParse(s[(colon + 1)..], out index) || index < 0))
                throw new ArgumentException($"Invalid device index in '{description}'.", nameof(description));
            return (type, type == DeviceType.CPU ? -1 : index);
        }

        /// <inheritdoc/>
        public bool Equals(Device? other) => other is not null && other.type == type && other.index == index;

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is Device d && Equals(d);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(type, index);

        /// <summary>"cpu", "cuda" or "cuda:N".</summary>
        public override string ToString() =>
            type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
    }

    /// <summary>The CPU device.</summary>
    public static readonly Device CPU = new(DeviceType.CPU);

    /// <summary>The current CUDA device.</summary>
    public static readonly Device CUDA = new(DeviceType.CUDA);

    /// <summary>Creates a device from a description such as "cpu" or "cuda:1".</summary>
    public static Device device(string description) => new(description);

    /// <summary>Creates a device from a type and an index.</summary>
    public static Device device(DeviceType deviceType, int index = -1) => new(deviceType, index);
}
