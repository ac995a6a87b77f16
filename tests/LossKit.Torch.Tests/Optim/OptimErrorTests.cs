using LossKit.Torch.Modules;
using static LossKit.Torch.torch.optim;
using static LossKit.Torch.torch.optim.lr_scheduler;

namespace LossKit.Torch.Tests.Optim;

/// <summary>Bad arguments throw up front, naming the optimizer or scheduler and the argument.</summary>
public sealed class OptimErrorTests : IDisposable
{
    private readonly Parameter _p = P.Make(1.0, 2.0);
    private readonly Parameter _q = P.Make(3.0);

    public void Dispose()
    {
        _p.Dispose();
        _q.Dispose();
    }

    private static void ThrowsOutOfRange(Action create, string owner, string argument)
    {
        var e = create.Should().Throw<ArgumentOutOfRangeException>().Which;
        e.ParamName.Should().Be(argument);
        e.Message.Should().Contain(owner).And.Contain(argument);
    }

    [Fact]
    public void SGD_rejects_bad_hyperparameters()
    {
        ThrowsOutOfRange(() => SGD([_p], -0.1), "SGD", "learningRate");
        ThrowsOutOfRange(() => SGD([_p], double.NaN), "SGD", "learningRate");
        ThrowsOutOfRange(() => SGD([_p], 0.1, momentum: -0.9), "SGD", "momentum");
        ThrowsOutOfRange(() => SGD([_p], 0.1, weight_decay: -1), "SGD", "weight_decay");
        ThrowsOutOfRange(() => SGD([_p], 0.1, dampening: double.PositiveInfinity), "SGD", "dampening");
    }

    [Fact]
    public void SGD_nesterov_needs_momentum_and_no_dampening()
    {
        var noMomentum = FluentActions.Invoking(() => SGD([_p], 0.1, nesterov: true)).Should().Throw<ArgumentException>().Which;
        noMomentum.ParamName.Should().Be("nesterov");
        noMomentum.Message.Should().Contain("SGD").And.Contain("momentum");
        FluentActions.Invoking(() => SGD([_p], 0.1, momentum: 0.9, dampening: 0.1, nesterov: true))
            .Should().Throw<ArgumentException>().WithMessage("*SGD*nesterov*dampening*");
    }

    [Fact]
    public void Adam_and_AdamW_reject_bad_hyperparameters()
    {
        ThrowsOutOfRange(() => Adam([_p], lr: -1e-3), "Adam", "lr");
        ThrowsOutOfRange(() => Adam([_p], beta1: 1.0), "Adam", "beta1");
        ThrowsOutOfRange(() => Adam([_p], beta1: -0.1), "Adam", "beta1");
        ThrowsOutOfRange(() => Adam([_p], beta2: 1.5), "Adam", "beta2");
        ThrowsOutOfRange(() => Adam([_p], eps: -1e-8), "Adam", "eps");
        ThrowsOutOfRange(() => Adam([_p], weight_decay: -0.1), "Adam", "weight_decay");
        ThrowsOutOfRange(() => AdamW([_p], beta2: 1.0), "AdamW", "beta2");
        ThrowsOutOfRange(() => AdamW([_p], weight_decay: double.NaN), "AdamW", "weight_decay");
        ThrowsOutOfRange(() => AdamW([_p], lr: double.PositiveInfinity), "AdamW", "lr");
    }

    [Fact]
    public void RMSprop_rejects_bad_hyperparameters()
    {
        ThrowsOutOfRange(() => RMSprop([_p], lr: -0.01), "RMSProp", "lr");
        ThrowsOutOfRange(() => RMSprop([_p], alpha: 1.5), "RMSProp", "alpha");
        ThrowsOutOfRange(() => RMSProp([_p], alpha: -0.5), "RMSProp", "alpha");
        ThrowsOutOfRange(() => RMSProp([_p], eps: -1), "RMSProp", "eps");
        ThrowsOutOfRange(() => RMSProp([_p], momentum: -0.9), "RMSProp", "momentum");
        ThrowsOutOfRange(() => RMSProp([_p], weight_decay: -0.9), "RMSProp", "weight_decay");
    }

    [Fact]
    public void Parameter_lists_must_be_non_empty_and_without_duplicates()
    {
        FluentActions.Invoking(() => Adam(Array.Empty<Parameter>())).Should().Throw<ArgumentException>().WithMessage("Adam: got an empty parameter list*");
        FluentActions.Invoking(() => SGD(Array.Empty<SGD.ParamGroup>(), 0.1)).Should().Throw<ArgumentException>().WithMessage("SGD: got an empty list of param groups*");
        FluentActions.Invoking(() => SGD([_p, _p], 0.1)).Should().Throw<ArgumentException>().WithMessage("SGD: param group 0 contains parameter 1 more than once*");
        FluentActions.Invoking(() => Adam([new Adam.ParamGroup([_p]), new Adam.ParamGroup([_q, _p])]))
            .Should().Throw<ArgumentException>().WithMessage("Adam: parameter 1 of param group 1 already belongs to another param group*");
    }

