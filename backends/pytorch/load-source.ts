/**
 * load.py: reads a safetensors file into a state_dict with json and torch.frombuffer, for machines without
 * the safetensors package (Debian packages torch but not safetensors). Enough for the files effnet writes
 * (F32 and I64) and for other safetensors files of the common dtypes.
 */
export const loadSource = `"""Reads a safetensors file into a state_dict without the safetensors package.

    from model import ...
    from load import read_safetensors
    model.load_state_dict(read_safetensors('model.safetensors'))

The format: an 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}},
then the raw little-endian data; offsets count from the end of the header.
"""
import json
import sys

import torch

DTYPES = {
    'F64': torch.float64,
    'F32': torch.float32,
    'F16': torch.float16,
    'BF16': torch.bfloat16,
    'I64': torch.int64,
    'I32': torch.int32,
    'I16': torch.int16,
    'I8': torch.int8,
    'U8': torch.uint8,
    'BOOL': torch.bool,
}


def read_safetensors(path):
    """Every tensor of the file, by name; the tensors share one buffer read from the file."""
    if sys.byteorder != 'little':
        raise RuntimeError('read_safetensors maps the little-endian data as it is: it needs a little-endian machine')
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    n = int.from_bytes(data[:8], 'little')
    header = json.loads(data[8:8 + n].decode('utf-8'))
    start = 8 + n
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        dtype = DTYPES[entry['dtype']]
        begin, end = entry['data_offsets']
        count = (end - begin) // torch.empty((), dtype=dtype).element_size()
        if count == 0:
            tensor = torch.empty(entry['shape'], dtype=dtype)
        else:
            tensor = torch.frombuffer(data, dtype=dtype, count=count, offset=start + begin).reshape(entry['shape'])
        tensors[name] = tensor
    return tensors


def read_metadata(path):
    """The file's __metadata__ (effnet writes its spec, variant, weights and class name there)."""
    with open(path, 'rb') as f:
        n = int.from_bytes(f.read(8), 'little')
        return json.loads(f.read(n).decode('utf-8')).get('__metadata__', {})
`;
