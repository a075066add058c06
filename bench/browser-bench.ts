/**
 * Browser benchmark (`npm run bench`, not a test): the first inference in headless Chromium for EfficientNet-B0
 * and MobileNetV2 at 224, batch 1, random weights. For TF.js on webgl and webgpu and for onnxruntime-web on its
 * wasm and webgpu execution providers: the load (tf.loadLayersModel / ort.InferenceSession.create), the first
 * predict (shader compilation) and the median steady predict, each read back to the CPU. Every row is a fresh
 * browser with a fresh profile, so nothing is cached: what a first visit costs.
 *
 * The only GPU on these machines is SwiftShader, a CPU rasteriser: the figures say how the runtimes behave on
 * the browser's GPU code paths (shader compilation dominates the first predict), not how fast a GPU is.
 * The pages and the Chromium plumbing are the browser tests' own (test/browser/), compiled into dist/test/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxBackend } from '../backends/onnx/onnx-backend.js';
import { emitTfjs } from '../backends/tfjs/tfjs-backend.js';
import { writeArtifact } from '../src/cli/output/write-artifact.js';
import { compile } from '../src/pipeline.js';
import { chromium, type PageResult } from '../test/browser/browser-harness.js';
import { runOrtInBrowser, runTfjsInBrowser, type BrowserRun } from '../test/browser/browser-pages.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const nets = [
  ['EfficientNet-B0', 'efficientnet-b0.effnet'],
  ['MobileNetV2', 'mobilenet-v2.effnet'],
] as const;

const runtimes = ['TF.js webgl', 'TF.js webgpu', 'ORT-web wasm', 'ORT-web webgpu'] as const;

function chromiumVersion(): string {
  try {
    // Debian's wrapper script also prints a shell warning on stderr; the version is on stdout.
    return execFileSync(chromium!, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'chromium (version unknown)';
  }
}

export async function runBrowserBench(): Promise<string[]> {
  const lines = ['Browser: first inference in headless Chromium'];
  if (!chromium) return [...lines, '  (skipped: chromium is not installed at /usr/bin/chromium; apt-get install chromium)'];
  // wasm keeps speeding up over its first few runs (V8 tiers the code up), so it gets enough runs to settle.
  const runs = Number(process.env.EFFNET_BROWSER_BENCH_RUNS ?? 10);
  // A steady WebGPU predict of B0 takes seconds on SwiftShader: later predicts stop after this much time (at
  // least one), which keeps the whole section to about three and a half minutes, most of it first predicts.
  const budgetMs = Number(process.env.EFFNET_BROWSER_BENCH_BUDGET_MS ?? 3000);
  const load = loadavg()[0]!;
  const work = mkdtempSync(path.join(tmpdir(), 'effnet-browser-bench-'));
  const devices = new Map<string, string>();
  const rows: string[] = [];
  try {
    for (const [name, file] of nets) {
      const spec = path.join(repoRoot, 'specs', file);
      const c = compile(spec, readFileSync(spec));
      if (!c.graph) throw new Error(`${file} did not compile`);
      const [h, w, ch] = c.graph.nodes[0]!.shape as [number, number, number];
      const tfjsDir = path.join(work, `${file}-tfjs`);
      const onnxPath = path.join(work, `${file}.onnx`);
      await writeArtifact(emitTfjs(c.graph, { seed: 0, weights: 'random' }), tfjsDir);
      await writeArtifact(onnxBackend.emit(c.graph, { seed: 0, weights: 'random' }), onnxPath);
      const nhwc = new Float32Array(h * w * ch).map((_, i) => Math.sin(i) * 0.5);
      const nchw = new Float32Array(nhwc.length);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < ch; k++) nchw[(k * h + y) * w + x] = nhwc[(y * w + x) * ch + k]!;

      for (const runtime of runtimes) {
        const timeoutMs = 150_000;
        // A runtime package missing from node_modules (packageDir throws) fails its row, not the benchmark.
        const r = await (runtime.startsWith('TF.js')
          ? runTfjsInBrowser({ backend: runtime.endsWith('webgl') ? 'webgl' : 'webgpu', modelDir: tfjsDir, input: nhwc, shape: [1, h, w, ch], runs, budgetMs, timeoutMs })
          : runOrtInBrowser({ provider: runtime.endsWith('wasm') ? 'wasm' : 'webgpu', onnxPath, input: nchw, shape: [1, ch, h, w], runs, budgetMs, timeoutMs })
        ).catch((e: Error) => ({ error: e.message, log: [] }) as PageResult<BrowserRun>);
        rows.push(row(`${name} @${h}`, runtime, r));
        if (r.device && !r.error && runtime !== 'ORT-web wasm') devices.set(runtime.endsWith('webgl') ? 'WebGL renderer' : 'WebGPU adapter', r.device);
        if (runtime === 'ORT-web wasm' && r.notes) devices.set('ORT-web wasm', `${r.notes['numThreads']} threads, crossOriginIsolated ${r.notes['crossOriginIsolated']}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  lines.push(`  ${chromiumVersion()}. SOFTWARE-RENDERED: the "GPU" is SwiftShader on the CPU, so these are not GPU speeds.`);
  lines.push(`  ${cpus().length} cores, shared: load average ${load.toFixed(1)} when the section began`);
  for (const [what, device] of devices) lines.push(`  ${what}: ${device}`);
  lines.push(`  batch 1, random weights, each row a fresh browser (no shader or wasm cache); steady = median of the n predicts after the first`);
  lines.push(`  (up to ${runs}, stopping once ${(budgetMs / 1000).toFixed(0)} s have passed)`);
  lines.push(`  load = tf.loadLayersModel / ort.InferenceSession.create (ORT's includes compiling its wasm); every predict reads the logits back`);
  lines.push(`  ${'model'.padEnd(21)} ${'runtime'.padEnd(15)} ${'load ms'.padStart(8)} ${'first predict ms'.padStart(17)} ${'steady ms'.padStart(10)} ${'n'.padStart(2)}`);
  lines.push(...rows);
  return lines;
}

function row(model: string, runtime: string, r: PageResult<BrowserRun>): string {
  const head = `  ${model.padEnd(21)} ${runtime.padEnd(15)}`;
  if (r.error) return `${head} failed: ${r.error.split('\n')[0]!.slice(0, 160)}`;
  return `${head} ${r.loadMs!.toFixed(0).padStart(8)} ${r.firstMs!.toFixed(0).padStart(17)} ${median(r.steadyMs!).toFixed(0).padStart(10)} ${String(r.steadyMs!.length).padStart(2)}`;
}
