using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.NN;

/// <summary>A small custom module that registers its parts by reflection: y = fc(x) · scale + offset.</summary>
internal sealed class ScaledLinear : nn.Module<Tensor, Tensor>
{
    private readonly Modules.Linear fc;
    private readonly Parameter scale;
    private readonly Tensor offset;                  // a buffer: state, but not trained
    private readonly Tensor steps;                   // an integer buffer
    private readonly Parameter? unused = null;       // absent parameters are skipped

    public ScaledLinear(long inFeatures, long outFeatures) : base(nameof(ScaledLinear))
    {
        fc = nn.Linear(inFeatures, outFeatures);
        using (var s = full(outFeatures, 2.0f)) scale = new Parameter(s);
        offset = full(outFeatures, 0.5f).DetachFromDisposeScope();
        steps = zeros(1, ScalarType.Int64).DetachFromDisposeScope();
        RegisterComponents();
    }

    public Parameter Scale => scale;
    public Tensor Offset => offset;
    public Tensor Steps => steps;
    public Modules.Linear Fc => fc;
    public Parameter? Unused => unused;

    public override Tensor forward(Tensor input)
    {
        using var h = fc.call(input);
        using var scaled = h * scale;
        return scaled + offset;
    }
}

/// <summary>A module that registers by hand: y = x · w, with a submodule that is called first.</summary>
internal sealed class Manual : nn.Module<Tensor, Tensor>
{
    public Manual() : base(nameof(Manual))
    {
        register_parameter("w", new Parameter(ones(1)));
        register_module("act", nn.Tanh());
        register_buffer("count", zeros(1));
    }

    public override Tensor forward(Tensor input)
    {
        var w = named_parameters(recurse: false).Single().parameter;
        using var a = ((nn.Module<Tensor, Tensor>)children().Single()).call(input);
        return a * w;
    }
}

/// <summary>Returns its input object itself, as an identity layer may.</summary>
internal sealed class PassThrough : nn.Module<Tensor, Tensor>
{
    public PassThrough() : base(nameof(PassThrough)) { }
    public override Tensor forward(Tensor input) => input;
}

public class ModuleTests
{
    [Fact]
    public void RegisterComponents_finds_parameters_submodules_and_buffers_by_field_name()
    {
        using var m = new ScaledLinear(3, 2);
        // A module's own parameters come before those of its submodules, as in PyTorch
        // (which lists ['scale', 'fc.weight', 'fc.bias'] for the same module).
        m.named_parameters().Select(p => p.name).Should().Equal("scale", "fc.weight", "fc.bias");
        m.named_parameters(recurse: false).Select(p => p.name).Should().Equal("scale");
        m.parameters().Should().Equal(new Tensor[] { m.Scale, m.Fc.weight, m.Fc.bias! }, (a, b) => ReferenceEquals(a, b));
        m.named_buffers().Select(b => b.name).Should().Equal("offset", "steps");
        m.buffers().Should().HaveCount(2);
        m.named_children().Select(c => c.name).Should().Equal("fc");
        m.children().Single().Should().BeSameAs(m.Fc);
        m.named_modules().Select(c => c.name).Should().Equal("fc");
        m.modules().Should().ContainSingle();
        m.GetName().Should().Be("ScaledLinear");
        m.ToString().Should().Be("ScaledLinear");
    }

    [Fact]
    public void register_parameter_by_hand_and_forward()
    {
        using var scope = NewDisposeScope();
        using var m = new Manual();
        m.named_parameters().Select(p => p.name).Should().Equal("w");
        m.named_buffers().Select(b => b.name).Should().Equal("count");
        m.named_modules().Select(c => c.name).Should().Equal("act");
        var y = m.call(tensor(new[] { 0.5f, -1f }));
        y.ShouldBeClose([Math.Tanh(0.5), Math.Tanh(-1)], 1e-6);            // w = 1
    }

