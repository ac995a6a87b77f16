return LossKit.Samples.CtcSample.Run(args);
