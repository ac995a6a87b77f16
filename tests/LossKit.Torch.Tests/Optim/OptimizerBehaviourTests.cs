using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Optim;

/// <summary>Parameter groups, learning-rate changes, zero_grad, parameters without gradients, closures, state and disposal.</summary>
/// <remarks>In the serial collection: the training test seeds the global generator, and a test drawing from it at the same
/// time on another thread would change its data (it did, once the robustness test drew random tensors in parallel).</remarks>
[Collection(SerialCollection.Name)]
public class OptimizerBehaviourTests
{
    [Fact]
    public void Groups_with_different_learning_rates_move_their_parameters_by_their_own_rate()
    {
        using var body = P.Make(1.0, 1.0);
        using var head = P.Make(1.0);
        using var sgd = optim.SGD([new SGD.ParamGroup([body], lr: 0.01), new SGD.ParamGroup([head])], learningRate: 0.1);
        sgd.ParamGroups.Select(g => g.LearningRate).Should().Equal(0.01, 0.1);
        P.Backward(body, 1.0, 2.0);
        P.Backward(head, 3.0);
        sgd.step();
        P.Values(body).Should().Equal(1.0 - 0.01 * 1.0, 1.0 - 0.01 * 2.0);
        P.Values(head).Should().Equal(1.0 - 0.1 * 3.0);
    }

    [Fact]
    public void A_new_learning_rate_applies_from_the_next_step()
    {
        using var p = P.Make(1.0);
        using var sgd = optim.SGD([p], 0.1);
        P.Backward(p, 1.0);
        sgd.step();                                  // 1 − 0.1 = 0.9
        sgd.ParamGroups[0].LearningRate = 0.5;
        sgd.step();                                  // the same gradient: 0.9 − 0.5 = 0.4
        P.Values(p)[0].Should().BeApproximately(0.4, 1e-15);
        sgd.ParamGroups[0].Options.LearningRate.Should().Be(0.5);
    }

    [Fact]
    public void Options_a_group_leaves_null_take_the_optimizers_defaults()
    {
        using var a = P.Make(1.0);
        using var b = P.Make(1.0);
        using var adam = optim.Adam([new Adam.ParamGroup([a], lr: 0.1, amsgrad: true), new Adam.ParamGroup([b], beta2: 0.9)],
            lr: 0.01, beta2: 0.95, weight_decay: 0.1);
        var first = (Adam.Options)adam.ParamGroups[0].Options;
        var second = ((Adam.ParamGroup)adam.ParamGroups[1]).Options;
        (first.LearningRate, first.beta1, first.beta2, first.eps, first.weight_decay, first.amsgrad, first.maximize)
            .Should().Be((0.1, 0.9, 0.95, 1e-8, 0.1, true, false));
        (second.LearningRate, second.beta2, second.amsgrad).Should().Be((0.01, 0.9, false));
    }

    [Fact]
    public void add_param_group_accepts_a_plain_group_and_fills_it_from_the_defaults()
    {
        using var a = P.Make(1.0);
        using var b = P.Make(1.0);
        using var rms = optim.RMSprop([a], lr: 0.01, momentum: 0.9);
        var group = new ParamGroup([b], new OptimizerOptions { LearningRate = 0.5 });
        rms.add_param_group(group);
        rms.ParamGroups.Should().HaveCount(2);
        rms.parameters().Should().Equal(a, b);
        var options = group.Options.Should().BeOfType<RMSProp.Options>().Subject;
        (options.LearningRate, options.momentum, options.alpha).Should().Be((0.5, 0.9, 0.99));
        group.InitialLearningRate.Should().Be(0.5);
    }

    [Fact]
    public void zero_grad_sets_gradients_to_null_by_default_and_to_zeros_on_request()
    {
        using var p = P.Make(1.0, 2.0);
        using var sgd = optim.SGD([p], 0.1);
        P.Backward(p, 3.0, 4.0);
        sgd.zero_grad(set_to_none: false);
        P.Grad(p).Should().Equal(0.0, 0.0);
        P.Backward(p, 3.0, 4.0);
        P.Grad(p).Should().Equal(3.0, 4.0);
        sgd.zero_grad();
        P.Grad(p).Should().BeNull();
    }

    [Fact]
    public void A_parameter_without_gradient_is_left_untouched_and_gets_no_state()
    {
        using var used = P.Make(1.0);
        using var unused = P.Make(5.0, 6.0);
        using var adam = optim.Adam([used, unused], lr: 0.1, weight_decay: 0.5);
        for (var i = 0; i < 3; i++)
        {
            adam.zero_grad();
            P.Backward(used, 1.0);
            adam.step();
        }
        P.Values(unused).Should().Equal(5.0, 6.0);
        adam.HasState(unused).Should().BeFalse();
        adam.HasState(used).Should().BeTrue();
    }

