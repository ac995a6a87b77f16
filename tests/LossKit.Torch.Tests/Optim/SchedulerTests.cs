using LossKit.Torch.Modules;
using static LossKit.Torch.torch.optim;
using static LossKit.Torch.torch.optim.lr_scheduler;

namespace LossKit.Torch.Tests.Optim;

/// <summary>Learning-rate schedules worked out by hand, on optimizers with several groups.</summary>
public class SchedulerTests
{
    private static (Parameter[] ps, SGD sgd) TwoGroups(double lr0, double lr1)
    {
        Parameter[] ps = [P.Make(0.0), P.Make(0.0)];
        return (ps, SGD([new SGD.ParamGroup([ps[0]], lr: lr0), new SGD.ParamGroup([ps[1]], lr: lr1)], learningRate: lr0));
    }

    private static void Release((Parameter[] ps, SGD sgd) setup)
    {
        setup.sgd.Dispose();
        foreach (var p in setup.ps) p.Dispose();
    }

    private static List<double[]> Run(SGD sgd, LRScheduler scheduler, int epochs)
    {
        var lrs = new List<double[]> { sgd.ParamGroups.Select(g => g.LearningRate).ToArray() };
        for (var e = 0; e < epochs; e++)
        {
            sgd.step();
            scheduler.step();
            lrs.Add(sgd.ParamGroups.Select(g => g.LearningRate).ToArray());
        }
        return lrs;
    }

    [Fact]
    public void StepLR_halves_every_group_every_two_epochs()
    {
        var setup = TwoGroups(1.0, 0.5);
        try
        {
            var s = StepLR(setup.sgd, step_size: 2, gamma: 0.5);
            s.last_epoch.Should().Be(0, "creating it takes the initial step from -1 to 0");
            var lrs = Run(setup.sgd, s, 6);
            // epoch:      0    1    2     3     4      5      6
            // group 0:    1    1    0.5   0.5   0.25   0.25   0.125
            lrs.Select(l => l[0]).Should().Equal(1, 1, 0.5, 0.5, 0.25, 0.25, 0.125);
            lrs.Select(l => l[1]).Should().Equal(0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625);
            s.get_last_lr().Should().Equal(0.125, 0.0625);
            s.last_epoch.Should().Be(6);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void MultiStepLR_decays_at_the_milestones_only()
    {
        var setup = TwoGroups(1.0, 0.1);
        try
        {
            var s = MultiStepLR(setup.sgd, [2, 4], gamma: 0.5);
            s.milestones.Should().Equal(2, 4);
            Run(setup.sgd, s, 5).Select(l => l[0]).Should().Equal(1, 1, 0.5, 0.5, 0.25, 0.25);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void ExponentialLR_multiplies_the_current_rate_so_it_composes_with_manual_changes()
    {
        var setup = TwoGroups(1.0, 0.1);
        try
        {
            var s = ExponentialLR(setup.sgd, gamma: 0.5);
            setup.sgd.step();
            s.step();                                          // 0.5
            setup.sgd.ParamGroups[0].LearningRate = 4.0;       // set by hand
            s.step();                                          // chainable: 4·0.5 = 2 (a closed form would give 0.25)
            setup.sgd.ParamGroups.Select(g => g.LearningRate).Should().Equal(2.0, 0.025);
            s.get_last_lr().Should().Equal(2.0, 0.025);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void Two_schedulers_on_one_optimizer_compose()
    {
        var setup = TwoGroups(1.0, 1.0);
        try
        {
            var step = StepLR(setup.sgd, step_size: 2, gamma: 0.1);
            var exp = ExponentialLR(setup.sgd, gamma: 0.5);
            var lrs = new List<double>();
            for (var e = 0; e < 4; e++)
            {
                step.step();
                exp.step();
                lrs.Add(setup.sgd.ParamGroups[0].LearningRate);
            }
            // epoch 1: ×0.5 = 0.5; epoch 2: ×0.1×0.5 = 0.025; epoch 3: ×0.5 = 0.0125; epoch 4: ×0.1×0.5 = 0.000625
            lrs.Should().Equal(1.0 * 0.5, 1.0 * 0.5 * 0.1 * 0.5, 1.0 * 0.5 * 0.1 * 0.5 * 0.5, 1.0 * 0.5 * 0.1 * 0.5 * 0.5 * 0.1 * 0.5);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void ReduceLROnPlateau_waits_patience_epochs_then_reduces_every_group()
    {
        var setup = TwoGroups(1.0, 0.1);
        try
        {
            var s = ReduceLROnPlateau(setup.sgd, patience: 2, factor: 0.5);
            s.get_last_lr().Should().Equal(1.0, 0.1);
            // metric:         1.0 (best)  1.0 (bad 1)  1.0 (bad 2)  1.0 (bad 3 > 2: reduce, reset)  0.5 (best)
            double[] metrics = [1.0, 1.0, 1.0, 1.0, 0.5];
            int[] bad = [0, 1, 2, 0, 0];
            double[] lr0 = [1.0, 1.0, 1.0, 0.5, 0.5];
            for (var i = 0; i < metrics.Length; i++)
            {
                s.step(metrics[i]);
                s.num_bad_epochs.Should().Be(bad[i]);
                setup.sgd.ParamGroups[0].LearningRate.Should().Be(lr0[i]);
            }
            setup.sgd.ParamGroups[1].LearningRate.Should().Be(0.05);
            s.best.Should().Be(0.5);
            s.last_epoch.Should().Be(5);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void ReduceLROnPlateau_respects_min_lr_per_group_and_cooldown()
    {
        var setup = TwoGroups(1.0, 0.1);
        try
        {
            var s = ReduceLROnPlateau(setup.sgd, min_lr: [0.3, 0.0], patience: 0, factor: 0.5, cooldown: 1);
            s.step(1.0);                 // best
            s.step(1.0);                 // bad 1 > 0: reduce to 0.5 / 0.05, cooldown 1
            s.in_cooldown.Should().BeTrue();
            s.step(1.0);                 // in cooldown: counter 0, bad epochs ignored
            s.in_cooldown.Should().BeFalse();
            s.step(1.0);                 // reduce: max(0.25, 0.3) = 0.3 / 0.025
            s.get_last_lr().Should().Equal(0.3, 0.025);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void Chainable_schedulers_ignore_a_metric_and_ReduceLROnPlateau_needs_one()
    {
        var setup = TwoGroups(1.0, 0.1);
        try
        {
            LRScheduler exp = ExponentialLR(setup.sgd, gamma: 0.5);
            exp.step(123.0);
            setup.sgd.ParamGroups[0].LearningRate.Should().Be(0.5);
            LRScheduler plateau = ReduceLROnPlateau(setup.sgd);
            plateau.Invoking(p => p.step()).Should().Throw<InvalidOperationException>().WithMessage("*ReduceLROnPlateau*step(metric)*");
            plateau.step(1.0);
            plateau.last_epoch.Should().Be(1);
        }
        finally { Release(setup); }
    }

    [Fact]
    public void get_last_lr_returns_a_copy()
    {
        var setup = TwoGroups(1.0, 0.1);
        try
        {
            var s = StepLR(setup.sgd, 1, 0.5);
            var last = s.get_last_lr();
            setup.sgd.step();
            s.step();
            last.Should().Equal(1.0, 0.1);
            s.get_last_lr().Should().Equal(0.5, 0.05);
        }
        finally { Release(setup); }
    }
}
