using LossKit.Torch.Modules;

namespace LossKit.Torch.Tests.Optim;

/// <summary>Updates small enough to do by hand, with the arithmetic in the comments.</summary>
public class OptimizerHandComputedTests
{
    [Fact]
    public void Adam_first_step_moves_each_parameter_by_about_lr_times_the_sign_of_its_gradient()
    {
        // t = 1: m = (1 − β₁)·g, v = (1 − β₂)·g², so m̂ = m / (1 − β₁) = g and v̂ = v / (1 − β₂) = g², and
        // θ₁ = θ₀ − lr·g / (|g| + ε) = θ₀ − lr·sign(g)·|g| / (|g| + ε): a step of lr whatever the gradient's size,
        // short of lr by lr·ε/|g| at most (here 0.01·1e-8 / 2e-3 = 5e-8).
        double[] theta = [1.0, -2.0, 3.0, 0.5];
        double[] g = [0.5, -3.0, 2e-3, -1e-2];
        const double lr = 0.01;
        using var p = P.Make(theta);
        using var adam = torch.optim.Adam([p], lr: lr);
        P.Backward(p, g);
        adam.step();

        var after = P.Values(p);
        for (var i = 0; i < theta.Length; i++)
        {
            after[i].Should().BeApproximately(theta[i] - lr * Math.Sign(g[i]), 1e-7, $"element {i}");
            after[i].Should().BeApproximately(theta[i] - lr * g[i] / (Math.Abs(g[i]) + 1e-8), 1e-15, $"element {i}");
        }
    }

    [Fact]
    public void SGD_with_momentum_09_two_steps()
    {
        // lr = 0.1, μ = 0.9, constant gradient g = 2, θ₀ = 1:
        //   step 1: b = g = 2 (the buffer starts as a copy of g)    θ = 1 − 0.1·2 = 0.8
        //   step 2: b = 0.9·2 + 2 = 3.8                              θ = 0.8 − 0.1·3.8 = 0.42
        using var p = P.Make(1.0);
        using var sgd = torch.optim.SGD([p], learningRate: 0.1, momentum: 0.9);
        P.Backward(p, 2.0);
        sgd.step();
        P.Values(p)[0].Should().BeApproximately(0.8, 1e-15);
        sgd.zero_grad();
        P.Backward(p, 2.0);
        sgd.step();
        P.Values(p)[0].Should().BeApproximately(0.42, 1e-15);
    }

    [Fact]
    public void SGD_with_dampening_damps_from_the_second_step_only()
    {
        // lr = 0.1, μ = 0.9, τ = 0.5, g = 2, θ₀ = 1:
        //   step 1: b = 2 (no dampening on the copy)    θ = 0.8
        //   step 2: b = 0.9·2 + 0.5·2 = 2.8             θ = 0.8 − 0.28 = 0.52
        using var p = P.Make(1.0);
        using var sgd = torch.optim.SGD([p], 0.1, momentum: 0.9, dampening: 0.5);
        for (var i = 0; i < 2; i++)
        {
            sgd.zero_grad();
            P.Backward(p, 2.0);
            sgd.step();
        }
        P.Values(p)[0].Should().BeApproximately(0.52, 1e-15);
    }

    [Fact]
    public void SGD_with_nesterov_momentum_looks_ahead()
    {
        // lr = 0.1, μ = 0.9, g = 2, θ₀ = 1:
        //   step 1: b = 2,               d = g + μ·b = 2 + 1.8 = 3.8     θ = 1 − 0.38 = 0.62
        //   step 2: b = 0.9·2 + 2 = 3.8, d = 2 + 0.9·3.8 = 5.42          θ = 0.62 − 0.542 = 0.078
        using var p = P.Make(1.0);
        using var sgd = torch.optim.SGD([p], 0.1, momentum: 0.9, nesterov: true);
        P.Backward(p, 2.0);
        sgd.step();
        P.Values(p)[0].Should().BeApproximately(0.62, 1e-15);
        sgd.zero_grad();
        P.Backward(p, 2.0);
        sgd.step();
        P.Values(p)[0].Should().BeApproximately(0.078, 1e-15);
    }

