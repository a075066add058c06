/**
 * TF.js benchmark (`npm run bench`, not a test):
 *  1. EfficientNet-B0 @224 predict latency, TF.js on tfjs-backend-wasm vs onnxruntime-node on our ONNX of the
 *     same network (same seed), interleaved in one run; ORT is measured at its default thread count and at one
 *     thread, since tfjs-backend-wasm runs single-threaded in Node (no SharedArrayBuffer worker pool).
 *     Also TF.js on the inference export with BN folded into the convs (foldBatchNorm), as ORT runs our ONNX.
 *  2. Where TF.js spends its time: tf.profile kernels over one B0 predict, summed by kernel.
 *  3. EfficientNet-B7 TF.js emit + atomic write time and peak RSS, in a child process so the figure is the
 *     writer's alone (shards are generated lazily, one tensor at a time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxBackend } from '../backends/onnx/onnx-backend.js';
import { fileIOHandler } from '../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../backends/tfjs/runtime/select-backend.js';
import { emitTfjs } from '../backends/tfjs/tfjs-backend.js';
import { writeArtifact } from '../src/cli/output/write-artifact.js';
import { compile } from '../src/pipeline.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const b0Spec = path.join(repoRoot, 'specs', 'efficientnet-b0.effnet');

function graphOf(variant?: string) {
  const c = compile(b0Spec, readFileSync(b0Spec), variant ? { variant } : {});
  if (!c.graph) throw new Error(`efficientnet-b0.effnet${variant ? ` ${variant}` : ''} did not compile`);
  return c.graph;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Child mode: emit and write B7, print {ms, maxRssMB} as JSON. */
async function b7Child(out: string): Promise<void> {
  const t0 = performance.now();
  const graph = graphOf('b7');
  const result = await writeArtifact(emitTfjs(graph, { seed: 0, weights: 'random' }), out);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, bytes: result.bytes, files: result.paths.length, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

export async function runTfjsBench(): Promise<string[]> {
  const lines = ['TF.js backend'];
  const work = mkdtempSync(path.join(tmpdir(), 'effnet-tfjs-bench-'));
  try {
    const graph = graphOf();
    const [h, w, c] = graph.nodes[0]!.shape as [number, number, number];
    const tfDir = path.join(work, 'b0-tfjs');
    const onnxPath = path.join(work, 'b0.onnx');
    const foldedDir = path.join(work, 'b0-tfjs-folded');
    await writeArtifact(emitTfjs(graph, { seed: 0, weights: 'random' }), tfDir);
    await writeArtifact(emitTfjs(graph, { seed: 0, weights: 'random', foldBatchNorm: true }), foldedDir);
    await writeArtifact(onnxBackend.emit(graph, { seed: 0, weights: 'random' }), onnxPath);

    const { tf, description } = await selectBackend('wasm');
    (tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined) && ((tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false);
    const model = await tf.loadLayersModel(fileIOHandler(tfDir));
    const folded = await tf.loadLayersModel(fileIOHandler(foldedDir));
    const input = new Float32Array(h * w * c).map((_, i) => Math.sin(i) * 0.5);
    const x = tf.tensor(input, [1, h, w, c]);
    const tfRun = async (m = model) => {
      const y = m.predict(x) as import('@tensorflow/tfjs').Tensor;
      await y.data();
      y.dispose();
    };

    const ort = await import('onnxruntime-node');
    const nchw = new Float32Array(input.length);
    for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) nchw[(k * h + yy) * w + xx] = input[(yy * w + xx) * c + k]!;
    const sessions = {
      default: await ort.InferenceSession.create(onnxPath),
      one: await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1, interOpNumThreads: 1 }),
    };
    const feed = { [sessions.default.inputNames[0]!]: new ort.Tensor('float32', nchw, [1, c, h, w]) };

    // Warm up all three, then interleave so drift on the shared machine hits each alike.
    await tfRun();
    await tfRun(folded);
    await sessions.default.run(feed);
    await sessions.one.run(feed);
    const runs = Number(process.env.EFFNET_BENCH_RUNS ?? 15);
    const t = { tf: [] as number[], folded: [] as number[], ort: [] as number[], ort1: [] as number[] };
    for (let i = 0; i < runs; i++) {
      let s = performance.now();
      await tfRun();
      t.tf.push(performance.now() - s);
      s = performance.now();
      await tfRun(folded);
      t.folded.push(performance.now() - s);
      s = performance.now();
      await sessions.default.run(feed);
      t.ort.push(performance.now() - s);
      s = performance.now();
      await sessions.one.run(feed);
      t.ort1.push(performance.now() - s);
    }
    const [mt, mf, mo, m1] = [median(t.tf), median(t.folded), median(t.ort), median(t.ort1)];
    lines.push(`  EfficientNet-B0 @224, batch 1, median of ${runs} interleaved runs`);
    lines.push(`    TF.js ${tf.version.tfjs} ${description.split(' (')[0]} (SIMD, 1 thread): ${mt.toFixed(1)} ms`);
    lines.push(`    onnxruntime-node, default threads:   ${mo.toFixed(1)} ms   -> TF.js/ORT ${(mt / mo).toFixed(2)}x`);
    lines.push(`    onnxruntime-node, 1 thread:          ${m1.toFixed(1)} ms   -> TF.js/ORT ${(mt / m1).toFixed(2)}x`);
    lines.push(`    TF.js wasm, BN folded (inference export): ${mf.toFixed(1)} ms   -> TF.js/ORT ${(mf / mo).toFixed(2)}x, ${((1 - mf / mt) * 100).toFixed(0)}% faster than unfolded`);

    // Where TF.js spends its time, by kernel (wall time per kernel as the wasm backend reports it).
    const profile = await tf.profile(async () => { await tfRun(); });
    const byKernel = new Map<string, number>();
    // Entries named *__op are op wrappers around the kernels listed separately: counting both would double.
    for (const k of profile.kernels) if (!k.name.endsWith('__op')) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs ?? 0));
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    lines.push(`  TF.js wasm kernels over one B0 predict (tf.profile, ${total.toFixed(0)} ms of kernel time):`);
    for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 6)) {
      lines.push(`    ${name.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)}%`);
    }
    tf.dispose(x);
    model.dispose();
    folded.dispose();
    await sessions.default.release();
    await sessions.one.release();

    // B7 write in a child process: its peak RSS is the writer's.
    const self = fileURLToPath(import.meta.url);
    const out = execFileSync(process.execPath, [self, '--b7-child', path.join(work, 'b7-tfjs')], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; bytes: number; files: number; maxRssMB: number };
    lines.push(`  EfficientNet-B7 @600 TF.js emit + atomic write: ${(r.ms / 1000).toFixed(2)} s, ${(r.bytes / 1e6).toFixed(0)} MB in ${r.files} files, peak RSS ${r.maxRssMB.toFixed(0)} MB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return lines;
}

if (process.argv[2] === '--b7-child') await b7Child(process.argv[3]!);
