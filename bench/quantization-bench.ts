/**
 * Quantized weights (`npm run bench`, not a test):
 *  1. EfficientNet-B0 @224 sizes: TF.js weight shards per --quantize mode, the ONNX file float32 and float16.
 *  2. What each storage costs on a trained network: the digits classifier of test/quantization/ (trained through
 *     the PyTorch backend on scikit-learn's digits, 360 held-out images), held-out accuracy, top-1 agreement with
 *     float32 and the largest logit error, TF.js (BN kept, and --fold-bn) and ONNX. Skipped without torch and
 *     scikit-learn.
 *  3. Load and predict time of B0's quantized models against float32 in the same run, interleaved: TF.js
 *     (wasm) tf.loadLayersModel, which dequantizes, and onnxruntime-node session creation, which folds the
 *     float16 Casts, then batch-1 latency, which should not change (both compute in float32).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Artifact } from '../backends/backend.js';
import { onnxBackend } from '../backends/onnx/onnx-backend.js';
import { fileIOHandler } from '../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../backends/tfjs/runtime/select-backend.js';
import { emitTfjs } from '../backends/tfjs/tfjs-backend.js';
import type { QuantizationMode } from '../backends/tfjs/quantize.js';
import { writeArtifact } from '../src/cli/output/write-artifact.js';
import { compile } from '../src/pipeline.js';
import { digitsUnavailable, formatTable, measureStorages, trainDigits } from '../test/quantization/digits-pipeline.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const b0Spec = path.join(repoRoot, 'specs', 'efficientnet-b0.effnet');

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The median of three runs of `f`, in ms. */
async function timed(f: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    await f();
    ms.push(performance.now() - s);
  }
  return median(ms);
}
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const weightBytes = (a: Artifact) => a.files.filter((f) => f.path.endsWith('.bin') || f.path === '').reduce((s, f) => s + [...f.chunks()].reduce((t, c) => t + c.byteLength, 0), 0);

export async function runQuantizationBench(): Promise<string[]> {
  const lines = ['Quantized weights'];
  const work = mkdtempSync(path.join(tmpdir(), 'effnet-quantize-bench-'));
  try {
    const graph = compile(b0Spec, readFileSync(b0Spec)).graph!;
    const modes: (QuantizationMode | 'float32')[] = ['float32', 'float16', 'uint16', 'uint8'];
    // Random BN statistics, so that the B0 models compute something of order 1 (the timing does not care).
    const common = { seed: 0, weights: 'random' as const, randomBatchNorm: true };
    const tfjsDirs = new Map<string, string>();
    const sizes: string[] = [];
    for (const mode of modes) {
      const artifact = emitTfjs(graph, { ...common, ...(mode === 'float32' ? {} : { quantize: [{ mode }] }) });
      sizes.push(`${mode} ${mb(weightBytes(artifact))}`);
      const dir = path.join(work, `b0-${mode}`);
      await writeArtifact(emitTfjs(graph, { ...common, ...(mode === 'float32' ? {} : { quantize: [{ mode }] }) }), dir);
      tfjsDirs.set(mode, dir);
    }
    const onnxFiles = new Map<string, string>();
    const onnxSizes: string[] = [];
    for (const float16 of [false, true]) {
      const artifact = onnxBackend.emit(graph, { ...common, float16 });
      onnxSizes.push(`${float16 ? 'float16' : 'float32'} ${mb(weightBytes(artifact))}`);
      const file = path.join(work, `b0-${float16 ? 'float16' : 'float32'}.onnx`);
      await writeArtifact(onnxBackend.emit(graph, { ...common, float16 }), file);
      onnxFiles.set(float16 ? 'float16' : 'float32', file);
    }
    lines.push(`  EfficientNet-B0 @224 sizes: TF.js weight shards ${sizes.join(', ')}; ONNX file ${onnxSizes.join(', ')}`);

    const why = digitsUnavailable();
    if (why) lines.push(`  (trained digits classifier skipped: ${why})`);
    else {
      const trained = await trainDigits(work);
      const kept = await measureStorages(work, trained);
      const folded = (await measureStorages(work, trained, ['--fold-bn'])).filter((r) => r.target === 'tfjs');
      lines.push(`  Digits classifier (305 k params, trained ${trained.trainSeconds.toFixed(0)} s in torch; ${trained.labels.length} held-out images), BN kept:`);
      lines.push(...formatTable(kept).map((l) => `    ${l}`));
      lines.push('  The same, TF.js --fold-bn (BN folded into the convolutions before quantizing):');
      lines.push(...formatTable(folded).map((l) => `    ${l}`));
    }

    // Load and predict, interleaved so that the shared machine's drift hits every variant alike.
    const { tf } = await selectBackend('wasm');
    const ort = await import('onnxruntime-node');
    const [h, w, c] = graph.nodes[0]!.shape as [number, number, number];
    const x = tf.tensor(new Float32Array(h * w * c).map((_, i) => Math.sin(i) * 0.5), [1, h, w, c]);
    const nchw = new ort.Tensor('float32', new Float32Array(h * w * c).map((_, i) => Math.cos(i) * 0.5), [1, c, h, w]);
    const runs = Number(process.env.EFFNET_BENCH_RUNS ?? 5);
    const t = new Map<string, { load: number[]; predict: number[] }>();
    const record = (key: string, load: number, predict: number) => {
      const e = t.get(key) ?? { load: [], predict: [] };
      e.load.push(load);
      e.predict.push(predict);
      t.set(key, e);
    };
    for (let i = 0; i < runs; i++) {
      for (const [mode, dir] of tfjsDirs) {
        const s = performance.now();
        const model = await tf.loadLayersModel(fileIOHandler(dir));
        const load = performance.now() - s;
        const predict = async () => {
          const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
          await y.data();
          y.dispose();
        };
        await predict();
        record(`tfjs ${mode}`, load, await timed(predict));
        model.dispose();
      }
      for (const [mode, file] of onnxFiles) {
        const s = performance.now();
        const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
        const load = performance.now() - s;
        await session.run({ input: nchw });
        record(`onnx ${mode}`, load, await timed(() => session.run({ input: nchw })));
        await session.release();
      }
    }
    x.dispose();
    lines.push(`  EfficientNet-B0 @224 load and batch-1 predict (median of 3 after a warm-up), median of ${runs} interleaved rounds (TF.js wasm; ORT 1 thread); ratio to float32 of the same runtime:`);
    for (const [key, e] of t) {
      const base = t.get(`${key.split(' ')[0]} float32`)!;
      const [load, predict] = [median(e.load), median(e.predict)];
      lines.push(`    ${key.padEnd(13)} load ${load.toFixed(0).padStart(5)} ms (${(load / median(base.load)).toFixed(2)}x)   predict ${predict.toFixed(1).padStart(6)} ms (${(predict / median(base.predict)).toFixed(2)}x)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return lines;
}
