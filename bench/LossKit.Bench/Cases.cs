using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Bench;

/// <summary>
/// One benchmark case: the LossKit side builds its inputs exactly as bench/pytorch_side.py does (same shapes, same
/// seed, same libtorch generator) and runs forward + backward through the public LossKit loss.
/// </summary>
/// <param name="Name">The case name shared with the PyTorch side ("kind" or "kind@NxC").</param>
/// <param name="Loss">The loss shown in the table.</param>
/// <param name="Size">The size shown in the table.</param>
/// <param name="CompulsoryBytesPerElement">Bytes that any implementation must move per input element for
/// forward + backward (float32): read the input (and target), write the gradient.</param>
/// <param name="Build">Creates the input (requiring grad) and the loss call.</param>
internal sealed record BenchCase(string Name, string Loss, string Size, double CompulsoryBytesPerElement, Func<(Tensor input, Func<Tensor> loss)> Build);

internal static class Cases
{
    private const long N = 4 * 1024 * 1024;

    public static IReadOnlyList<BenchCase> All()
    {
        var list = new List<BenchCase>
        {
            Elementwise("mse", "MSE", (x, y) => losses.mse_loss(x, y)),
            Elementwise("l1", "L1 (MAE)", (x, y) => losses.l1_loss(x, y)),
            Elementwise("huber", "Huber", (x, y) => losses.huber_loss(x, y, 1.0)),
            Elementwise("smooth_l1", "SmoothL1", (x, y) => losses.smooth_l1_loss(x, y, beta: 1.0)),
            Elementwise("rmse", "RMSE", (x, y) => losses.rmse_loss(x, y)),
            Elementwise("smooth", "SmoothLoss", (x, y) => losses.smooth_loss(x, y)),
        };
        foreach (var (n, c) in new[] { (4096L, 1000L), (512L, 32000L) })
        {
            list.Add(Rowwise("ce", "CrossEntropy", n, c, 8, (x, y) => losses.cross_entropy(x, y)));
            list.Add(Rowwise("nll", "NLL", n, c, 8, null));
        }
        list.Add(Kl());
        return list;
    }

    private static BenchCase Elementwise(string name, string loss, Func<Tensor, Tensor, Tensor> fn) =>
        new(name, loss, "4M", 12, () =>
        {
            manual_seed(0);
            var x = randn(N).requires_grad_();
            var y = randn(N);
            return (x, () => fn(x, y));
        });

    private static BenchCase Rowwise(string name, string loss, long n, long c, double bytes, Func<Tensor, Tensor, Tensor>? fn) =>
        new($"{name}@{n}x{c}", loss, $"{n}x{c}", bytes, () =>
        {
            manual_seed(0);
            if (name == "nll")
            {
                var x0 = randn(n, c).requires_grad_();
                var yy = randint(0, c, [n]);
                using var raw = randn(n, c);
                var logp = raw.log_softmax(1).requires_grad_();
                x0.Dispose();
                return (logp, () => losses.nll_loss(logp, yy));
            }
            var x = randn(n, c).requires_grad_();
            var y = randint(0, c, [n]);
            return (x, () => fn!(x, y));
        });

    private static BenchCase Kl() =>
        new("kl@4096x1000", "KL divergence (batchmean)", "4096x1000", 12, () =>
        {
            manual_seed(0);
            using var a = randn(4096, 1000);
            var x = a.log_softmax(1).requires_grad_();
            using var b = randn(4096, 1000);
            var t = b.softmax(1);
            return (x, () => nn.functional.kl_div(x, t, false, Reduction.BatchMean));
        });
}
