"""Trained-looking checkpoints of torchvision models, built here (no downloads), and what torch computes.

Usage: torchvision-fixtures.py OUT_DIR MODEL SIZE [MODEL SIZE ...]

For each model: torchvision's own random initialisation, then non-trivial batch norm (random gamma, beta,
running mean and variance), layer norm (random gamma and beta), ConvNeXt's layer scale (initialised to 1e-6,
which would leave every block out of the sum) and conv biases (initialised to zero), and a classifier scaled
so the logits are of order 1 (a random-init head gives logits near 1e-2, too small for an agreement to mean
much). Writes:
  MODEL.pth            torch.save(model.state_dict())
  MODEL.safetensors    the same tensors as safetensors (a JSON header and raw bytes; no package needed)
  MODEL.input.bin      float32 NCHW [2, 3, SIZE, SIZE], uniform in [-1, 1)
  MODEL.logits.bin     float32 [2, classes]: the model in eval mode on that input
  MODEL.json           {"classes", "size", "maxAbsLogit", "keys": n}
"""
import json
import struct
import sys

import torch
import torchvision


def build(name):
    model = getattr(torchvision.models, name)(weights=None)
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
                m.running_mean.copy_((torch.rand(m.running_mean.shape, generator=g) - 0.5) * 0.2)
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
            elif isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
            elif isinstance(m, torch.nn.Conv2d) and m.bias is not None and not m.bias.any():
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) - 0.5) * 0.2)
        for name, p in model.named_parameters():
            if name.endswith('layer_scale'):
                p.copy_(0.5 + torch.rand(p.shape, generator=g))
    model.eval()
    return model


def write_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for key, t in state.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: 'F32', torch.int64: 'I64', torch.float16: 'F16'}[t.dtype]
        data = t.numpy().tobytes()
        header[key] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header['__metadata__'] = {'format': 'pt', 'made_by': 'effnet test fixture'}
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    out = sys.argv[1]
    args = sys.argv[2:]
    for name, size in zip(args[0::2], args[1::2]):
        size = int(size)
        torch.manual_seed(0)
        model = build(name)
        x = torch.rand(2, 3, size, size, generator=torch.Generator().manual_seed(7)) * 2 - 1
        with torch.no_grad():
            logits = model(x)
            # Logits of order 1: scale the last linear layer.
            last = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
            scale = 3.0 / float(logits.abs().max())
            last.weight.mul_(scale)
            last.bias.mul_(scale)
            logits = model(x)
        state = model.state_dict()
        torch.save(state, f'{out}/{name}.pth')
        write_safetensors(f'{out}/{name}.safetensors', state)
        x.numpy().astype('float32').tofile(f'{out}/{name}.input.bin')
        logits.numpy().astype('float32').tofile(f'{out}/{name}.logits.bin')
        with open(f'{out}/{name}.json', 'w') as f:
            json.dump({'classes': logits.shape[1], 'size': size, 'maxAbsLogit': float(logits.abs().max()), 'keys': len(state)}, f)


if __name__ == '__main__':
    main()
