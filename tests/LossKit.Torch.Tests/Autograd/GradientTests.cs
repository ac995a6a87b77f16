using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Autograd;

public class GradientTests
{
    private static readonly double[] Xs = [-2, -0.5, 0.25, 1, 3];

    [Theory]
    [InlineData(ScalarType.Float32, 1e-6)]
    [InlineData(ScalarType.Float64, 1e-14)]
    public void sum_of_sigmoid_has_gradient_s_times_one_minus_s(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        var x = tensor(Xs, dtype, requires_grad: true);
        x.sigmoid().sum().backward();
        var g = x.grad!;
        g.dtype.Should().Be(dtype);
        // d/dx sum(σ(x)) = σ(x)(1 - σ(x)).
        var stored = x.Values();
        g.ShouldBeClose(stored.Select(v => { var s = 1 / (1 + Math.Exp(-v)); return s * (1 - s); }).ToArray(), tolerance);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-6)]
    [InlineData(ScalarType.Float64, 1e-14)]
    public void log_softmax_gradient_is_w_minus_softmax_times_sum_w(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        // L = sum_ij w_ij · log_softmax(x)_ij over dim 1. With p = softmax(x) along the row:
        // dL/dx_ij = w_ij - p_ij · sum_k w_ik.
        double[,] xv = { { 0.5, -1, 2 }, { 3, 3, -3 } };
        double[,] wv = { { 1, 2, 3 }, { -1, 0.5, 0 } };
        var x = tensor(xv, dtype, requires_grad: true);
        var w = tensor(wv, dtype);
        (x.log_softmax(1) * w).sum().backward();

        var expected = new double[6];
        for (var i = 0; i < 2; i++)
        {
            var m = Math.Max(xv[i, 0], Math.Max(xv[i, 1], xv[i, 2]));
            double z = 0, wsum = 0;
            for (var k = 0; k < 3; k++) { z += Math.Exp(xv[i, k] - m); wsum += wv[i, k]; }
            for (var j = 0; j < 3; j++) expected[i * 3 + j] = wv[i, j] - Math.Exp(xv[i, j] - m) / z * wsum;
        }
        x.grad!.ShouldBe([2, 3], dtype, expected, tolerance);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 2e-6)]
    [InlineData(ScalarType.Float64, 1e-13)]
    public void chain_of_exp_log_and_pow(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        // f(x) = sum(log(1 + e^x)^3); f'(x) = 3 L² · e^x / (1 + e^x) with L = log(1 + e^x).
        var x = tensor(Xs, dtype, requires_grad: true);
        (x.exp() + 1).log().pow(3).sum().backward();
        var expected = x.Values().Select(v => { var l = Math.Log(1 + Math.Exp(v)); return 3 * l * l * Math.Exp(v) / (1 + Math.Exp(v)); }).ToArray();
        x.grad!.ShouldBeClose(expected, tolerance);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-6)]
    [InlineData(ScalarType.Float64, 1e-14)]
    public void quotient_sqrt_and_tanh(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        // f(x) = sum(tanh(x) / sqrt(1 + x²)); f' = (1 - tanh²)/r - tanh · x / r³ with r = sqrt(1 + x²).
        var x = tensor(Xs, dtype, requires_grad: true);
        (x.tanh() / (x.square() + 1).sqrt()).sum().backward();
        var expected = x.Values().Select(v =>
        {
            var t = Math.Tanh(v);
            var r = Math.Sqrt(1 + v * v);
            return (1 - t * t) / r - t * v / (r * r * r);
        }).ToArray();
        x.grad!.ShouldBeClose(expected, tolerance);
    }

    [Fact]
    public void mean_relu_abs_and_clamp_have_their_textbook_gradients()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -2.0, -0.5, 0.5, 2.0 }, requires_grad: true);
        x.mean().backward();
        x.grad!.ShouldBeClose([0.25, 0.25, 0.25, 0.25]);               // 1/n

        x.grad = null;
        x.relu().sum().backward();
        x.grad!.ShouldBeClose([0, 0, 1, 1]);

        x.grad = null;
        x.abs().sum().backward();
        x.grad!.ShouldBeClose([-1, -1, 1, 1]);

        x.grad = null;
        x.clamp(-1, 1).sum().backward();
        x.grad!.ShouldBeClose([0, 1, 1, 0]);                            // flat outside [-1, 1]
    }

    [Fact]
    public void broadcasting_sums_gradients_over_the_broadcast_dimensions()
    {
        using var scope = NewDisposeScope();
        // f = sum(a * b) with a (2,3), b (3): df/da_ij = b_j, df/db_j = sum_i a_ij.
        var a = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, requires_grad: true);
        var b = tensor(new double[] { 10, 20, 30 }, requires_grad: true);
        (a * b).sum().backward();
        a.grad!.ShouldBe([2, 3], ScalarType.Float64, [10, 20, 30, 10, 20, 30]);
        b.grad!.ShouldBe([3], ScalarType.Float64, [5, 7, 9]);

        // f = sum(c * r) with c (2,1), r (1,3): df/dc_i = sum_j r_j, df/dr_j = sum_i c_i.
        var c = tensor(new double[] { 1, 2 }, [2, 1], requires_grad: true);
        var r = tensor(new double[] { 3, 4, 5 }, [1, 3], requires_grad: true);
        (c * r).sum().backward();
        c.grad!.ShouldBe([2, 1], ScalarType.Float64, [12, 12]);
        r.grad!.ShouldBe([1, 3], ScalarType.Float64, [3, 3, 3]);

        // Scalars added through broadcasting: f = sum((a + s)²) with s 0-D: df/ds = sum 2(a + s).
        var s = tensor(1.0, requires_grad: true);
        (a.detach() + s).square().sum().backward();
        s.grad!.ShouldBe([], ScalarType.Float64, [2 * (2 + 3 + 4 + 5 + 6 + 7)]);
    }

    [Fact]
    public void matmul_gradient_matches_the_matrix_calculus_identities()
    {
        using var scope = NewDisposeScope();
        // f = sum(A B): df/dA = 1 Bᵀ (row sums of B), df/dB = Aᵀ 1 (column sums of A).
        var a = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, requires_grad: true);
        var b = tensor(new double[,] { { 7, 8 }, { 9, 10 }, { 11, 12 } }, requires_grad: true);
        a.matmul(b).sum().backward();
        a.grad!.ShouldBeClose([15, 19, 23, 15, 19, 23]);                // [7+8, 9+10, 11+12] in each row
        b.grad!.ShouldBeClose([5, 5, 7, 7, 9, 9]);                      // [1+4, 2+5, 3+6] in each column
    }

    [Fact]
    public void indexing_scatters_the_gradient_back_and_accumulates_repeats()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        // x[[0, 0, 2]] picks x0 twice and x2 once.
        x[tensor(new long[] { 0, 0, 2 })].sum().backward();
        x.grad!.ShouldBeClose([2, 0, 1]);

        var y = tensor(new double[,] { { 1, 2 }, { 3, 4 } }, requires_grad: true);
        (y[1] * 10).sum().backward();
        y.grad!.ShouldBeClose([0, 0, 10, 10]);

        var z = tensor(new[] { 1.0, -1.0, 2.0 }, requires_grad: true);
        z.masked_fill(z < 0, 0).square().sum().backward();               // the filled element gets no gradient
        z.grad!.ShouldBeClose([2, 0, 4]);
    }

    [Fact]
    public void mse_loss_gradient_is_two_times_the_error_over_n()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new[] { 1.0, 2.0, 4.0 }, requires_grad: true);
        var target = tensor(new[] { 1.5, 2.0, 2.0 });
        var loss = nn.functional.mse_loss(input, target);
        // ((−0.5)² + 0² + 2²) / 3 = 4.25 / 3; gradient 2 (input − target) / 3.
        loss.item<double>().Should().BeApproximately(4.25 / 3, 1e-15);
        loss.backward();
        input.grad!.ShouldBeClose([2 * -0.5 / 3, 0, 2 * 2.0 / 3], 1e-15);
    }

    [Fact]
    public void backward_with_an_explicit_gradient_computes_a_vector_jacobian_product()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var y = x.square();                                              // dy_i/dx_i = 2 x_i
        y.backward(tensor(new[] { 1.0, 0.5, -1.0 }));
        x.grad!.ShouldBeClose([2, 2, -6]);                               // v_i · 2 x_i

        var x2 = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        (x2 * 3).backward([tensor(new[] { 1.0, 1.0 })]);                // TorchSharp's list form
        x2.grad!.ShouldBeClose([3, 3]);
    }

    [Fact]
    public void retain_graph_allows_a_second_backward_and_gradients_accumulate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var f = (x * x).sum();                                           // df/dx = 2x = [2, 4]
        f.backward(retain_graph: true);
        x.grad!.ShouldBeClose([2, 4]);
        f.backward(retain_graph: true);
        x.grad!.ShouldBeClose([4, 8], what: "the second backward adds to .grad");
        f.backward();
        x.grad!.ShouldBeClose([6, 12]);

        var again = () => f.backward();
        again.Should().Throw<TorchException>().WithMessage("backward: Trying to backward through the graph a second time*");
    }

    [Fact]
    public void gradients_accumulate_across_separate_graphs_until_cleared()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        (x * 2).sum().backward();
        (x * 3).sum().backward();
        x.grad!.ShouldBeClose([5, 5]);
        x.grad = null;
        x.grad.Should().BeNull();
        (x * 4).sum().backward();
        x.grad!.ShouldBeClose([4, 4]);
        x.grad = tensor(new[] { 0.5, 0.5 });
        (x * 1).sum().backward();
        x.grad!.ShouldBeClose([1.5, 1.5]);
    }

    [Fact]
    public void autograd_grad_with_create_graph_gives_second_derivatives()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -1.0, 0.5, 2.0 }, requires_grad: true);
        var y = x.pow(3).sum();
        var first = autograd.grad([y], [x], create_graph: true)[0]!;
        first.ShouldBeClose([3, 0.75, 12]);                              // 3x²
        first.requires_grad.Should().BeTrue("create_graph records the backward pass");
        var second = autograd.grad([first.sum()], [x])[0]!;
        second.ShouldBeClose([-6, 3, 12]);                               // 6x
        x.grad.Should().BeNull("autograd.grad returns gradients instead of accumulating them");

        // d²/dx² sin x = -sin x, through the backward of the backward.
        var t = tensor(new[] { 0.3, 1.2 }, requires_grad: true);
        var d1 = autograd.grad([t.sin().sum()], [t], create_graph: true)[0]!;
        var d2 = autograd.grad([d1.sum()], [t])[0]!;
        d2.ShouldBeClose([-Math.Sin(0.3), -Math.Sin(1.2)], 1e-15);

        // backward(create_graph) makes .grad itself differentiable.
        var u = tensor(new[] { 2.0 }, requires_grad: true);
        u.pow(3).sum().backward(create_graph: true);
        var g = u.grad!;
        g.ShouldBeClose([12]);                                           // 3u²
        g.requires_grad.Should().BeTrue();
        autograd.grad([g.sum()], [u])[0]!.ShouldBeClose([12]);          // 6u
    }

    [Fact]
    public void autograd_grad_with_several_inputs_outputs_and_grad_outputs()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var b = tensor(new[] { 3.0, 4.0 }, requires_grad: true);
        var p = a * b;                                                   // dp/da = b, dp/db = a
        var q = (a + b).sum();
        var grads = autograd.grad([p, q], [a, b], grad_outputs: [tensor(new[] { 1.0, -1.0 }), null]);
        grads.Should().HaveCount(2);
        grads[0]!.ShouldBeClose([3 + 1, -4 + 1]);                        // v·b + 1
        grads[1]!.ShouldBeClose([1 + 1, -2 + 1]);                        // v·a + 1
    }

    [Fact]
    public void autograd_grad_reports_unused_inputs_as_null_only_when_allowed()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0 }, requires_grad: true);
        var unused = tensor(new[] { 1.0 }, requires_grad: true);
        var y = (x * 2).sum();
        var grads = autograd.grad([y], [x, unused], retain_graph: true, allow_unused: true);
        grads[0]!.ShouldBeClose([2]);
        grads[1].Should().BeNull();
        var strict = () => autograd.grad([y], [x, unused]);
        strict.Should().Throw<TorchException>().WithMessage("autograd.grad: One of the differentiated Tensors appears to not have been used in the graph*");
        var noOutputs = () => autograd.grad([], [x]);
        noOutputs.Should().Throw<ArgumentException>().WithMessage("autograd.grad: no outputs given.*");
    }

    [Fact]
    public void autograd_backward_accumulates_into_every_leaf()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var f1 = (x * x).sum();                                          // 2x
        var f2 = (x * 5).sum();                                          // 5
        autograd.backward([f1, f2]);
        x.grad!.ShouldBeClose([7, 9]);
    }

    [Fact]
    public void detach_stops_gradients_and_retain_grad_keeps_them_on_non_leaves()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 3.0 }, requires_grad: true);
        // f = sum(x · stop(x)): the detached factor is a constant, so df/dx = x (not 2x).
        (x * x.detach()).sum().backward();
        x.grad!.ShouldBeClose([1, 3]);

        var w = tensor(new[] { 2.0 }, requires_grad: true);
        var h = w * 3;
        h.is_leaf.Should().BeFalse();
        h.retain_grad();
        (h * h).sum().backward();
        h.grad!.ShouldBeClose([12]);                                     // 2h = 2·6
        w.grad!.ShouldBeClose([36]);                                     // 2h · 3
    }

    [Fact]
    public void requires_grad_propagates_only_from_inputs_that_require_it()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0 });
        var b = tensor(new[] { 1.0 }, requires_grad: true);
        (a * 2).requires_grad.Should().BeFalse();
        (a * b).requires_grad.Should().BeTrue();
        (a * b).is_leaf.Should().BeFalse();
        a.requires_grad_().Should().BeSameAs(a);
        a.requires_grad.Should().BeTrue();
        a.with_requires_grad(false).requires_grad.Should().BeFalse();
    }
}
