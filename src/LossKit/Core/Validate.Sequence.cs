using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit;

/// <summary>Argument checks of the sequence losses (<see cref="CTCLoss"/>).</summary>
internal static partial class Validate
{
    /// <summary>
    /// CTC arguments brought to the batched form libtorch's kernel takes (created in the caller's dispose scope), and whether
    /// some input length is 0 (libtorch 1.13 mishandles those samples).
    /// </summary>
    internal readonly record struct CtcArguments(Tensor LogProbs, Tensor Targets, Tensor InputLengths, Tensor TargetLengths, bool Batched, long BatchSize,
        bool AnyEmptyInput);

    /// <summary>
    /// Checks CTC's arguments (dtypes, ranks, lengths against T and S, labels in [0, C) and not blank within each used
    /// length) and returns log_probs (T, N, C), int64 targets (padded (N, S) or concatenated), and int64 lengths (N).
    /// A target too long for its input (T_n &lt; S_n + repeats) is accepted: it gives an infinite loss (0 with zero_infinity).
    /// </summary>
    internal static CtcArguments Ctc(string loss, Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, long blank)
    {
        Alive(loss, logProbs, "log_probs");
        Alive(loss, targets, "targets");
        Alive(loss, inputLengths, "input_lengths");
        Alive(loss, targetLengths, "target_lengths");
        var dtype = logProbs.dtype;
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new LossArgumentException(loss, "log_probs",
                $"log_probs must be a float32 or float64 tensor of log-probabilities, got {dtype} with shape {Shape(logProbs)}.");
        var rank = logProbs.dim();
        if (rank is not (2 or 3))
            throw new LossArgumentException(loss, "log_probs",
                $"log_probs must be (T, N, C) (time, batch, classes) or (T, C) for one unbatched sequence, got shape {Shape(logProbs)}.");
        var batched = rank == 3;
        var T = logProbs.size(0);
        var N = batched ? logProbs.size(1) : 1;
        var C = logProbs.size(batched ? 2 : 1);
        if (blank < 0 || blank >= C)
            throw new LossArgumentOutOfRangeException(loss, "blank",
                $"blank must be a class index in [0, {C}) (C = {C} classes in log_probs {Shape(logProbs)}), got {blank}.");

        var inputs = Lengths(loss, inputLengths, "input_lengths", batched, N);
        var lengths = Lengths(loss, targetLengths, "target_lengths", batched, N);
        for (var n = 0; n < N; n++)
        {
            if (inputs[n] < 0)
                throw new LossArgumentOutOfRangeException(loss, "input_lengths", $"input_lengths[{n}] is {inputs[n]}; lengths must be >= 0.");
            if (inputs[n] > T)
                throw new LossArgumentOutOfRangeException(loss, "input_lengths",
                    $"input_lengths[{n}] is {inputs[n]}, more than the T = {T} time steps of log_probs {Shape(logProbs)}.");
            if (lengths[n] < 0)
                throw new LossArgumentOutOfRangeException(loss, "target_lengths", $"target_lengths[{n}] is {lengths[n]}; lengths must be >= 0.");
        }

        var targetType = targets.dtype;
        if (targetType is not (ScalarType.Int64 or ScalarType.Int32))
            throw new LossArgumentException(loss, "targets",
                $"targets must be an int64 (or int32) tensor of class indices, got {targetType} with shape {Shape(targets)}.");
        SameDevice(loss, logProbs, "log_probs", targets, "targets");

        // Where each sample's labels start in the flat targets, and the layout.
        var padded = !batched || targets.dim() == 2;
        var starts = new long[N];
        if (!batched)
        {
            if (targets.dim() != 1)
                throw new LossArgumentException(loss, "targets",
                    $"for unbatched log_probs (T, C) = {Shape(logProbs)} targets must be 1-D (S), got shape {Shape(targets)}.");
        }
        else if (targets.dim() == 2)
        {
            if (targets.size(0) != N)
                throw new LossArgumentException(loss, "targets",
                    $"padded targets must be (N, S) with N = {N} (the batch size of log_probs {Shape(logProbs)}), got shape {Shape(targets)}.");
        }
        else if (targets.dim() != 1)
        {
            throw new LossArgumentException(loss, "targets",
                $"targets must be padded (N, S) or concatenated (sum(target_lengths)), got shape {Shape(targets)}.");
        }
        if (padded)
        {
            var S = targets.size((int)targets.dim() - 1);
            for (var n = 0; n < N; n++)
            {
                if (lengths[n] > S)
                    throw new LossArgumentOutOfRangeException(loss, "target_lengths",
                        $"target_lengths[{n}] is {lengths[n]}, more than the S = {S} columns of the padded targets {Shape(targets)}.");
                starts[n] = n * S;
            }
        }
        else
        {
            long total = 0;
            for (var n = 0; n < N; n++)
            {
                starts[n] = total;
                total += lengths[n];
            }
            if (total != targets.numel())
                throw new LossArgumentException(loss, "target_lengths",
                    $"concatenated targets hold {targets.numel()} labels but target_lengths add up to {total} " +
                    $"([{string.Join(", ", lengths)}]); for padded targets pass an (N, S) tensor.");
        }

        long[] labels;
        using (var asLong = targets.to(ScalarType.Int64)) labels = asLong.ToArray<long>();
        for (var n = 0; n < N; n++)
        {
            for (long j = 0; j < lengths[n]; j++)
            {
                var label = labels[starts[n] + j];
                if (label >= 0 && label < C && label != blank) continue;
                // Only on the error path: formatting the position for every label would cost more than the check.
                var where = padded && batched ? $"targets[{n}, {j}]" : padded ? $"targets[{j}]" : $"targets[{starts[n] + j}] (sample {n}, label {j})";
                if (label < 0 || label >= C)
                    throw new LossArgumentOutOfRangeException(loss, "targets",
                        $"{where} is {label}, outside the classes [0, {C}) of log_probs {Shape(logProbs)}.");
                throw new LossArgumentOutOfRangeException(loss, "targets",
                    $"{where} is the blank index {blank}; targets hold labels only (blank never appears in a target sequence " +
                    "within its length; padding beyond target_lengths may hold anything).");
            }
        }

        var lp = batched ? logProbs.alias() : logProbs.unsqueeze(1);
        var tg = targets.to(ScalarType.Int64);
        if (!batched) tg = tg.unsqueeze(0);
        var il = tensor(inputs, device: logProbs.device);
        var tl = tensor(lengths, device: logProbs.device);
        return new CtcArguments(lp, tg, il, tl, batched, N, Array.IndexOf(inputs, 0L) >= 0);
    }

