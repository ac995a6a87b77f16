using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Bench;

/// <summary>
/// One benchmark case: the LossKit side builds its inputs exactly as bench/pytorch_side.py does (same shapes, same
/// seed, the same libtorch generator called in the same order, so the very same values) and runs forward + backward
/// through the public LossKit loss.
/// </summary>
/// <param name="Name">The case name shared with the PyTorch side ("kind" or "kind@NxC").</param>
/// <param name="Loss">The loss shown in the table.</param>
/// <param name="Size">The size shown in the table.</param>
/// <param name="PyTorchForm">How the PyTorch side computes it (libtorch's function, or the usual composition).</param>
/// <param name="CompulsoryBytesPerElement">Bytes any implementation must move per input element for forward + backward
/// in float32: read the input (and an element-wise target), write the gradient; twice the input for F1/Dice, whose
/// gradient needs global sums first.</param>
/// <param name="Build">Creates the input (requiring grad) and the loss call.</param>
internal sealed record BenchCase(string Name, string Loss, string Size, string PyTorchForm, double CompulsoryBytesPerElement,
    Func<(Tensor input, Func<Tensor> loss)> Build);

internal static class Cases
{
    private const long N = 4 * 1024 * 1024;

    public static IReadOnlyList<BenchCase> All()
    {
        var list = new List<BenchCase>
        {
            Elementwise("mse", "MSE", "F.mse_loss", (x, y) => losses.mse_loss(x, y)),
            Elementwise("l1", "L1 (MAE)", "F.l1_loss", (x, y) => losses.l1_loss(x, y)),
            Elementwise("huber", "Huber", "F.huber_loss", (x, y) => losses.huber_loss(x, y, 1.0)),
            Elementwise("smooth_l1", "SmoothL1", "F.smooth_l1_loss", (x, y) => losses.smooth_l1_loss(x, y, beta: 1.0)),
            Elementwise("rmse", "RMSE", "sqrt(F.mse_loss + eps)", (x, y) => losses.rmse_loss(x, y)),
            Elementwise("smooth", "SmoothLoss", "composed (7 ops)", (x, y) => losses.smooth_loss(x, y)),
            Elementwise("bce", "BCE (probabilities)", "F.binary_cross_entropy", (x, y) => losses.binary_cross_entropy(x, y)),
            Elementwise("bce_logits", "BCE with logits", "F.binary_cross_entropy_with_logits", (x, y) => losses.binary_cross_entropy_with_logits(x, y)),
            Elementwise("bce_logits_pos_weight", "BCE with logits + pos_weight", "F.binary_cross_entropy_with_logits",
                (x, y) => losses.binary_cross_entropy_with_logits(x, y, pos_weights: PosWeight())),
            Elementwise("sigmoid_focal", "Sigmoid focal", "composed (torchvision's formula)", (x, y) => losses.sigmoid_focal_loss(x, y)),
        };
        foreach (var (n, c) in new[] { (4096L, 1000L), (512L, 32000L) })
        {
            list.Add(Rowwise("ce", "CrossEntropy", "F.cross_entropy", n, c, 8, (x, y) => losses.cross_entropy(x, y)));
            list.Add(Rowwise("nll", "NLL", "F.nll_loss", n, c, 8, (x, y) => losses.nll_loss(x, y)));
            list.Add(Rowwise("focal", "Focal (softmax)", "composed (log_softmax, exp, pow, mul, nll)", n, c, 8, (x, y) => losses.focal_loss(x, y)));
            list.Add(Rowwise("label_smoothing_pytorch", "CE label_smoothing=0.1", "F.cross_entropy(label_smoothing)", n, c, 8,
                (x, y) => losses.cross_entropy(x, y, label_smoothing: 0.1)));
            list.Add(Rowwise("label_smoothing_seed", "LabelSmoothingLoss 0.1", "composed (scatter, log_softmax, sum)", n, c, 8,
                (x, y) => losses.label_smoothing_loss(x, y, c, 0.1)));
            list.Add(Rowwise("f1", "Soft F1 / Dice", "composed (softmax, one_hot, sums)", n, c, 12, (x, y) => losses.f1_loss(x, y)));
        }
        list.Add(Rowwise("kl", "KL divergence (batchmean)", "F.kl_div", 4096, 1000, 12, null));
        list.Add(Ctc());
        return list;
    }

    private static Tensor PosWeight() => linspace(0.5, 2.0, 1024);

    private static BenchCase Elementwise(string name, string loss, string form, Func<Tensor, Tensor, Tensor> fn) =>
        new(name, loss, "4M", form, 12, () =>
        {
            manual_seed(0);
            Tensor x, y;
            if (name == "bce")
            {
                x = rand(N).clamp_(1e-4, 1 - 1e-4).requires_grad_();
                using var u = rand(N);
                y = u.gt(0.5).to(ScalarType.Float32);
            }
            else if (name is "bce_logits" or "bce_logits_pos_weight" or "sigmoid_focal")
            {
                x = randn(N).mul_(2).requires_grad_();
                using var u = rand(N);
                y = u.gt(0.5).to(ScalarType.Float32);
            }
            else
            {
                x = randn(N).requires_grad_();
                y = randn(N);
            }
            if (name == "bce_logits_pos_weight")
            {
                var viewed = x.detach().view(4096, 1024).requires_grad_();
                x.Dispose();
                x = viewed;
                y = y.view(4096, 1024);
            }
            var input = x;
            var target = y;
            return (input, () => fn(input, target));
        });

    private static BenchCase Rowwise(string name, string loss, string form, long n, long c, double bytes, Func<Tensor, Tensor, Tensor>? fn) =>
        new($"{name}@{n}x{c}", loss, $"{n}x{c}", form, bytes, () =>
        {
            manual_seed(0);
            var x = randn(n, c).requires_grad_();
            var y = randint(0, c, [n]);
            if (name == "nll")
            {
                x.Dispose();
                using var raw = randn(n, c);
                var logp = raw.log_softmax(1).requires_grad_();
                return (logp, () => losses.nll_loss(logp, y));
            }
            if (name == "kl")
            {
                x.Dispose();
                using var a = randn(n, c);
                var logq = a.log_softmax(1).requires_grad_();
                using var b = randn(n, c);
                var p = b.softmax(1);
                return (logq, () => losses.kl_div(logq, p, Reduction.BatchMean));
            }
            return (x, () => fn!(x, y));
        });

    private static BenchCase Ctc() =>
        new("ctc", "CTC", "T=150 N=64 C=28 S=40", "F.ctc_loss", 8, () =>
        {
            const long T = 150, B = 64, C = 28, S = 40;
            manual_seed(0);
            using var raw = randn(T, B, C);
            var x = raw.log_softmax(2).requires_grad_();
            var targets = randint(1, C, [B, S]);
            var inputLengths = full([B], T, ScalarType.Int64);
            var targetLengths = randint(S / 2, S + 1, [B]);
            return (x, () => losses.ctc_loss(x, targets, inputLengths, targetLengths));
        });
}
