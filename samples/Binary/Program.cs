return LossKit.Samples.BinarySample.Run(args);
