return LossKit.Samples.RegressionSample.Run(args);
