"""MuseDance in PyTorch: models, schedulers, synthetic data, training, ONNX export (see ../PACK.md)."""