    [Fact]
    public void Group_options_are_checked_and_named_by_group()
    {
        var e = FluentActions.Invoking(() => Adam([new Adam.ParamGroup([_p]), new Adam.ParamGroup([_q], beta1: 2.0)]))
            .Should().Throw<ArgumentOutOfRangeException>().Which;
        e.Message.Should().Contain("Adam (param group 1)").And.Contain("beta1");
        FluentActions.Invoking(() => SGD([new SGD.ParamGroup([_p], nesterov: true)], 0.1, momentum: 0.9, dampening: 0.5))
            .Should().Throw<ArgumentException>().WithMessage("SGD (param group 0): nesterov*");
    }

    [Fact]
    public void add_param_group_rejects_another_optimizers_options_and_groups_already_added()
    {
        using var adam = Adam([_p]);
        adam.Invoking(a => a.add_param_group(new SGD.ParamGroup([_q], lr: 0.1)))
            .Should().Throw<ArgumentException>().WithMessage("Adam (param group 1): the group's options are SGD.Options, not Adam.Options*");
        adam.Invoking(a => a.add_param_group(adam.ParamGroups[0])).Should().Throw<ArgumentException>().WithMessage("Adam: this param group was already added to this optimizer*");
        adam.ParamGroups.Should().ContainSingle("a rejected group is not added");
    }

    [Fact]
    public void Invalid_learning_rates_and_options_set_later_are_caught()
    {
        using var sgd = SGD([_p], 0.1);
        sgd.Invoking(s => s.ParamGroups[0].LearningRate = -1).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*LearningRate*");
        ((SGD.Options)sgd.ParamGroups[0].Options).momentum = -1;
        P.Backward(_p, 1.0, 1.0);
        sgd.Invoking(s => s.step()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("SGD (param group 0): momentum*");
        P.Values(_p).Should().Equal(1.0, 2.0);
    }

    [Fact]
    public void A_disposed_parameter_is_rejected()
    {
        var gone = P.Make(1.0);
        gone.Dispose();
        FluentActions.Invoking(() => SGD([gone], 0.1)).Should().Throw<ArgumentException>().WithMessage("SGD: parameter 0 of param group 0 has been disposed*");
    }

    [Fact]
    public void Chainable_schedulers_reject_bad_arguments()
    {
        using var sgd = SGD([_p], 0.1);
        ThrowsOutOfRange(() => StepLR(sgd, step_size: 0), "StepLR", "step_size");
        ThrowsOutOfRange(() => StepLR(sgd, 2, gamma: -0.5), "StepLR", "gamma");
        ThrowsOutOfRange(() => StepLR(sgd, 2, last_epoch: -2), "StepLR", "last_epoch");
        ThrowsOutOfRange(() => MultiStepLR(sgd, [1, 2], gamma: double.NaN), "MultiStepLR", "gamma");
        ThrowsOutOfRange(() => ExponentialLR(sgd, gamma: -1), "ExponentialLR", "gamma");
        FluentActions.Invoking(() => StepLR(null!, 1)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => MultiStepLR(sgd, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Resuming_a_schedule_needs_InitialLearningRate_as_in_PyTorch()
    {
        using var sgd = SGD([_p], 0.1);
        var e = FluentActions.Invoking(() => ExponentialLR(sgd, 0.5, last_epoch: 3)).Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be("last_epoch");
        e.Message.Should().Contain("ExponentialLR").And.Contain("InitialLearningRate");
        sgd.ParamGroups[0].InitialLearningRate = 0.4;
        var s = ExponentialLR(sgd, 0.5, last_epoch: 3);
        s.last_epoch.Should().Be(4);
        sgd.ParamGroups[0].LearningRate.Should().Be(0.05);
    }

    [Fact]
    public void ReduceLROnPlateau_rejects_bad_arguments()
    {
        using var sgd = SGD([new SGD.ParamGroup([_p]), new SGD.ParamGroup([_q])], 0.1);
        FluentActions.Invoking(() => ReduceLROnPlateau(sgd, mode: "minimum")).Should().Throw<ArgumentException>()
            .Where(x => x.ParamName == "mode").WithMessage("ReduceLROnPlateau: mode must be \"min\" or \"max\"*");
        FluentActions.Invoking(() => ReduceLROnPlateau(sgd, threshold_mode: "relative")).Should().Throw<ArgumentException>()
            .Where(x => x.ParamName == "threshold_mode").WithMessage("ReduceLROnPlateau: threshold_mode*");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, factor: 1.0), "ReduceLROnPlateau", "factor");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, patience: -1), "ReduceLROnPlateau", "patience");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, cooldown: -1), "ReduceLROnPlateau", "cooldown");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, threshold: -1e-4), "ReduceLROnPlateau", "threshold");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, min_lr: -1.0), "ReduceLROnPlateau", "min_lr");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, eps: -1.0), "ReduceLROnPlateau", "eps");
        FluentActions.Invoking(() => ReduceLROnPlateau(sgd, min_lr: [0.1])).Should().Throw<ArgumentException>()
            .Where(x => x.ParamName == "min_lr").WithMessage("ReduceLROnPlateau: expected 2 min_lr values (one per param group), got 1*");
        ThrowsOutOfRange(() => ReduceLROnPlateau(sgd, min_lr: [0.1, -0.1]), "ReduceLROnPlateau", "min_lr");
    }
}
