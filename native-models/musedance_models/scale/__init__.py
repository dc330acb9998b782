"""Training at scale (issue 12): DistributedDataParallel under torchrun, mixed precision, gradient
checkpointing, LoRA adapters, memory/time estimate. Hooks into the training entry point are small and optional."""