    [Fact]
    public void SGD_maximize_climbs_and_weight_decay_adds_lambda_theta()
    {
        // maximize: d = −g = −2; weight decay λ = 0.5 adds λθ = 0.5·4 = 2: d = 0, so θ stays at 4.
        using var p = P.Make(4.0);
        using var sgd = torch.optim.SGD([p], 0.1, weight_decay: 0.5, maximize: true);
        P.Backward(p, 2.0);
        sgd.step();
        P.Values(p)[0].Should().Be(4.0);
        // Without weight decay it climbs: θ = 4 + 0.1·2 = 4.2.
        using var q = P.Make(4.0);
        using var up = torch.optim.SGD([q], 0.1, maximize: true);
        P.Backward(q, 2.0);
        up.step();
        P.Values(q)[0].Should().BeApproximately(4.2, 1e-15);
    }

    [Fact]
    public void AdamW_decays_the_weights_directly_where_Adam_adds_the_decay_to_the_gradient()
    {
        // Zero loss gradient, θ₀ = 2, lr = 0.1, λ = 0.5.
        // AdamW: θ ← θ·(1 − lr·λ) = 2·0.95 = 1.9, then m = v = 0 so the Adam part adds 0/(0 + ε) = 0;
        //        step 2: 1.9·0.95 = 1.805.
        // Adam:  g = 0 + λθ = 1, and its first step moves by lr·sign(g): θ = 2 − 0.1·1/(1 + 1e-8) ≈ 1.9;
        //        step 2: g = 0.5·1.9 = 0.95, m = 0.09 + 0.095 = 0.185, v = 0.000999 + 0.0009025 = 0.0019015,
        //        m̂ = 0.185/0.19 = 0.97368, √v̂ = √(0.0019015/0.001999) = 0.97531, θ ≈ 1.9 − 0.1·0.99833 ≈ 1.80017.
        using var w = P.Make(2.0);
        using var l2 = P.Make(2.0);
        using var adamW = torch.optim.AdamW([w], lr: 0.1, weight_decay: 0.5);
        using var adam = torch.optim.Adam([l2], lr: 0.1, weight_decay: 0.5);
        for (var step = 0; step < 2; step++)
        {
            adamW.zero_grad();
            adam.zero_grad();
            P.Backward(w, 0.0);
            P.Backward(l2, 0.0);
            adamW.step();
            adam.step();
        }
        P.Values(w)[0].Should().BeApproximately(1.805, 1e-15);
        P.Values(l2)[0].Should().BeApproximately(1.80017, 1e-5);
    }

    [Fact]
    public void RMSprop_first_step_is_ten_lr_times_the_sign_with_the_default_alpha()
    {
        // v = (1 − 0.99)·g² = 0.01·g², d = √v + ε = 0.1·|g| + ε, θ ← θ − lr·g/d ≈ θ − 10·lr·sign(g).
        double[] theta = [1.0, -1.0];
        double[] g = [3.0, -0.02];
        using var p = P.Make(theta);
        using var rms = torch.optim.RMSprop([p], lr: 0.01);
        P.Backward(p, g);
        rms.step();
        P.Values(p)[0].Should().BeApproximately(1.0 - 0.1, 1e-7);
        P.Values(p)[1].Should().BeApproximately(-1.0 + 0.1, 1e-6);
    }

    [Fact]
    public void Centered_RMSprop_divides_by_the_standard_deviation_estimate()
    {
        // α = 0.5, constant g = 1: step 1: v = 0.5, a = 0.5, d = √(0.5 − 0.25) = 0.5 (+ε), θ = 0 − 0.1·1/0.5 = −0.2.
        using var p = P.Make(0.0);
        using var rms = torch.optim.RMSprop([p], lr: 0.1, alpha: 0.5, centered: true);
        P.Backward(p, 1.0);
        rms.step();
        P.Values(p)[0].Should().BeApproximately(-0.2, 1e-8);
    }
}
