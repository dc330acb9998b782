"""Dataset format (../../DATASET.md): synthetic generator and loader."""