    /// <summary>A lengths tensor: integer, (N) when batched, a scalar or (1) when unbatched. Returns its values.</summary>
    private static long[] Lengths(string loss, Tensor lengths, string argument, bool batched, long n)
    {
        var dtype = lengths.dtype;
        if (dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new LossArgumentException(loss, argument,
                $"{argument} must be an int64 (or int32) tensor, got {dtype} with shape {Shape(lengths)}.");
        var ok = batched ? lengths.dim() == 1 && lengths.size(0) == n : lengths.dim() == 0 || (lengths.dim() == 1 && lengths.size(0) == 1);
        if (!ok)
            throw new LossArgumentException(loss, argument, batched
                ? $"{argument} must be 1-D with one length per sequence (N = {n}), got shape {Shape(lengths)}."
                : $"{argument} must be a scalar (or shape [1]) for unbatched log_probs (T, C), got shape {Shape(lengths)}.");
        using var asLong = lengths.to(ScalarType.Int64);
        return asLong.ToArray<long>();
    }

    /// <summary>A lengths array passed instead of a tensor.</summary>
    internal static Tensor LengthsArray(string loss, long[]? lengths, string argument)
    {
        if (lengths is null) throw new LossArgumentException(loss, argument, $"{argument} is null.");
        return tensor(lengths);
    }
}
