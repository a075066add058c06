/**
 * What quantized weights cost on a trained network, measured end to end (the quantization test and `npm run
 * bench` share it): a small EfficientNet-style spec is compiled to PyTorch, trained for a few epochs on
 * scikit-learn's 8x8 digits (1,797 images: 1,437 to train, 360 held out; upsampled to 32x32 and repeated to
 * three channels, scaled to [-1, 1]), and its weights come back with `--weights model.safetensors`. Then every
 * storage is compiled with the CLI and run on the held-out images: TF.js (wasm in Node) float32, float16, uint16
 * and uint8, and ONNX (onnxruntime-node) float32 and float16. Random weights would say little: what matters is
 * whether the trained decision changes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../../backends/tfjs/runtime/select-backend.js';
import { fileIOHandler } from '../../backends/tfjs/runtime/file-io-handler.js';
import { cli } from '../cli/run-cli.js';
import { lastJson, readF32, runPython, torchLookup } from '../backends/pytorch/pytorch-helpers.js';

export const DIGITS_SPEC = `# A small EfficientNet-style classifier for scikit-learn's 8x8 digits, upsampled to 32x32 RGB.
model digits {
  input       32x32x3
  classes     10
  activation  swish
  norm        batchnorm eps 1e-3 momentum 0.9
  stem conv channels 24 kernel 3 stride 2
  stages {
    mbconv  1  16  3  1  expand 1 se 0.25
    mbconv  2  24  3  2  expand 6 se 0.25
    mbconv  2  48  3  2  expand 6 se 0.25
    mbconv  2  96  3  1  expand 6 se 0.25
  }
  head conv channels 320 kernel 1
  classifier dropout 0.2
}
`;

export const EPOCHS = 4;
export const HELD_OUT = 360;

/** Trains the compiled module (argv: its directory, the output directory, epochs) and writes what Node reads. */
const TRAIN = `
import numpy as np
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)
directory, out, epochs, held_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
started = time.time()
model = build(directory, 'digits')
digits = load_digits()
x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
x = F.interpolate(x, size=(32, 32), mode='bilinear', align_corners=False).repeat(1, 3, 1, 1) * 2 - 1
y = torch.tensor(digits.target)
g = torch.Generator().manual_seed(0)
order = torch.randperm(len(y), generator=g)
test, train = order[:held_out], order[held_out:]
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
batch = 64
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * ((len(train) + batch - 1) // batch))
for epoch in range(epochs):
    model.train()
    shuffled = train[torch.randperm(len(train), generator=g)]
    for i in range(0, len(shuffled), batch):
        b = shuffled[i:i + batch]
        opt.zero_grad()
        F.cross_entropy(model(x[b]), y[b]).backward()
        opt.step()
        sched.step()
model.eval()
with torch.no_grad():
    logits = model(x[test])

# The trained state_dict as safetensors, by hand (Debian has no safetensors package): an 8-byte header length,
# the JSON header, the tensors back to back.
dtypes = {torch.float32: 'F32', torch.int64: 'I64'}
header, blobs, offset = {}, [], 0
for name, t in model.state_dict().items():
    data = t.detach().contiguous().numpy().tobytes()
    header[name] = {'dtype': dtypes[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header).encode()
text += b' ' * (-len(text) % 8)
with open(os.path.join(out, 'trained.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(text)))
    f.write(text)
    for data in blobs:
        f.write(data)
write_f32(os.path.join(out, 'held-out-nhwc.bin'), x[test].permute(0, 2, 3, 1))
write_f32(os.path.join(out, 'held-out-labels.bin'), y[test].float())
write_f32(os.path.join(out, 'torch-logits.bin'), logits)
print(json.dumps({'accuracy': (logits.argmax(1) == y[test]).float().mean().item(), 'seconds': time.time() - started}))
`;

/** Why the pipeline cannot run here (no torch, or no scikit-learn), or undefined. */
export function digitsUnavailable(): string | undefined {
  if (!torchLookup.ok) return torchLookup.why;
  try {
    execFileSync(torchLookup.python.command, ['-c', 'import sklearn'], { stdio: 'ignore' });
  } catch {
    return `${torchLookup.python.command} cannot import sklearn (Debian: apt-get install python3-sklearn)`;
  }
  return undefined;
}

export interface Trained {
  readonly spec: string;
  readonly weights: string;
  /** [HELD_OUT, 32, 32, 3]. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** torch's logits on the held-out images, [HELD_OUT, 10]. */
  readonly torchLogits: Float32Array;
  readonly torchAccuracy: number;
  readonly trainSeconds: number;
}

export async function trainDigits(work: string): Promise<Trained> {
  const spec = path.join(work, 'digits.effnet');
  writeFileSync(spec, DIGITS_SPEC);
  const module = path.join(work, 'pytorch');
  const compiled = await cli('compile', spec, '--target', 'pytorch', '-o', module);
  if (compiled.code !== 0) throw new Error(compiled.stderr);
  const run = await runPython(work, 'train_digits.py', TRAIN, [module, work, String(EPOCHS), String(HELD_OUT)]);
  const r = lastJson<{ accuracy: number; seconds: number }>(run);
  return {
    spec,
    weights: path.join(work, 'trained.safetensors'),
    images: readF32(path.join(work, 'held-out-nhwc.bin')),
    labels: Int32Array.from(readF32(path.join(work, 'held-out-labels.bin'))),
    torchLogits: readF32(path.join(work, 'torch-logits.bin')),
    torchAccuracy: r.accuracy,
    trainSeconds: r.seconds,
  };
}