    [Fact]
    public void A_zeroed_gradient_still_takes_a_step_where_a_null_one_is_skipped()
    {
        // As in PyTorch: with weight decay, a zero gradient becomes λθ and moves θ; a null gradient skips θ.
        using var zeroed = P.Make(1.0);
        using var cleared = P.Make(1.0);
        using var a = optim.SGD([zeroed], 0.1, weight_decay: 0.5);
        using var b = optim.SGD([cleared], 0.1, weight_decay: 0.5);
        P.Backward(zeroed, 1.0);
        P.Backward(cleared, 1.0);
        a.zero_grad(set_to_none: false);
        b.zero_grad(set_to_none: true);
        a.step();
        b.step();
        P.Values(zeroed)[0].Should().BeApproximately(1.0 - 0.1 * 0.5, 1e-15);
        P.Values(cleared)[0].Should().Be(1.0);
    }

    [Fact]
    public void step_with_a_closure_records_gradients_even_under_no_grad_and_returns_the_loss()
    {
        using var p = P.Make(3.0);
        using var sgd = optim.SGD([p], 0.1);
        using var scope = NewDisposeScope();
        Tensor loss;
        using (no_grad())
        {
            loss = sgd.step(() =>
            {
                sgd.zero_grad();
                is_grad_enabled().Should().BeTrue();
                var l = (p * p).sum();
                l.backward();
                return l;
            });
        }
        loss.item<double>().Should().Be(9.0);
        P.Values(p)[0].Should().BeApproximately(3.0 - 0.1 * 6.0, 1e-15);
    }

    [Fact]
    public void step_leaves_nothing_in_the_callers_dispose_scope_and_updates_state_in_place()
    {
        using var p = P.Make(1.0, -1.0);
        using var adam = optim.Adam([p], lr: 0.1, amsgrad: true, maximize: true, weight_decay: 0.1);
        P.Backward(p, 1.0, 2.0);
        adam.step();
        var state = adam.StateTensors();
        state.Should().HaveCount(3);
        var handles = state.Select(t => t.Handle).ToList();

        using var scope = NewDisposeScope();
        for (var i = 0; i < 3; i++) adam.step();
        scope.DisposablesCount.Should().Be(0, "temporaries are freed by the step and state tensors belong to the optimizer");
        adam.StateTensors().Should().Equal(state, (x, y) => ReferenceEquals(x, y));
        adam.StateTensors().Select(t => t.Handle).Should().Equal(handles);
    }

    [Fact]
    public void Dispose_frees_the_state_but_never_the_parameters()
    {
        using var p = P.Make(1.0);
        var sgd = optim.SGD([p], 0.1, momentum: 0.9);
        P.Backward(p, 1.0);
        sgd.step();
        var state = sgd.StateTensors();
        state.Should().ContainSingle();
        sgd.Dispose();
        state[0].IsInvalid.Should().BeTrue();
        p.IsInvalid.Should().BeFalse();
        P.Values(p)[0].Should().BeApproximately(0.9, 1e-15);
        sgd.IsDisposed.Should().BeTrue();
        sgd.Invoking(s => s.step()).Should().Throw<ObjectDisposedException>().WithMessage("*SGD*");
        sgd.Invoking(s => s.zero_grad()).Should().Throw<ObjectDisposedException>();
        sgd.Dispose(); // twice is fine
    }

    [Fact]
    public void InitialLearningRate_is_recorded_once_by_the_first_scheduler_as_in_PyTorch()
    {
        using var p = P.Make(1.0);
        using var sgd = optim.SGD([p], 0.1);
        var group = sgd.ParamGroups[0];
        group.InitialLearningRate.Should().Be(0.1);
        group.LearningRate = 0.05;
        optim.lr_scheduler.StepLR(sgd, 2);
        group.InitialLearningRate.Should().Be(0.05, "setdefault('initial_lr', lr) when the first scheduler is attached");
        group.LearningRate = 0.2;
        optim.lr_scheduler.ExponentialLR(sgd, 0.5);
        group.InitialLearningRate.Should().Be(0.05, "a second scheduler keeps it");
    }

    [Fact]
    public void Training_a_linear_layer_with_each_optimizer_lowers_the_loss()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var x = randn(32, 3, ScalarType.Float64);
        var y = x.matmul(tensor(new double[] { 1.5, -2.0, 0.5 }).reshape(3, 1)) + 0.3;
        var makers = new Func<IEnumerable<Parameter>, optim.Optimizer>[]
        {
            ps => optim.SGD(ps, 0.05, momentum: 0.9, nesterov: true),
            ps => optim.Adam(ps, lr: 0.05),
            ps => optim.AdamW(ps, lr: 0.05),
            ps => optim.RMSProp(ps, lr: 0.01, centered: true),
        };
        foreach (var make in makers)
        {
            using var model = nn.Linear(3, 1, dtype: ScalarType.Float64);
            using var optimizer = make(model.parameters());
            double Loss() => nn.functional.mse_loss(model.call(x), y).item<double>();
            var before = Loss();
            for (var i = 0; i < 50; i++)
            {
                using var step = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.mse_loss(model.call(x), y).backward();
                optimizer.step();
            }
            Loss().Should().BeLessThan(before / 10, optimizer.GetType().Name);
        }
    }
}
