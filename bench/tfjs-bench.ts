/**
 * TF.js benchmark (`npm run bench`, not a test):
 *  1. EfficientNet-B0 and MobileNetV2 @224, batch 1: TF.js on tfjs-backend-wasm (SIMD, one thread: the build
 *     TF.js uses in Node) in both formats, the trainable LayersModel, its --fold-bn inference export and the
 *     graph model (--tfjs-format graph), against onnxruntime-node on the ONNX of the same network at one
 *     thread and at its default thread count. All interleaved in one process; each round gives medians and
 *     ratios, and the rounds give a range, since the machine is shared. Target: the graph model of B0 within
 *     3x of ORT at one thread.
 *  2. Where the graph model's time goes: tf.profile kernels over one B0 predict.
 *  3. The multi-threaded wasm build, which TF.js does not use in Node, made to run there (wasm-threads-node.ts)
 *     in a child process: B0's graph model at 2 threads against ORT in the same child.
 *  4. EfficientNet-B7 TF.js emit + atomic write time and peak RSS, in a child process so the figure is the
 *     writer's alone (shards are generated lazily, one tensor at a time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TfModule from '@tensorflow/tfjs';
import { onnxBackend } from '../backends/onnx/onnx-backend.js';
import { loadTfjsModel, type LoadedTfjsModel } from '../backends/tfjs/runtime/load-model.js';
import { selectBackend } from '../backends/tfjs/runtime/select-backend.js';
import { emitTfjs, type TfjsEmitOptions } from '../backends/tfjs/tfjs-backend.js';
import { writeArtifact } from '../src/cli/output/write-artifact.js';
import { compile } from '../src/pipeline.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const self = fileURLToPath(import.meta.url);

const nets = [
  ['EfficientNet-B0', 'efficientnet-b0.effnet'],
  ['MobileNetV2', 'mobilenet-v2.effnet'],
] as const;

const formats = [
  ['layers (trainable)', {}],
  ['layers --fold-bn', { foldBatchNorm: true }],
  ['graph (--tfjs-format graph)', { tfjsFormat: 'graph' }],
] as const satisfies readonly (readonly [string, Partial<TfjsEmitOptions>])[];

/** B0's graph model within this many times ORT at one thread. */
const TARGET = 3;

function graphOf(file: string, variant?: string) {
  const spec = path.join(repoRoot, 'specs', file);
  const c = compile(spec, readFileSync(spec), variant ? { variant } : {});
  if (!c.graph) throw new Error(`${file}${variant ? ` ${variant}` : ''} did not compile`);
  return c.graph;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: readonly number[], digits: number) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

/** Runs each subject once in turn, `runs` times, after `warm` untimed turns; returns each subject's times. */
async function interleaved(subjects: readonly (() => Promise<unknown>)[], runs: number, warm = 2): Promise<number[][]> {
  for (let i = 0; i < warm; i++) for (const s of subjects) await s();
  const times = subjects.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, s] of subjects.entries()) {
      const t0 = performance.now();
      await s();
      times[k]!.push(performance.now() - t0);
    }
  }
  return times;
}

type Ort = typeof import('onnxruntime-node');

interface Files {
  readonly shape: readonly [number, number, number];
  readonly onnx: string;
  readonly tfjs: readonly string[];
}

/** Writes the ONNX file and the three TF.js exports of one network (seed 0). */
async function writeNetwork(work: string, file: string): Promise<Files> {
  const graph = graphOf(file);
  const onnx = path.join(work, `${file}.onnx`);
  await writeArtifact(onnxBackend.emit(graph, { seed: 0, weights: 'random' }), onnx);
  const tfjs: string[] = [];
  for (const [i, [, options]] of formats.entries()) {
    const dir = path.join(work, `${file}-tfjs-${i}`);
    await writeArtifact(emitTfjs(graph, { seed: 0, weights: 'random', ...options }), dir);
    tfjs.push(dir);
  }
  return { shape: graph.nodes[0]!.shape as [number, number, number], onnx, tfjs };
}