export type Storage = 'float32' | 'float16' | 'uint16' | 'uint8';

export interface Measured {
  readonly target: 'tfjs' | 'onnx';
  readonly storage: Storage;
  /** The weights' bytes: TF.js shards, or the whole ONNX file. */
  readonly bytes: number;
  readonly logits: Float32Array;
  readonly accuracy: number;
  /** The share of held-out images whose top-1 class is the float32 model's (of the same target). */
  readonly agreement: number;
  /** max |logit - float32 logit| over every held-out logit, over max |float32 logit|. */
  readonly relative: number;
}

const argmax = (logits: Float32Array, row: number, classes: number): number => {
  let best = 0;
  for (let k = 1; k < classes; k++) if (logits[row * classes + k]! > logits[row * classes + best]!) best = k;
  return best;
};

export function accuracyOf(logits: Float32Array, labels: Int32Array): number {
  const classes = logits.length / labels.length;
  return labels.reduce((a, y, i) => a + Number(argmax(logits, i, classes) === y), 0) / labels.length;
}

function against(logits: Float32Array, reference: Float32Array, rows: number): { agreement: number; relative: number } {
  const classes = logits.length / rows;
  let same = 0;
  for (let i = 0; i < rows; i++) same += Number(argmax(logits, i, classes) === argmax(reference, i, classes));
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < logits.length; i++) {
    diff = Math.max(diff, Math.abs(logits[i]! - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return { agreement: same / rows, relative: diff / scale };
}

async function tfjsLogits(dir: string, images: Float32Array): Promise<{ logits: Float32Array; bytes: number }> {
  const { tf } = await selectBackend('wasm');
  const model = await tf.loadLayersModel(fileIOHandler(dir));
  const x = tf.tensor(images, [images.length / (32 * 32 * 3), 32, 32, 3]);
  const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
  const logits = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const bytes = manifest.weightsManifest.flatMap((g) => g.paths).reduce((a, p) => a + statSync(path.join(dir, p)).size, 0);
  return { logits, bytes };
}

async function onnxLogits(file: string, images: Float32Array): Promise<{ logits: Float32Array; bytes: number }> {
  const ort = await import('onnxruntime-node');
  const n = images.length / (32 * 32 * 3);
  const nchw = new Float32Array(images.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) nchw[((b * 3 + c) * 32 + y) * 32 + x] = images[((b * 32 + y) * 32 + x) * 3 + c]!;
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ input: new ort.Tensor('float32', nchw, [n, 3, 32, 32]) });
  await session.release();
  return { logits: out.logits!.data as Float32Array, bytes: statSync(file).size };
}

/** Compiles the trained weights in every storage (extra flags, e.g. --fold-bn, for TF.js) and measures each. */
export async function measureStorages(work: string, trained: Trained, tfjsFlags: readonly string[] = []): Promise<Measured[]> {
  const results: Measured[] = [];
  const rows = trained.labels.length;
  const compileTo = async (target: 'tfjs' | 'onnx', storage: Storage): Promise<string> => {
    const out = path.join(work, `${target}-${storage}${tfjsFlags.join('')}${target === 'onnx' ? '.onnx' : ''}`);
    const flags = [...(storage === 'float32' ? [] : ['--quantize', storage]), ...(target === 'tfjs' ? tfjsFlags : [])];
    const r = await cli('compile', trained.spec, '--weights', trained.weights, '--target', target, ...flags, '-o', out);
    if (r.code !== 0) throw new Error(`compile --target ${target} ${flags.join(' ')}: ${r.stderr}`);
    return out;
  };
  const plan: [('tfjs' | 'onnx'), Storage[]][] = [['tfjs', ['float32', 'float16', 'uint16', 'uint8']], ['onnx', ['float32', 'float16']]];
  for (const [target, storages] of plan) {
    let reference: Float32Array | undefined;
    for (const storage of storages) {
      const out = await compileTo(target, storage);
      const { logits, bytes } = target === 'tfjs' ? await tfjsLogits(out, trained.images) : await onnxLogits(out, trained.images);
      reference ??= logits;
      results.push({ target, storage, bytes, logits, accuracy: accuracyOf(logits, trained.labels), ...against(logits, reference, rows) });
    }
  }
  return results;
}

/** The measurements as a Markdown table, as the README and the bench print it. */
export function formatTable(results: readonly Measured[]): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = ['| target | weights | size | held-out accuracy | top-1 agreement with float32 | max logit error / max logit |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    lines.push(`| ${r.target === 'tfjs' ? 'TF.js' : 'ONNX'} | ${r.storage} | ${(r.bytes / 1024).toFixed(0)} KiB | ${pct(r.accuracy)} | ${r.storage === 'float32' ? '—' : pct(r.agreement)} | ${r.storage === 'float32' ? '—' : r.relative.toExponential(1)} |`);
  }
  return lines;
}
