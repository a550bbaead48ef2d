// Each test class loads the 90 MB model and runs ONNX on every core: one class at a time keeps a 2-core machine usable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
