"""Writes the torch.save fixtures of test/checkpoint/pytorch-zip.test.ts into the directory argv[1], with
expected.json: for each file, its tensors in order as torch.load gives them (dtype, shape, values as float32
or ints), so the test compares against PyTorch itself. Run by the test with Debian's /usr/bin/python3."""
import argparse
import base64
import collections
import copy
import io
import json
import os
import pickle
import sys
import zipfile

import torch
import torch.nn as nn

out = sys.argv[1]
marker = sys.argv[2]
torch.manual_seed(0)

dtypes = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
          torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}


def describe(sd):
    tensors = []
    for name, t in sd.items():
        if not isinstance(t, torch.Tensor):
            continue
        floating = t.dtype.is_floating_point
        values = (t.float() if floating else t.long()).flatten().tolist()
        tensors.append({'name': name, 'dtype': dtypes[t.dtype], 'shape': list(t.shape), 'values': values,
                        'contiguous': t.is_contiguous()})
    return tensors


model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))
with torch.no_grad():
    model[1].running_mean.uniform_(-1, 1)
    model[1].running_var.uniform_(0.5, 2)
model[1].num_batches_tracked += 7
sd = model.state_dict()
sd['extra.half'] = torch.randn(2, 3).half()
sd['extra.bf16'] = torch.randn(5).bfloat16()
sd['extra.f64'] = torch.randn(3, dtype=torch.float64)
sd['extra.int32'] = torch.arange(4, dtype=torch.int32)
sd['extra.transposed'] = torch.randn(3, 5).t()            # stride (1, 5): a non-contiguous view
base = torch.randn(12)
sd['extra.view_a'] = base[:6].view(2, 3)                   # two views of one storage
sd['extra.view_b'] = base[6:]                              # ... the second at offset 6
sd['extra.expanded'] = torch.randn(3, 1).expand(3, 4)      # stride 0
sd['extra.sliced'] = torch.randn(4, 6)[1:3, ::2]           # offset 6, stride (6, 2)
sd['extra.scalar'] = torch.tensor(2.5)
sd['extra.empty'] = torch.zeros(0, 3)
sd['extra.transposed_half'] = torch.randn(2, 3).half().t()

expected = {}


def save(name, obj, tensors, wrapper=None, **kwargs):
    torch.save(obj, os.path.join(out, name), **kwargs)
    expected[name] = {'tensors': describe(tensors), 'wrapper': wrapper}


save('state-dict.pt', sd, sd)
save('state-dict-protocol4.pt', sd, sd, pickle_protocol=4)
# An optimizer state (a dict of tensors under int keys, param_groups of plain data) from a copy of the model,
# so the model's own state_dict stays as it was.
trained = copy.deepcopy(model).eval()
optimizer = torch.optim.SGD(trained.parameters(), lr=0.1, momentum=0.9)
trained(torch.randn(1, 3, 3, 3)).sum().backward()
optimizer.step()
save('wrapped-state_dict.pt', {'epoch': 3, 'arch': 'tiny', 'state_dict': sd, 'optimizer': optimizer.state_dict()}, sd, 'state_dict')
save('wrapped-model.pt', {'model': sd, 'lr': 0.1, 'best': None}, sd, 'model')
save('wrapped-model_state_dict.pt', {'model_state_dict': sd, 'step': 10}, sd, 'model_state_dict')
save('wrapped-ema.pt', {'ema': sd, 'updates': 5}, sd, 'ema')
parallel = nn.DataParallel(model).state_dict()
save('dataparallel.pt', parallel, parallel)
params = {'weight': nn.Parameter(torch.randn(2, 2)), 'bias': nn.Parameter(torch.randn(2), requires_grad=False)}
save('parameters.pt', params, params)
torch.save(sd, os.path.join(out, 'legacy.pt'), _use_new_zipfile_serialization=False)
torch.save({'big': torch.randn(1000, 1000), 'small': torch.randn(3)}, os.path.join(out, 'big.pt'))

# Files that must be refused.
torch.save({'state_dict': sd, 'args': argparse.Namespace(lr=0.1)}, os.path.join(out, 'namespace.pt'))
torch.save({'state_dict': sd, 'counts': collections.Counter('aab')}, os.path.join(out, 'counter.pt'))
torch.save(model, os.path.join(out, 'whole-module.pt'))


class Payload:
    def __reduce__(self):
        return (os.system, ('touch ' + marker,))


with zipfile.ZipFile(os.path.join(out, 'payload.pt'), 'w') as z:
    z.writestr('archive/data.pkl', pickle.dumps({'w': Payload()}, protocol=2))
    z.writestr('archive/version', '3\n')

# The same archive re-zipped with DEFLATE, as a zip tool might.
with zipfile.ZipFile(os.path.join(out, 'state-dict.pt')) as src, zipfile.ZipFile(os.path.join(out, 'deflated.pt'), 'w', zipfile.ZIP_DEFLATED) as dst:
    for info in src.infolist():
        dst.writestr(info.filename, src.read(info.filename))
expected['deflated.pt'] = expected['state-dict.pt']

# The entries of state-dict.pt, for the test to rebuild damaged variants of.
with zipfile.ZipFile(os.path.join(out, 'state-dict.pt')) as z:
    entries = [[i.filename, base64.b64encode(z.read(i.filename)).decode()] for i in z.infolist()]
# torch.save numbers storages '0', '1', ... in the order tensors first use them; the test needs the key of one.
keys = {}
storage_keys = {name: keys.setdefault(t.storage().data_ptr() if t.numel() else id(t), str(len(keys))) for name, t in sd.items()}
json.dump({'files': expected, 'entries': entries, 'storageKeys': storage_keys, 'torch': torch.__version__},
          open(os.path.join(out, 'expected.json'), 'w'))
