/**
 * ONNX backend benchmark (not a test; `npm run bench`, or `node dist/bench/onnx-bench.js`):
 *  1. onnxruntime-node latency at batch 1 of our EfficientNet-B0 and MobileNetV2 against torchvision's exports
 *     (../shared/peers), same session options, runs interleaved so machine noise hits both alike; medians.
 *     Target: ratio <= 1.00.
 *  2. `effnet compile` time and peak RSS with random weights for B0 and B7, each in a fresh child process
 *     (peak RSS is the child's own maxRSS). Targets: B7 under 3 s, peak RSS under 2x the file size.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const peersDir = path.resolve(repoRoot, '../shared/peers');
const cliMain = path.join(repoRoot, 'dist/src/cli/main.js');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface ChildRun {
  readonly code: number;
  /** Wall time of the compile inside the child (no node start-up), ms. */
  readonly ms: number;
  /** Peak resident set of the child, bytes. */
  readonly maxRss: number;
}

/** Runs `effnet ARGS` in a fresh node process and reports its time and peak RSS. */
function compileInChild(args: readonly string[]): ChildRun {
  const script = `
    const { runCli } = await import(${JSON.stringify(cliMain)});
    const quiet = { out() {}, err() {}, color: false, errIsTTY: false };
    const t0 = performance.now();
    const code = await runCli(${JSON.stringify(args)}, quiet);
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ code, ms, maxRss: process.resourceUsage().maxRSS * 1024 }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as ChildRun;
}

const sessionOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
};

/**
 * Session slots are not equal: the same file measured against itself comes out a fraction of a percent
 * apart (see the control line). So each comparison runs twice, ours in the first slot and then in the second,
 * and the two median per-pair ratios are combined, sqrt(r(ours, peer) / r(peer, ours)), which cancels the
 * slot bias. The interval is a bootstrap over the pairs (fixed seed).
 */
function debiasedRatio(oursFirst: readonly number[], peerFirst: readonly number[]): { ratio: number; low: number; high: number } {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const resample = (xs: readonly number[]) => xs.map(() => xs[Math.floor(rand() * xs.length)]!);
  const estimate = (a: readonly number[], b: readonly number[]) => Math.sqrt(median([...a]) / median([...b]));
  const boot: number[] = [];
  for (let k = 0; k < 2000; k++) boot.push(estimate(resample(oursFirst), resample(peerFirst)));
  boot.sort((x, y) => x - y);
  return { ratio: estimate(oursFirst, peerFirst), low: boot[Math.floor(0.025 * boot.length)]!, high: boot[Math.floor(0.975 * boot.length)]! };
}

const interval = (r: { ratio: number; low: number; high: number }) => `${r.ratio.toFixed(3)} [95% CI ${r.low.toFixed(3)}-${r.high.toFixed(3)}]`;

/** Per-pair time ratios a_i / b_i (and medians) of two files run alternately in two sessions. */
async function latency(ours: string, peer: string, runs: number): Promise<{ ours: number; peer: number; ratios: number[] }> {
  const a = await ort.InferenceSession.create(ours, sessionOptions);
  const b = await ort.InferenceSession.create(peer, sessionOptions);
  const x = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i));
  const feed = { input: new ort.Tensor('float32', x, [1, 3, 224, 224]) };
  const time = async (s: ort.InferenceSession) => {
    const t0 = performance.now();
    await s.run(feed);
    return performance.now() - t0;
  };
  for (let i = 0; i < 5; i++) {
    await time(a);
    await time(b);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always runs on a warm cache.
    if (i % 2 === 0) {
      ta.push(await time(a));
      tb.push(await time(b));
    } else {
      tb.push(await time(b));
      ta.push(await time(a));
    }
  }
  await a.release();
  await b.release();
  return { ours: median(ta), peer: median(tb), ratios: ta.map((x, i) => x / tb[i]!) };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export async function runOnnxBench(): Promise<string[]> {
  const lines: string[] = [];
  if (!existsSync(cliMain)) return [`(skipped: ${cliMain} is missing; build first)`];
  const dir = mkdtempSync(path.join(tmpdir(), 'effnet-onnx-bench-'));
  try {
    // 1. Latency against the peers.
    const runs = Number(process.env.ONNX_BENCH_RUNS ?? 200);
    lines.push(`onnxruntime-node ${ort.env.versions.common} latency, batch 1, 224x224, 1 thread, ${runs} interleaved pairs in each session order`);
    for (const [title, spec, peer] of [
      ['EfficientNet-B0', 'efficientnet-b0.effnet', 'efficientnet_b0.torchvision.onnx'],
      ['MobileNetV2', 'mobilenet-v2.effnet', 'mobilenet_v2.torchvision.onnx'],
    ] as const) {
      const peerPath = path.join(peersDir, peer);
      if (!existsSync(peerPath)) {
        lines.push(`  ${title}: (skipped: ${peerPath} is missing)`);
        continue;
      }
      const ours = path.join(dir, `${spec}.onnx`);
      const run = compileInChild(['compile', path.join(repoRoot, 'specs', spec), '-o', ours, '--batch', '1']);
      if (run.code !== 0) throw new Error(`effnet compile ${spec} exited ${run.code}`);
      const t = await latency(ours, peerPath, runs);
      const swapped = await latency(peerPath, ours, runs);
      // Control: the peer against itself shows the slot bias that the swap cancels.
      const control = await latency(peerPath, peerPath, runs);
      const r = debiasedRatio(t.ratios, swapped.ratios);
      const verdict = r.high < 1 ? 'faster' : r.low > 1 ? `slower by ${((r.ratio - 1) * 100).toFixed(1)} %` : 'indistinguishable';
      lines.push(
        `  ${title.padEnd(16)} effnet ${t.ours.toFixed(2)} ms   torchvision ${t.peer.toFixed(2)} ms   ratio ${interval(r)}: ${verdict} (target <= 1.00)`,
        `  ${''.padEnd(16)} control, torchvision against itself in the same two slots: ${median(control.ratios).toFixed(3)}`,
      );
    }

    // 2. Compile time and peak RSS.
    lines.push('effnet compile --target onnx, random weights, fresh process each (time excludes node start-up)');
    for (const [title, args, target] of [
      ['EfficientNet-B0', [], undefined],
      ['EfficientNet-B7', ['--variant', 'b7'], 3000],
      ['EfficientNet-B7 --external-data', ['--variant', 'b7', '--external-data'], 3000],
    ] as const) {
      const out = path.join(dir, 'model.onnx');
      const samples: ChildRun[] = [];
      for (let i = 0; i < 3; i++) {
        const r = compileInChild(['compile', path.join(repoRoot, 'specs/efficientnet-b0.effnet'), '-o', out, ...args]);
        if (r.code !== 0) throw new Error(`effnet compile ${title} exited ${r.code}`);
        samples.push(r);
      }
      // The side file is content-addressed: model.onnx.<digest>.data.
      const sides = readdirSync(dir).filter((f) => /^model\.onnx\.[0-9a-f]{16}\.data$/.test(f)).map((f) => path.join(dir, f));
      const size = statSync(out).size + sides.reduce((n, f) => n + statSync(f).size, 0);
      const ms = median(samples.map((s) => s.ms));
      const rss = Math.max(...samples.map((s) => s.maxRss));
      lines.push(
        `  ${title.padEnd(32)} ${(ms / 1000).toFixed(2)} s (median of 3${target ? `, target < ${target / 1000} s` : ''})   peak RSS ${mb(rss)}   file ${mb(size)}   RSS/file ${(rss / size).toFixed(2)} (target < 2)`,
      );
      rmSync(out, { force: true });
      for (const f of sides) rmSync(f, { force: true });
    }
    lines.push('  for scale: torch.onnx.export of torchvision B7 took 62 s on this machine');
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Standalone: node dist/bench/onnx-bench.js
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of await runOnnxBench()) console.log(line);
}
