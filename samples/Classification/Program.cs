return LossKit.Samples.ClassificationSample.Run(args);
