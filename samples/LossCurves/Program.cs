return LossKit.Samples.LossCurvesSample.Run(args);
