"""Import pretrained weights from a user's local files: a diffusers SD1.5 folder, a transformers AST folder,
Moore-AnimateAnyone checkpoints and AnimateDiff motion modules (importer.py). safetensors_io.py reads/writes
.safetensors; key_mapping.py / motion_modules.py map our names to the published ones; source_config.py reads the
architecture from the tensors; published_layouts.py writes down the published names and shapes.
CLI: /usr/bin/python3 -m musedance_models.weights_import --sd15 DIR [--ast DIR] --out weights.fp16.pt
(a whole pack: python -m musedance_models.pack_build)."""
from .importer import (ComponentReport, ImportResult, Sources, import_component, import_one, import_sd15,
                       import_sources, load_imported, read_config, target_shapes, weights_payload)
from .safetensors_io import SafetensorsError, SafetensorsFile, load_file, save_file
from .tensor_sources import WeightsImportError

__all__ = ["import_sd15", "import_sources", "import_one", "import_component", "read_config", "load_imported",
           "target_shapes", "weights_payload", "ImportResult", "ComponentReport", "Sources",
           "SafetensorsFile", "SafetensorsError", "load_file", "save_file", "WeightsImportError"]