/** predict + read back, for a TF.js model and for an ORT session, on the same input. */
function runners(tf: typeof TfModule, ort: Ort, [h, w, c]: readonly [number, number, number]) {
  const input = new Float32Array(h * w * c).map((_, i) => Math.sin(i) * 0.5);
  const nchw = new Float32Array(input.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) nchw[(k * h + y) * w + x] = input[(y * w + x) * c + k]!;
  const x = tf.tensor(input, [1, h, w, c]);
  const feed = { input: new ort.Tensor('float32', nchw, [1, c, h, w]) };
  return {
    tfjs: (m: LoadedTfjsModel) => async () => {
      const y = m.predict(x);
      await y.data();
      y.dispose();
    },
    ort: (s: import('onnxruntime-node').InferenceSession) => () => s.run(feed),
    dispose: () => x.dispose(),
  };
}

export async function runTfjsBench(): Promise<string[]> {
  const lines = ['TF.js backend'];
  const work = mkdtempSync(path.join(tmpdir(), 'effnet-tfjs-bench-'));
  try {
    const rounds = Number(process.env.EFFNET_BENCH_ROUNDS ?? 3);
    const runs = Number(process.env.EFFNET_BENCH_RUNS ?? 15);
    const { tf, description } = await selectBackend('wasm');
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
    if (cpu) cpu.firstUse = false;
    const ort = await import('onnxruntime-node');
    lines.push(`  ${cpus().length} cores, shared: load average ${loadavg()[0]!.toFixed(1)} when the section began`);
    lines.push(`  batch 1, @224; TF.js ${tf.version.tfjs} ${description.split(' (')[0]} (SIMD, 1 thread), onnxruntime-node ${ort.env.versions.common} (CPU EP)`);
    lines.push(`  each round: medians of ${runs} interleaved runs; [range over ${rounds} rounds]`);
    let b0GraphRatios: number[] = [];
    for (const [name, file] of nets) {
      const files = await writeNetwork(work, file);
      const models = await Promise.all(files.tfjs.map((d) => loadTfjsModel(tf, d)));
      const one = await ort.InferenceSession.create(files.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const all = await ort.InferenceSession.create(files.onnx);
      const r = runners(tf, ort, files.shape);
      const subjects = [r.ort(one), r.ort(all), ...models.map(r.tfjs)];
      const medians: number[][] = subjects.map(() => []);
      for (let k = 0; k < rounds; k++) (await interleaved(subjects, runs)).forEach((t, i) => medians[i]!.push(median(t)));
      const [ort1, ortN] = [medians[0]!, medians[1]!];
      lines.push(`  ${name}`);
      lines.push(`    onnxruntime-node, 1 thread              ${median(ort1).toFixed(1).padStart(6)} ms [${range(ort1, 1)}]`);
      lines.push(`    onnxruntime-node, default threads       ${median(ortN).toFixed(1).padStart(6)} ms [${range(ortN, 1)}]`);
      for (const [i, [label]] of formats.entries()) {
        const t = medians[i + 2]!;
        const vs1 = t.map((v, k) => v / ort1[k]!);
        const vsN = t.map((v, k) => v / ortN[k]!);
        if (file === 'efficientnet-b0.effnet' && label.startsWith('graph')) b0GraphRatios = vs1;
        lines.push(`    TF.js ${label.padEnd(28)} ${median(t).toFixed(1).padStart(7)} ms [${range(t, 1)}]   ${median(vs1).toFixed(2)}x ORT 1 thread [${range(vs1, 2)}], ${median(vsN).toFixed(2)}x ORT default [${range(vsN, 2)}]`);
      }
      r.dispose();
      for (const m of models) m.dispose();
      await one.release();
      await all.release();
    }
    const worst = Math.max(...b0GraphRatios);
    lines.push(`  target: B0's graph model within ${TARGET}x of ORT at 1 thread: ${median(b0GraphRatios).toFixed(2)}x (worst round ${worst.toFixed(2)}x): ${worst <= TARGET ? 'met' : 'not met'}`);

    // Where the graph model's time goes, by kernel (wall time per kernel as the wasm backend reports it).
    const files = await writeNetwork(work, 'efficientnet-b0.effnet');
    const graphModel = await loadTfjsModel(tf, files.tfjs[2]!);
    const r = runners(tf, ort, files.shape);
    const predict = r.tfjs(graphModel);
    await predict();
    const profile = await tf.profile(predict);
    const byKernel = new Map<string, { ms: number; n: number }>();
    // Entries named *__op are op wrappers around the kernels listed separately: counting both would double.
    for (const k of profile.kernels) {
      if (k.name.endsWith('__op')) continue;
      const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
      byKernel.set(k.name, { ms: e.ms + Number(k.kernelTimeMs ?? 0), n: e.n + 1 });
    }
    const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
    lines.push(`  B0 graph model on wasm, kernels over one predict (tf.profile, ${total.toFixed(0)} ms of kernel time, ${profile.kernels.length} kernels):`);
    for (const [kernel, { ms, n }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 7)) {
      lines.push(`    ${kernel.padEnd(28)} ${String(n).padStart(3)}x ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)}%`);
    }
    r.dispose();
    graphModel.dispose();

    // The threaded wasm build, in a child: it patches globals, and a process has one wasm backend.
    if (process.env.EFFNET_BENCH_WASM_THREADS !== '0') {
      try {
        const out = execFileSync(process.execPath, [self, '--threads-child', work, String(rounds), String(runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        lines.push(...(JSON.parse(out.trim().split('\n').pop()!) as string[]));
      } catch (e) {
        lines.push(`  threaded wasm in Node: failed: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).split('\n').find((l) => l.trim()) ?? 'no output'}`);
      }
    }

    // B7 write in a child process: its peak RSS is the writer's.
    const out = execFileSync(process.execPath, [self, '--b7-child', path.join(work, 'b7-tfjs')], { encoding: 'utf8' });
    const b7 = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; bytes: number; files: number; maxRssMB: number };
    lines.push(`  EfficientNet-B7 @600 TF.js emit + atomic write: ${(b7.ms / 1000).toFixed(2)} s, ${(b7.bytes / 1e6).toFixed(0)} MB in ${b7.files} files, peak RSS ${b7.maxRssMB.toFixed(0)} MB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return lines;
}

/** Child mode: B0's graph model on the threaded wasm build at 2 threads against ORT, interleaved. */
async function threadsChild(work: string, rounds: number, runs: number): Promise<void> {
  const { useThreadedWasm } = await import('./wasm-threads-node.js');
  const { tf, threads } = await useThreadedWasm(2);
  const ort = await import('onnxruntime-node');
  const files = await writeNetwork(work, 'efficientnet-b0.effnet');
  const model = await loadTfjsModel(tf, files.tfjs[2]!);
  const one = await ort.InferenceSession.create(files.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const all = await ort.InferenceSession.create(files.onnx);
  const r = runners(tf, ort, files.shape);
  const subjects = [r.ort(one), r.ort(all), r.tfjs(model)];
  const medians: number[][] = subjects.map(() => []);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < rounds; k++) (await interleaved(subjects, runs)).forEach((t, i) => medians[i]!.push(median(t)));
  const used = process.cpuUsage(c0);
  const busy = (used.user + used.system) / 1000 / (performance.now() - t0);
  const [ort1, ortN, t] = medians as [number[], number[], number[]];
  const vs1 = t.map((v, k) => v / ort1[k]!);
  const vsN = t.map((v, k) => v / ortN[k]!);
  const lines = [
    `  threaded wasm build in Node (bench/wasm-threads-node.ts: not what TF.js does in Node), ${threads} threads, in a child process:`,
    `    B0 graph model ${median(t).toFixed(1)} ms [${range(t, 1)}]   ${median(vs1).toFixed(2)}x ORT 1 thread (${median(ort1).toFixed(1)} ms) [${range(vs1, 2)}], ${median(vsN).toFixed(2)}x ORT default (${median(ortN).toFixed(1)} ms) [${range(vsN, 2)}]; the child used ${busy.toFixed(2)} cores`,
  ];
  console.log(JSON.stringify(lines));
  process.exit(0);
}

/** Child mode: emit and write B7, print {ms, maxRssMB} as JSON. */
async function b7Child(out: string): Promise<void> {
  const t0 = performance.now();
  const graph = graphOf('efficientnet-b0.effnet', 'b7');
  const result = await writeArtifact(emitTfjs(graph, { seed: 0, weights: 'random' }), out);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, bytes: result.bytes, files: result.paths.length, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

if (process.argv[2] === '--b7-child') await b7Child(process.argv[3]!);
if (process.argv[2] === '--threads-child') await threadsChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
