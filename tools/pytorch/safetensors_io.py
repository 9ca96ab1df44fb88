"""Minimal safetensors reader/writer (the `safetensors` pip package is not installed here).

Format (huggingface/safetensors):
  - 8 bytes: little-endian u64 N, the length of the JSON header;
  - N bytes: UTF-8 JSON object. Key "__metadata__" (optional) maps str -> str; every other key is a
    tensor name mapping to {"dtype": "F32"|..., "shape": [...], "data_offsets": [begin, end]};
  - the raw little-endian data; offsets are relative to the first byte after the header.
The writer pads the header with spaces so the data starts at a multiple of 8 bytes, and lays the
tensors out in sorted-name order with no gaps (the reader checks both: no overlaps, no holes).

Tensors are exchanged as numpy arrays (torch tensors are accepted by `save_file` and converted).
"""
import json
import struct

import numpy as np

# safetensors dtype string <-> numpy dtype (always little-endian on disk)
_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_NAMES = {dt: name for name, dt in _DTYPES.items()}


class BF16Bits:
    """A bfloat16 tensor for `serialize`, given as its raw 16-bit patterns (numpy has no bfloat16).

    `deserialize` returns BF16 tensors widened to float32 (exact: bfloat16 is float32's top half).
    """

    def __init__(self, bits):
        bits = _to_numpy(bits, "BF16Bits")
        if bits.dtype.itemsize != 2 or bits.dtype.kind not in "iu":
            raise TypeError(f"safetensors: BF16Bits needs 16-bit integer patterns, got {bits.dtype}")
        self.bits = bits.astype("<u2")


def _dtype_name(arr):
    dt = arr.dtype
    if dt.byteorder == ">":  # stored little-endian regardless; the array is converted on write
        dt = dt.newbyteorder("<")
    for name, known in _DTYPES.items():
        if known == dt:
            return name
    raise ValueError(f"safetensors: unsupported dtype {arr.dtype}; supported: {sorted(_DTYPES)}")


def _to_numpy(value, name):
    if hasattr(value, "detach"):  # a torch tensor, without importing torch here
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"safetensors: tensor {name!r} is a {type(value).__name__}, expected an array")
    return value


def serialize(tensors, metadata=None):
    """Encode a dict name -> array (numpy or torch) and an optional dict str -> str as bytes."""
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(f"safetensors: metadata must map str -> str, got {k!r}: {type(v).__name__}")
        header["__metadata__"] = dict(metadata)
    chunks = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("safetensors: '__metadata__' is reserved and cannot name a tensor")
        if isinstance(tensors[name], BF16Bits):
            arr, dtype = tensors[name].bits, "BF16"
            data = np.ascontiguousarray(arr).tobytes()
        else:
            arr = _to_numpy(tensors[name], name)
            dtype = _dtype_name(arr)
            data = np.ascontiguousarray(arr, dtype=_DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": [int(d) for d in arr.shape],
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((-len(hbytes)) % 8)
    return struct.pack("<Q", len(hbytes)) + hbytes + b"".join(chunks)


def save_file(tensors, path, metadata=None):
    """Write `tensors` (name -> array) and `metadata` (str -> str) to `path`."""
    blob = serialize(tensors, metadata)
    with open(path, "wb") as f:
        f.write(blob)


def deserialize(blob, source="<bytes>"):
    """Decode bytes into (dict name -> numpy array, metadata dict). Arrays are writable copies."""
    if len(blob) < 8:
        raise ValueError(f"safetensors: {source}: {len(blob)} bytes, too short for the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"safetensors: {source}: header length {n} exceeds file size {len(blob)}")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"safetensors: {source}: header is not valid UTF-8 JSON: {e}") from e
    if not isinstance(header, dict):
        raise ValueError(f"safetensors: {source}: header must be a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(blob)[8 + n:]
    tensors = {}
    spans = []
    for name, info in header.items():
        dtype = info.get("dtype")
        bf16 = dtype == "BF16"
        if bf16:
            dtype = "I16"  # read the raw patterns, widened below
        if dtype not in _DTYPES:
            raise ValueError(f"safetensors: {source}: tensor {name!r} has unsupported dtype {dtype!r}")
        shape = tuple(int(d) for d in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64))
        want = count * _DTYPES[dtype].itemsize
        if not (0 <= begin <= end <= len(data)) or end - begin != want:
            raise ValueError(f"safetensors: {source}: tensor {name!r} {dtype}{list(shape)} needs {want} bytes "
                             f"but data_offsets are [{begin}, {end}] in a data section of {len(data)} bytes")
        arr = np.frombuffer(data[begin:end], dtype=_DTYPES[dtype], count=count).reshape(shape).copy()
        if bf16:
            arr = (arr.view("<u2").astype("<u4") << 16).view("<f4")
        tensors[name] = arr
        spans.append((begin, end, name))
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin != pos:
            raise ValueError(f"safetensors: {source}: tensor {name!r} starts at {begin}, expected {pos} "
                             "(overlap or hole in the data section)")
        pos = end
    if pos != len(data):
        raise ValueError(f"safetensors: {source}: {len(data) - pos} trailing bytes after the last tensor")
    return tensors, metadata


def load_file(path):
    """Read `path`; returns (dict name -> numpy array, metadata dict str -> str)."""
    with open(path, "rb") as f:
        blob = f.read()
    return deserialize(blob, source=str(path))


def _self_test():
    rng = np.random.default_rng(0)
    tensors = {
        "f32": rng.standard_normal((3, 5)).astype(np.float32),
        "i64": rng.integers(-5, 100, size=(2, 7)).astype(np.int64),
        "i32": rng.integers(-5, 100, size=(4,)).astype(np.int32),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "f64": rng.standard_normal((2, 2)),
    }
    meta = {"config": json.dumps({"a": 1}), "x": "y"}
    blob = serialize(tensors, meta)
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0, n
    back, meta_back = deserialize(blob)
    assert meta_back == meta
    assert set(back) == set(tensors)
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and np.array_equal(back[k], v), k
    # byte-level stability: writing what we read gives identical bytes
    assert serialize(back, meta_back) == blob
    # BF16: written as bit patterns, read back widened to float32 exactly
    vals = np.array([1.0, -2.5, 3.140625, 0.0], dtype=np.float32)
    bits = (vals.view("<u4") >> 16).astype("<u2")
    back, _ = deserialize(serialize({"b": BF16Bits(bits)}))
    assert back["b"].dtype == np.float32 and np.array_equal(back["b"], vals), back["b"]
    print("safetensors_io self-test OK")


if __name__ == "__main__":
    _self_test()
