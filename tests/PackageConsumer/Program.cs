// Trains a tiny model with a LossKit loss, using nothing but the LossKit and LossKit.Torch packages.
// Exit code 0 when the loss fell by at least half and the native library loaded from the package.
using LossKit;
using LossKit.Torch;
using static LossKit.Torch.torch;

manual_seed(0);
// y = 2x₁ - 3x₂ + 1 with a little noise.
var x = randn(256, 2);
var y = (x.narrow(1, 0, 1) * 2 - x.narrow(1, 1, 1) * 3 + 1 + randn(256, 1) * 0.05).DetachFromDisposeScope();
var model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1));
var criterion = losses.SmoothLoss(delta: 1.0, alpha: 2.0);
var optimizer = optim.Adam(model.parameters(), lr: 0.02);

double first = 0, last = 0;
for (var epoch = 0; epoch < 200; epoch++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var loss = criterion.call(model.call(x), y);
    loss.backward();
    optimizer.step();
    last = loss.item<float>();
    if (epoch == 0) first = last;
}
Console.WriteLine($"LossKit {typeof(losses).Assembly.GetName().Version} on libtorch {__version__}, kernels {FusedKernels.Capability}");
Console.WriteLine($"SmoothLoss: {first:F4} -> {last:F4} after 200 Adam steps");
var ok = last < first / 2 && double.IsFinite(last);
Console.WriteLine(ok ? "package consumer check: OK" : "package consumer check: FAILED (the loss did not fall)");
return ok ? 0 : 1;