    [Fact]
    public void registration_rejects_bad_and_duplicate_names()
    {
        using var m = new Manual();
        var dotted = () => m.register_parameter("a.b", new Parameter(zeros(1)));
        dotted.Should().Throw<ArgumentException>().WithMessage("Invalid component name 'a.b'*");
        var duplicate = () => m.register_buffer("w", zeros(1));
        duplicate.Should().Throw<ArgumentException>().WithMessage("The module 'Manual' already has a component named 'w'*");
        var self = () => m.register_module("me", m);
        self.Should().Throw<ArgumentException>().WithMessage("A module cannot contain itself*");
    }

    [Fact]
    public void sequential_names_parameters_by_position_and_keeps_their_order()
    {
        using var seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1));
        seq.named_parameters().Select(p => p.name).Should().Equal("0.weight", "0.bias", "2.weight", "2.bias");
        seq.parameters().Select(p => p.shape).Should().BeEquivalentTo(new[] { new long[] { 3, 2 }, [3], [1, 3], [1] },
            o => o.WithStrictOrdering());
        seq.Count.Should().Be(3);
        seq[1].Should().BeOfType<ReLU>();

        using var named = nn.Sequential(("encoder", (nn.Module<Tensor, Tensor>)nn.Linear(2, 2)), ("act", nn.Tanh()));
        named.named_parameters().Select(p => p.name).Should().Equal("encoder.weight", "encoder.bias");
        named.append(nn.Linear(2, 1));
        named.named_parameters().Last().name.Should().Be("2.bias");

        using var nested = nn.Sequential(("block", (nn.Module<Tensor, Tensor>)new ScaledLinear(2, 2)));
        nested.named_parameters().Select(p => p.name).Should().Equal("block.scale", "block.fc.weight", "block.fc.bias");
        nested.named_buffers().Select(p => p.name).Should().Equal("block.offset", "block.steps");
    }

    [Fact]
    public void sequential_forward_is_the_composition_of_its_layers()
    {
        using var scope = NewDisposeScope();
        using var seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid());
        var x = randn(5, 3);
        var lin0 = (Modules.Linear)seq[0];
        var lin2 = (Modules.Linear)seq[2];
        var expected = lin2.call(lin0.call(x).tanh()).sigmoid();
        seq.call(x).ShouldBeClose(expected.Values(), 1e-6);
        x.IsInvalid.Should().BeFalse();
    }

    [Fact]
    public void sequential_never_disposes_its_input_even_when_a_layer_returns_it()
    {
        using var scope = NewDisposeScope();
        using var seq = nn.Sequential(new PassThrough(), nn.ReLU());
        var x = tensor(new[] { -1f, 2f });
        var y = seq.call(x);
        x.IsInvalid.Should().BeFalse("Sequential disposes its own intermediates, never the caller's tensor");
        x.ToArray<float>().Should().Equal(-1f, 2f);
        y.ToArray<float>().Should().Equal(0f, 2f);

        using var identityLast = nn.Sequential(nn.ReLU(), new PassThrough());
        identityLast.call(x).ToArray<float>().Should().Equal(0f, 2f);

        using var empty = nn.Sequential(Array.Empty<nn.Module<Tensor, Tensor>>());
        var alias = empty.call(x);
        alias.Should().NotBeSameAs(x);
        alias.ToArray<float>().Should().Equal(-1f, 2f);
    }

    [Fact]
    public void train_and_eval_propagate_to_every_submodule()
    {
        using var seq = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.Dropout(0.1)));
        var all = new List<nn.Module> { seq };
        all.AddRange(seq.modules());
        all.Should().HaveCount(5);
        all.Should().OnlyContain(m => m.training);
        seq.eval();
        all.Should().OnlyContain(m => !m.training);
        seq.train();
        all.Should().OnlyContain(m => m.training);
        seq.train(false);
        all.Should().OnlyContain(m => !m.training);
    }

    [Fact]
    public void dropout_is_the_identity_in_eval_and_zeroes_about_p_in_training()
    {
        using var scope = NewDisposeScope();
        using var drop = nn.Dropout(0.3);
        drop.p.Should().Be(0.3);
        var x = ones(100_000);

        drop.eval();
        drop.call(x).ToArray<float>().Should().OnlyContain(v => v == 1f);

        drop.train();
        var y = drop.call(x).ToArray<float>();
        var dropped = y.Count(v => v == 0);
        // Binomial(100000, 0.3): mean 30000, standard deviation 145.
        dropped.Should().BeCloseTo(30_000, 1_000);
        // Survivors are scaled by 1 / (1 - p) so the expectation is unchanged.
        y.Where(v => v != 0).Should().OnlyContain(v => Math.Abs(v - 1 / 0.7f) < 1e-6);
        y.Average(v => (double)v).Should().BeApproximately(1, 0.02);

        nn.functional.dropout(x, 0.3, training: false).ToArray<float>().Should().OnlyContain(v => v == 1f);
        nn.functional.dropout(x, 1.0).ToArray<float>().Should().OnlyContain(v => v == 0f);
        var badP = () => nn.Dropout(1.5);
        badP.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void zero_grad_clears_or_zeroes_the_gradients()
    {
        using var scope = NewDisposeScope();
        using var m = new ScaledLinear(3, 2);
        m.call(ones(4, 3)).sum().backward();
        m.parameters().Select(p => p.grad is not null).Should().OnlyContain(hasGrad => hasGrad);

        m.zero_grad(set_to_none: false);
        foreach (var p in m.parameters())
        {
            p.grad!.shape.Should().Equal(p.shape);
            p.grad!.Values().Should().OnlyContain(v => v == 0);
        }

        m.zero_grad();
        m.parameters().Select(p => p.grad is null).Should().OnlyContain(cleared => cleared);
    }

    [Fact]
    public void parameters_are_leaves_that_require_grad_and_share_their_source_data()
    {
        using var scope = NewDisposeScope();
        var data = tensor(new[] { 1f, 2f });
        using var p = nn.Parameter(data);
        p.requires_grad.Should().BeTrue();
        p.is_leaf.Should().BeTrue();
        data.requires_grad.Should().BeFalse("the source tensor is not changed");
        using (no_grad()) p.mul_(3);
        data.ToArray<float>().Should().Equal(3f, 6f);
        using var frozen = new Parameter(data, requires_grad: false);
        frozen.requires_grad.Should().BeFalse();
    }

    [Fact]
    public void module_to_float64_keeps_the_same_parameter_objects()
    {
        using var scope = NewDisposeScope();
        using var m = new ScaledLinear(3, 2);
        var before = m.parameters().ToList();
        var weightValues = m.Fc.weight.Values();
        m.to(ScalarType.Float64).Should().BeSameAs(m);

        m.parameters().Should().Equal(before, (a, b) => ReferenceEquals(a, b));
        m.Fc.weight.dtype.Should().Be(ScalarType.Float64);
        m.Fc.weight.Values().Should().Equal(weightValues, "float32 values are exactly representable in float64");
        m.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64 && p.requires_grad && p.is_leaf);
        m.Offset.dtype.Should().Be(ScalarType.Float64, "floating buffers are converted");
        m.Steps.dtype.Should().Be(ScalarType.Int64, "integer buffers keep their dtype");

        // The converted module trains in float64.
        var y = m.call(ones(2, 3, ScalarType.Float64));
        y.dtype.Should().Be(ScalarType.Float64);
        y.sum().backward();
        m.Scale.grad!.dtype.Should().Be(ScalarType.Float64);

        var intDtype = () => m.to(ScalarType.Int32);
        intDtype.Should().Throw<ArgumentException>();
        m.to(CPU).Should().BeSameAs(m);
    }

    [Fact]
    public void state_dict_and_load_state_dict_round_trip()
    {
        using var scope = NewDisposeScope();
        using var a = new ScaledLinear(3, 2);
        using var b = new ScaledLinear(3, 2);
        var sd = a.state_dict();
        sd.Keys.Should().BeEquivalentTo(new[] { "fc.weight", "fc.bias", "scale", "offset", "steps" });
        sd.Values.Should().OnlyContain(t => !t.requires_grad);
        scope.DisposablesCount.Should().Be(0, "state_dict hands its copies to the caller and leaves nothing in the scope");

        // The copies are independent of the module.
        using (no_grad()) a.Scale.add_(1);
        sd["scale"].ShouldBeClose([2, 2]);

        b.Fc.weight.Values().Should().NotEqual(a.Fc.weight.Values(), "two fresh modules are initialised differently");
        var (missing, unexpected) = b.load_state_dict(sd);
        missing.Should().BeEmpty();
        unexpected.Should().BeEmpty();
        foreach (var (name, p) in b.named_parameters())
            p.Values().Should().Equal(sd[name].Values(), name);
        b.Scale.requires_grad.Should().BeTrue();
        b.Scale.is_leaf.Should().BeTrue();

        var x = randn(4, 3);
        using (no_grad()) a.Scale.sub_(1);
        b.call(x).Values().Should().Equal(a.call(x).Values());

        foreach (var t in sd.Values) t.Dispose();
    }

    [Fact]
    public void load_state_dict_reports_missing_and_unexpected_keys_and_rejects_wrong_shapes()
    {
        using var scope = NewDisposeScope();
        using var m = new ScaledLinear(3, 2);
        var partial = new Dictionary<string, Tensor> { ["scale"] = full(2, 7f), ["extra"] = zeros(1) };
        var strict = () => m.load_state_dict(partial);
        strict.Should().Throw<ArgumentException>().WithMessage("load_state_dict: missing keys [fc.weight, fc.bias, offset, steps], unexpected keys [extra]*");

        var (missing, unexpected) = m.load_state_dict(partial, strict: false);
        missing.Should().Equal("fc.weight", "fc.bias", "offset", "steps");
        unexpected.Should().Equal("extra");
        m.Scale.ShouldBeClose([7, 7]);

        var wrongShape = new Dictionary<string, Tensor> { ["scale"] = zeros(3) };
        var shape = () => m.load_state_dict(wrongShape, strict: false);
        shape.Should().Throw<ArgumentException>().WithMessage("load_state_dict: 'scale' has shape [2] here but [3] in the source*");
    }

    [Fact]
    public void disposing_a_module_disposes_its_parameters_buffers_and_submodules()
    {
        var m = new ScaledLinear(3, 2);
        var parameters = m.parameters().ToList();
        var buffers = m.buffers().ToList();
        m.Dispose();
        m.IsDisposed.Should().BeTrue();
        m.Fc.IsDisposed.Should().BeTrue();
        parameters.Should().OnlyContain(p => p.IsInvalid);
        buffers.Should().OnlyContain(b => b.IsInvalid);
        var call = () => m.call(ones(1, 3));
        call.Should().Throw<ObjectDisposedException>().WithMessage("*The module 'ScaledLinear' has been disposed*");
        var enumerate = () => m.parameters().ToList();
        enumerate.Should().Throw<ObjectDisposedException>();
        m.Dispose();                                               // idempotent
    }
}

