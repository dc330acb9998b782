"""A small reader/writer for the `.safetensors` format (no Python package for it is installed here).

Layout: 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON
`{name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {str: str}}`;
then the raw little-endian tensor bytes, offsets relative to the end of the header.
Tensors are read one at a time from a memory map, so a 3.4 GB UNet file never has to fit in memory twice.
"""
import json
import mmap
import os
import struct
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch

MAX_HEADER_BYTES = 100 * 1024 * 1024

# safetensors dtype -> (torch dtype, bytes per element)
DTYPES: Dict[str, Tuple[torch.dtype, int]] = {
    "F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8), "I32": (torch.int32, 4), "I16": (torch.int16, 2), "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1),
}
TORCH_TO_SAFETENSORS = {torch_dtype: name for name, (torch_dtype, _) in DTYPES.items()}
# numpy views of the raw bytes (bf16 has no numpy type: read as int16, then reinterpret in torch)
_NUMPY_FOR = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<i2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
              "I8": "i1", "U8": "u1", "BOOL": "?"}


class SafetensorsError(ValueError):
    """The file is not a valid safetensors file (the message says where it breaks)."""


class SafetensorsFile:
    """Open with `with SafetensorsFile(path) as f: f.keys(); f.get(name) -> torch.Tensor`."""

    def __init__(self, path: str):
        self.path = path
        try:
            self._handle = open(path, "rb")
        except OSError as err:
            raise SafetensorsError(f"cannot open {path}: {err.strerror}") from err
        try:
            self.header, self.metadata, self._data_start = _read_header(self._handle, path)
            size = os.fstat(self._handle.fileno()).st_size
            self._map = mmap.mmap(self._handle.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        except Exception:
            self._handle.close()
            raise

    def keys(self) -> List[str]:
        return list(self.header)

    def shape(self, name: str) -> Tuple[int, ...]:
        return tuple(self.header[name]["shape"])

    def get(self, name: str) -> torch.Tensor:
        """A tensor that owns its memory (a copy of the mapped bytes)."""
        info = self.header[name]
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        array = np.frombuffer(self._map, dtype=_NUMPY_FOR[info["dtype"]], count=count,
                              offset=self._data_start + begin) if count else np.zeros(0, _NUMPY_FOR[info["dtype"]])
        tensor = torch.from_numpy(array.copy()).reshape(info["shape"])
        if info["dtype"] == "BF16":
            tensor = tensor.view(torch.bfloat16)
        return tensor

    def items(self) -> Iterator[Tuple[str, torch.Tensor]]:
        for name in self.header:
            yield name, self.get(name)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _read_header(handle, path: str):
    prefix = handle.read(8)
    if len(prefix) != 8:
        raise SafetensorsError(f"{path}: file is shorter than the 8-byte header length")
    (header_len,) = struct.unpack("<Q", prefix)
    file_size = os.fstat(handle.fileno()).st_size
    if header_len > MAX_HEADER_BYTES or 8 + header_len > file_size:
        raise SafetensorsError(f"{path}: header length {header_len} does not fit the file ({file_size} bytes)")
    try:
        header = json.loads(handle.read(header_len).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SafetensorsError(f"{path}: header is not UTF-8 JSON: {err}") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header must be a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    data_start = 8 + header_len
    data_size = file_size - data_start
    for name, info in header.items():
        if not (isinstance(info, dict) and info.get("dtype") in DTYPES and isinstance(info.get("shape"), list)
                and all(isinstance(d, int) and d >= 0 for d in info["shape"])
                and isinstance(info.get("data_offsets"), list) and len(info["data_offsets"]) == 2):
            raise SafetensorsError(f"{path}: tensor {name!r} has a malformed entry")
        begin, end = info["data_offsets"]
        expected = int(np.prod(info["shape"], dtype=np.int64)) * DTYPES[info["dtype"]][1]
        if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= data_size):
            raise SafetensorsError(f"{path}: tensor {name!r} lies outside the file")
        if end - begin != expected:
            raise SafetensorsError(f"{path}: tensor {name!r} has {end - begin} bytes, its shape needs {expected}")
    return header, metadata, data_start


def load_file(path: str) -> Dict[str, torch.Tensor]:
    with SafetensorsFile(path) as handle:
        return dict(handle.items())


def save_file(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    """Write tensors (any device/layout; stored contiguous, little-endian) in safetensors format."""
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    blobs = []
    for name, tensor in tensors.items():
        if tensor.dtype not in TORCH_TO_SAFETENSORS:
            raise SafetensorsError(f"cannot store dtype {tensor.dtype} of {name!r} in safetensors")
        data = tensor.detach().cpu().contiguous()
        if data.dtype == torch.bfloat16:
            raw = data.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = data.numpy().astype(data.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": TORCH_TO_SAFETENSORS[data.dtype], "shape": list(data.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # align the data section to 8 bytes, as the reference writer does
    temp = path + ".tmp"
    with open(temp, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for raw in blobs:
            handle.write(raw)
    os.replace(temp, path)
