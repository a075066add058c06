/**
 * The module trains: EfficientNet-B0 at 32x32 with 10 classes (dropout 0.2 before the classifier,
 * drop-connect up to 0.2 on the residual branches) takes five SGD steps on a fixed random batch and its loss
 * goes down. Dropout and drop-connect act in train mode (two forwards with different RNG differ, each of them
 * alone is enough) and not in eval mode (two forwards are identical); drop-connect drops whole samples' branches
 * and scales the survivors by 1 / (1 - p).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileEdited } from '../tfjs/tfjs-helpers.js';
import { hasTorch, lastJson, noTorchReason, runPython, tempDir, writePytorch } from './pytorch-helpers.js';

const SCRIPT = `
torch.set_num_threads(1)
directory = sys.argv[1]
g = torch.Generator().manual_seed(7)
x = torch.randn(8, 3, 32, 32, generator=g)
y = torch.randint(0, 10, (8,), generator=g)
result = {}

# Five SGD steps on one fixed batch, in train mode: the loss before each step, and after the last.
torch.manual_seed(0)
model = build(directory, 'train')
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
losses = []
for step in range(5):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
with torch.no_grad():
    losses.append(torch.nn.functional.cross_entropy(model(x), y).item())
result['losses'] = losses
result['running_mean_moved'] = model.stem.bn.running_mean.abs().max().item()

# Train mode: different RNG, different outputs; eval mode: the same output twice.
model = build(directory, 'modes')
drops = [m for m in model.modules() if type(m).__name__ == 'DropPath']
rates = [m.p for m in drops]


def differ(seed_a, seed_b):
    with torch.no_grad():
        torch.manual_seed(seed_a)
        a = model(x)
        torch.manual_seed(seed_b)
        b = model(x)
    return (a - b).abs().max().item()


model.train()
result['train_both'] = differ(1, 2)
result['train_same_seed'] = differ(3, 3)
for m in drops:
    m.p = 0.0
result['train_dropout_only'] = differ(1, 2)
for m, p in zip(drops, rates):
    m.p = p
model.classifier.top_dropout.p = 0.0
result['train_drop_connect_only'] = differ(1, 2)
model.classifier.top_dropout.p = 0.2
model.eval()
result['eval'] = differ(1, 2)
result['rates'] = rates

# Drop-connect itself: per sample, the whole branch is zero or scaled by 1 / (1 - p).
last = drops[-1]
last.train()
torch.manual_seed(5)
ones = torch.ones(4000, 6, 2, 2)
out = last(ones)
per_sample = out.flatten(1)
result['drop_p'] = last.p
result['drop_values'] = sorted(set(round(v, 5) for v in per_sample.unique().tolist()))
result['drop_whole_samples'] = bool(((per_sample == per_sample[:, :1]).all()).item())
result['drop_fraction'] = (per_sample[:, 0] == 0).float().mean().item()
last.eval()
result['drop_eval_identity'] = bool(torch.equal(last(ones), ones))
print(json.dumps(result))
`;

interface TrainResult {
  losses: number[];
  running_mean_moved: number;
  train_both: number;
  train_same_seed: number;
  train_dropout_only: number;
  train_drop_connect_only: number;
  eval: number;
  rates: number[];
  drop_p: number;
  drop_values: number[];
  drop_whole_samples: boolean;
  drop_fraction: number;
  drop_eval_identity: boolean;
}

const work = tempDir('train');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!hasTorch)('PyTorch training', () => {
  let r: TrainResult;
  beforeAll(async () => {
    const c = compileEdited('efficientnet-b0.effnet', { scaling: { inputSize: 32 } }, (t) => t.replace(/classes\s+1000/, 'classes 10'));
    const dir = await writePytorch(c.graph, path.join(work, 'b0'));
    const run = await runPython(work, 'train.py', SCRIPT, [dir]);
    r = lastJson<TrainResult>(run);
    console.log(`EfficientNet-B0 @32, 10 classes, batch 8, SGD lr 0.01: train-mode losses ${r.losses.map((l) => l.toFixed(4)).join(' -> ')} (${run.seconds.toFixed(1)} s with torch's import)`);
  }, 300_000);

  it('five SGD steps on a fixed batch lower the loss, and BN running statistics move', () => {
    expect(r.losses).toHaveLength(6);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.losses[5]!).toBeLessThan(r.losses[0]!);
    expect(r.running_mean_moved).toBeGreaterThan(0);
  });

  it('dropout and drop-connect act in train mode, each on its own, and not in eval mode', () => {
    // The drop-connect rates are the graph's: 0.2 x i / 16 for block i, on the blocks with a shortcut (block2b, i = 2, is the first).
    expect(r.rates[0]).toBeCloseTo((0.2 * 2) / 16, 12);
    expect(r.rates.at(-1)).toBeCloseTo((0.2 * 14) / 16, 12);
    expect(r.train_both).toBeGreaterThan(1e-3);
    expect(r.train_dropout_only).toBeGreaterThan(1e-3);
    expect(r.train_drop_connect_only).toBeGreaterThan(1e-3);
    expect(r.train_same_seed).toBe(0);
    expect(r.eval).toBe(0);
  });

  it('drop-connect drops whole samples with probability p and scales the rest by 1 / (1 - p)', () => {
    const p = r.drop_p;
    expect(r.drop_whole_samples).toBe(true);
    expect(r.drop_values).toEqual([0, Number((1 / (1 - p)).toFixed(5))]);
    // 4000 samples: within 5 standard deviations of p.
    expect(Math.abs(r.drop_fraction - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / 4000));
    expect(r.drop_eval_identity).toBe(true);
  });
});

describe.skipIf(hasTorch)('PyTorch training', () => {
  it('skip: no Python with torch', () => console.log(`train.test.ts skipped: ${noTorchReason}`));
});
