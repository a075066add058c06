/**
 * The semantics model.py's building blocks promise, checked one by one in torch (the numerics tests check
 * the whole networks): TF "same" pads as an explicit F.pad, max-pool padding that is never the max, average
 * pooling that does not count the padding, effnet's activations, and the spec's BN momentum converted from
 * Keras's decay to PyTorch's weight of the new batch.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../src/pipeline.js';
import { kitchenSink } from './cases.js';
import { hasTorch, lastJson, noTorchReason, runPython, tempDir, writePytorch } from './pytorch-helpers.js';

const SCRIPT = `
import torch.nn.functional as F
cls, _ = load_artifact(sys.argv[1], 'layers')
lib = sys.modules[cls.__module__]
torch.manual_seed(0)
r = {}

# Asymmetric pads (top, left, bottom, right) = (0, 0, 1, 1): an F.pad before a padding-0 conv.
conv = lib.conv2d(3, 4, 3, 2, pads=(0, 0, 1, 1))
x = torch.randn(2, 3, 8, 8)
r['padded_conv_class'] = type(conv).__name__
r['padded_conv'] = (conv(x) - F.conv2d(F.pad(x, (0, 1, 0, 1)), conv.weight, stride=2)).abs().max().item()
r['symmetric_conv_class'] = type(lib.conv2d(3, 4, 3, 1)).__name__
r['symmetric_conv_padding'] = list(lib.conv2d(3, 4, 3, 1).padding)

# Max pool: an all-negative input stays negative at the padded border (zero padding would give 0).
neg = -1.0 - torch.rand(1, 2, 8, 8)
r['maxpool_asym_max'] = lib.MaxPool(3, 2, (0, 0, 1, 1))(neg).max().item()
r['maxpool_sym_max'] = lib.MaxPool(3, 2, (1, 1, 1, 1))(neg).max().item()

# Average pool: a constant input stays constant at the border, with pads of either kind.
ones = torch.ones(1, 2, 8, 8)
r['avgpool_asym'] = [lib.AvgPool(3, 2, (0, 0, 1, 1))(ones).min().item(), lib.AvgPool(3, 2, (0, 0, 1, 1))(ones).max().item()]
r['avgpool_sym'] = [lib.AvgPool(3, 1, (1, 1, 1, 1))(ones).min().item(), lib.AvgPool(3, 1, (1, 1, 1, 1))(ones).max().item()]
# And a random one: each window's mean over the pixels inside the input.
z = torch.randn(1, 1, 4, 4)
got = lib.AvgPool(3, 2, (0, 0, 1, 1))(z)[0, 0]
want = torch.tensor([[z[0, 0, 2*i:2*i+3, 2*j:2*j+3].mean().item() for j in range(2)] for i in range(2)])
r['avgpool_random'] = (got - want).abs().max().item()

# Activations as effnet defines them.
t = torch.linspace(-8, 8, 321)
relu6 = lambda v: v.clamp(0, 6)
defs = {'swish': t * torch.sigmoid(t), 'hard_sigmoid': relu6(t + 3) / 6, 'hard_swish': t * relu6(t + 3) / 6, 'relu6': relu6(t), 'relu': t.clamp(min=0), 'sigmoid': torch.sigmoid(t), 'none': t}
r['activations'] = {k: (lib.activation(k)(t) - v).abs().max().item() for k, v in defs.items()}

# Batch norm: the spec's momentum 0.9 (Keras: running = 0.9 running + 0.1 batch) is PyTorch's 0.1.
bn = lib.batch_norm(2)
bn.train()
b = torch.randn(16, 2, 4, 4) + 3
bn(b)
r['bn_eps'] = bn.eps
r['bn_momentum'] = bn.momentum
r['bn_running_mean'] = (bn.running_mean - 0.1 * b.mean((0, 2, 3))).abs().max().item()
print(json.dumps(r))
`;

interface LayerResult {
  padded_conv_class: string;
  padded_conv: number;
  symmetric_conv_class: string;
  symmetric_conv_padding: number[];
  maxpool_asym_max: number;
  maxpool_sym_max: number;
  avgpool_asym: number[];
  avgpool_sym: number[];
  avgpool_random: number;
  activations: Record<string, number>;
  bn_eps: number;
  bn_momentum: number;
  bn_running_mean: number;
}

const work = tempDir('layers');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!hasTorch)("model.py's building blocks", () => {
  let r: LayerResult;
  beforeAll(async () => {
    const c = compile('kitchen-sink.effnet', kitchenSink('same', true));
    const dir = await writePytorch(c.graph!, path.join(work, 'sink'));
    r = lastJson<LayerResult>(await runPython(work, 'layers.py', SCRIPT, [dir]));
  }, 300_000);

  it('TF "same" pads are an F.pad before a padding-0 conv; symmetric pads are the conv\'s own', () => {
    expect(r.padded_conv_class).toBe('PaddedConv2d');
    expect(r.padded_conv).toBeLessThan(1e-6);
    expect(r.symmetric_conv_class).toBe('Conv2d');
    expect(r.symmetric_conv_padding).toEqual([1, 1]);
  });

  it('max-pool padding is never the max; average pooling does not count the padding', () => {
    expect(r.maxpool_asym_max).toBeLessThan(-1);
    expect(r.maxpool_sym_max).toBeLessThan(-1);
    expect(r.avgpool_asym).toEqual([1, 1]);
    expect(r.avgpool_sym).toEqual([1, 1]);
    expect(r.avgpool_random).toBeLessThan(1e-6);
  });

  it("activations are effnet's: swish x*sigmoid(x), hard_sigmoid relu6(x+3)/6, hard_swish x*hard_sigmoid(x)", () => {
    for (const [name, diff] of Object.entries(r.activations)) expect(diff, name).toBeLessThan(1e-6);
    expect(Object.keys(r.activations).sort()).toEqual(['hard_sigmoid', 'hard_swish', 'none', 'relu', 'relu6', 'sigmoid', 'swish']);
  });

  it("BN momentum is converted: the spec's (Keras) 0.9 is PyTorch's 0.1", () => {
    expect(r.bn_eps).toBe(0.001);
    expect(r.bn_momentum).toBe(0.1);
    expect(r.bn_running_mean).toBeLessThan(1e-5);
  });
});

describe.skipIf(hasTorch)("model.py's building blocks", () => {
  it('skip: no Python with torch', () => console.log(`layers.test.ts skipped: ${noTorchReason}`));
});
