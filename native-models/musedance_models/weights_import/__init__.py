"""Import pretrained weights from a user's local files: a diffusers SD1.5 folder and a transformers AST folder.
safetensors_io.py reads/writes .safetensors; key_mapping.py maps our names to the published ones.
CLI: /usr/bin/python3 -m musedance_models.weights_import --sd15 DIR [--ast DIR] --out weights.fp16.pt"""
from .importer import ImportResult, import_component, import_sd15, load_imported, target_shapes, weights_payload
from .safetensors_io import SafetensorsError, SafetensorsFile, load_file, save_file
from .tensor_sources import WeightsImportError

__all__ = ["import_sd15", "import_component", "load_imported", "target_shapes", "weights_payload", "ImportResult",
           "SafetensorsFile", "SafetensorsError", "load_file", "save_file", "WeightsImportError"]
