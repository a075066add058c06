/**
 * Train in PyTorch, ship as ONNX and TF.js: a small spec's emitted module takes a few SGD steps in train mode
 * (dropout and drop-connect active; batch norm's running statistics moving at PyTorch momentum 0.5, so that
 * eval mode follows what training learnt), its state_dict is saved with torch.save and as safetensors, and
 * `effnet compile --weights` turns each into ONNX and TF.js that give torch's eval-mode logits by the
 * agreement rule, on logits of order 1. The seeded model's ONNX does not: the weights are the trained ones.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../../backends/agreement.js';
import { fileIOHandler } from '../../../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../../../backends/tfjs/runtime/select-backend.js';
import { cli } from '../../cli/run-cli.js';
import { hasTorch, lastJson, noTorchReason, readF32, runPython, tempDir } from './pytorch-helpers.js';

const SPEC = `model small {
  input         24x24x3
  classes       5
  activation    swish
  norm          batchnorm eps 1e-3 momentum 0.5
  drop_connect  0.2
  stem conv channels 8 kernel 3 stride 2
  stages {
    mbconv  1  8   3  1  expand 1 se 0.25
    mbconv  2  16  3  2  expand 4 se 0.25
    mbconv  1  24  5  2  expand 4 se 0.25
  }
  head conv channels 32 kernel 1
  classifier dropout 0.2
}
`;
const BATCH = 4;
const STEPS = 8;

const SCRIPT = `
torch.set_num_threads(1)
directory, out = sys.argv[1:3]


def write_safetensors(path, state):
    """The safetensors layout (Debian has no safetensors package): a JSON header, then the raw tensors."""
    header, blobs, offset = {}, [], 0
    names = {torch.float32: 'F32', torch.int64: 'I64'}
    for key, tensor in state.items():
        data = tensor.detach().contiguous().numpy().tobytes()
        header[key] = {'dtype': names[tensor.dtype], 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


torch.manual_seed(0)
model = build(directory, 'roundtrip')
g = torch.Generator().manual_seed(3)
x = torch.randn(${BATCH * 4}, 3, 24, 24, generator=g)
y = torch.randint(0, 5, (${BATCH * 4},), generator=g)
opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
model.train()
losses = []
for step in range(${STEPS}):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
state = model.state_dict()
torch.save(state, os.path.join(out, 'trained.pt'))
write_safetensors(os.path.join(out, 'trained.safetensors'), state)
model.eval()
probe = torch.randn(${BATCH}, 3, 24, 24, generator=g)
with torch.no_grad():
    logits = model(probe)
write_f32(os.path.join(out, 'probe.bin'), probe)
write_f32(os.path.join(out, 'logits.bin'), logits)
moved = max((m.running_var - 1).abs().max().item() for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
print(json.dumps({'losses': losses, 'bn_var_moved': moved}))
`;

/** NCHW [n, c, h, w] to NHWC, for TF.js. */
function toNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[((b * h + i) * w + j) * c + k] = x[((b * c + k) * h + i) * w + j]!;
  return out;
}

const work = tempDir('roundtrip');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!hasTorch)('trained in PyTorch, compiled with --weights to ONNX and TF.js', () => {
  let probe: Float32Array;
  let want: Float32Array;
  const spec = path.join(work, 'small.effnet');

  /** The network before training, for contrast. */
  const seededLogits = async () => {
    const file = path.join(work, 'seeded.onnx');
    expect((await cli('compile', spec, '-o', file)).code).toBe(0);
    const session = await ort.InferenceSession.create(file);
    const y = (await session.run({ input: new ort.Tensor('float32', probe, [BATCH, 3, 24, 24]) })).logits!.data as Float32Array;
    await session.release();
    return y;
  };

  beforeAll(async () => {
    writeFileSync(spec, SPEC);
    const emitted = await cli('compile', spec, '--target', 'pytorch', '-o', path.join(work, 'module'));
    expect(emitted.code, emitted.stderr).toBe(0);
    const run = await runPython(work, 'train.py', SCRIPT, [path.join(work, 'module'), work]);
    const r = lastJson<{ losses: number[]; bn_var_moved: number }>(run);
    console.log(`round trip: ${STEPS} SGD steps (lr 0.2, momentum 0.9, batch ${BATCH * 4}) in train mode, losses ${r.losses.map((l) => l.toFixed(4)).join(' -> ')}; BN running_var moved up to ${r.bn_var_moved.toFixed(3)} from 1`);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
    // Running statistics that moved: BN folding and the TF.js BatchNormalization layers have real work to do.
    expect(r.bn_var_moved).toBeGreaterThan(0.01);
    probe = readF32(path.join(work, 'probe.bin'));
    want = readF32(path.join(work, 'logits.bin'));
    await selectBackend('wasm');
  }, 300_000);

  it.each([['torch.save', 'trained.pt'], ['safetensors', 'trained.safetensors']])('%s checkpoint: ONNX and TF.js give torch\'s logits', async (_format, name) => {
    // Order 1, so a relative tolerance of 1e-4 is a real test, not two near-zero vectors agreeing.
    const scale = Math.max(...Array.from(want, Math.abs));
    expect(scale).toBeGreaterThan(0.5);
    expect(scale).toBeLessThan(100);
    const out = path.join(work, `out-${name}`);
    const built = await cli('compile', spec, '--weights', path.join(work, name), '--target', 'all', '-o', out);
    expect(built.code, built.stderr).toBe(0);

    const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'));
    const onnx = (await session.run({ input: new ort.Tensor('float32', probe, [BATCH, 3, 24, 24]) })).logits!.data as Float32Array;
    await session.release();

    const model = await tf.loadLayersModel(fileIOHandler(path.join(out, 'tfjs')));
    const xt = tf.tensor(toNhwc(probe, BATCH, 3, 24, 24), [BATCH, 24, 24, 3]);
    const yt = model.predict(xt) as tf.Tensor;
    const tfjs = (await yt.data()) as Float32Array;
    tf.dispose([xt, yt]);
    model.dispose();

    for (const [runtime, got] of [['ONNX (onnxruntime-node)', onnx], ['TF.js (wasm)', tfjs], ['ONNX of the seeded weights', await seededLogits()]] as const) {
      const a = compareOutputs(got, want, 'cpu');
      console.log(`round trip, ${name} -> ${runtime}: ${a.summary}`);
      expect(a.evidence, runtime).toBe(true);
      expect(a.ok, `${runtime}: ${a.summary}`).toBe(!runtime.includes('seeded'));
    }
  });
});

describe.skipIf(hasTorch)('PyTorch round trip', () => {
  it('skip: no Python with torch', () => console.log(`roundtrip.test.ts skipped: ${noTorchReason}`));
});