[Collection(SerialCollection.Name)]
public class LinearTests
{
    [Fact]
    public void linear_initialisation_matches_pytorch_for_the_same_seed()
    {
        manual_seed(0);
        using var lin = nn.Linear(3, 2);
        // PyTorch 1.13 (/usr/bin/python3 on Debian 12): torch.manual_seed(0); l = torch.nn.Linear(3, 2);
        // l.weight.data.double().tolist(), l.bias.data.double().tolist(). Printed to 4 decimals by PyTorch as
        // [[-0.0043, 0.3097, -0.4752], [-0.4249, -0.2224, 0.1548]] and [-0.0114, 0.4578].
        lin.weight.shape.Should().Equal(2, 3);
        lin.weight.ShouldBeClose([
            -0.004322517663240433, 0.3097158372402191, -0.4751853346824646,
            -0.4248946011066437, -0.2223689705133438, 0.15482072532176971], 1e-7);
        lin.bias!.ShouldBeClose([-0.011439144611358643, 0.45777493715286255], 1e-7);
        lin.weight.ShouldBeClose([-0.0043, 0.3097, -0.4752, -0.4249, -0.2224, 0.1548], 1e-4);
        lin.bias!.ShouldBeClose([-0.0114, 0.4578], 1e-4);
        lin.in_features.Should().Be(3);
        lin.out_features.Should().Be(2);
    }

    [Fact]
    public void sequential_initialisation_matches_pytorch_for_the_same_seed()
    {
        manual_seed(0);
        using var seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1));
        // PyTorch 1.13: torch.manual_seed(0); torch.nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1)).named_parameters().
        var p = seq.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        p["0.weight"].ShouldBeClose([-0.005293981172144413, 0.37932288646698, -0.5819807648658752, -0.5203874707221985,
            -0.27234524488449097, 0.1896158903837204], 1e-7);
        p["0.bias"].ShouldBeClose([-0.014010033570230007, 0.5606575012207031, -0.06275151669979095], 1e-7);
        p["2.weight"].ShouldBeClose([0.1527741253376007, -0.1744827926158905, -0.11348707973957062], 1e-7);
        p["2.bias"].ShouldBeClose([-0.55157071352005], 1e-7);
    }

    [Fact]
    public void linear_forward_is_x_times_w_transposed_plus_b()
    {
        using var scope = NewDisposeScope();
        using var lin = nn.Linear(3, 2, dtype: ScalarType.Float64);
        var w = lin.weight.Values();                       // row-major (2, 3)
        var b = lin.bias!.Values();
        double[,] x = { { 1, 2, 3 }, { -1, 0.5, 2 } };
        var expected = new double[4];
        for (var n = 0; n < 2; n++)
            for (var o = 0; o < 2; o++)
            {
                var s = b[o];
                for (var i = 0; i < 3; i++) s += x[n, i] * w[o * 3 + i];
                expected[n * 2 + o] = s;
            }
        var y = lin.call(tensor(x));
        y.ShouldBe([2, 2], ScalarType.Float64, expected, 1e-14);
        nn.functional.linear(tensor(x), lin.weight, lin.bias).ShouldBeClose(expected, 1e-14);

        // Extra leading dimensions pass through: (2, 2, 3) -> (2, 2, 2).
        lin.call(zeros(2, 2, 3, ScalarType.Float64)).shape.Should().Equal(2, 2, 2);

        // Initialisation bounds: U(-1/sqrt(in), 1/sqrt(in)) for both weight and bias.
        using var wide = nn.Linear(100, 50);
        var bound = 1 / Math.Sqrt(100);
        wide.weight.Values().Should().OnlyContain(v => Math.Abs(v) <= bound);
        wide.bias!.Values().Should().OnlyContain(v => Math.Abs(v) <= bound);
        wide.weight.Values().Max().Should().BeGreaterThan(bound * 0.9, "5000 draws reach close to the bound");
    }

    [Fact]
    public void linear_without_bias_has_only_a_weight()
    {
        manual_seed(0);
        using var lin = nn.Linear(3, 2, hasBias: false);
        lin.bias.Should().BeNull();
        lin.named_parameters().Select(p => p.name).Should().Equal("weight");
        // Same weight as with a bias: the bias is drawn after the weight (PyTorch 1.13, seed 0).
        lin.weight.ShouldBeClose([-0.004322517663240433, 0.3097158372402191, -0.4751853346824646,
            -0.4248946011066437, -0.2223689705133438, 0.15482072532176971], 1e-7);
        using var scope = NewDisposeScope();
        var x = tensor(new float[,] { { 1, 0, 0 } });
        lin.call(x).ShouldBeClose([-0.004322517663240433, -0.4248946011066437], 1e-7);   // the first column of W
    }
}
