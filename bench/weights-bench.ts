/**
 * Trained weights at B7 scale: a B7 checkpoint (266 MB of safetensors, effnet's names) becomes an ONNX file;
 * the time is compared with the random-weights B7 compile in the same run (target: within 1.5x), and peak RSS
 * with the checkpoint's size (target: under 2x). Each compile runs in a fresh child process, interleaved.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { weightSource } from '../backends/seeded-weights.js';
import { compile } from '../src/pipeline.js';
import { graphTensors } from '../src/weights/graph-tensors.js';
import { modulePaths, stateDictKey } from '../src/weights/naming/effnet-names.js';
import { readFileSync } from 'node:fs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cliMain = path.join(repoRoot, 'dist/src/cli/main.js');
const spec = path.join(repoRoot, 'specs/efficientnet-b0.effnet');

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

/** Streams B7's seeded weights into a safetensors file under effnet's names. */
function writeCheckpoint(file: string): void {
  const c = compile('b0.effnet', readFileSync(spec), { variant: 'b7' });
  const g = c.graph!;
  const pathOf = modulePaths(g);
  const source = weightSource({ seed: 3, weights: 'random', randomBatchNorm: true });
  const tensors = graphTensors(g);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const n = 4 * t.shape.reduce((a, b) => a * b, 1);
    header[stateDictKey(pathOf(t.node), t.role)] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const fd = openSync(file, 'w');
  try {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
    writeSync(fd, len);
    writeSync(fd, new TextEncoder().encode(json));
    for (const t of tensors) {
      const v = source.tensor(t.node, t.role, t.shape);
      writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

function compileInChild(args: readonly string[]): { ms: number; maxRss: number } {
  const script = `
    const { runCli } = await import(${JSON.stringify(cliMain)});
    const quiet = { out() {}, err() {}, color: false, errIsTTY: false };
    const t0 = performance.now();
    const code = await runCli(${JSON.stringify(args)}, quiet);
    if (code !== 0) process.exit(code);
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0, maxRss: process.resourceUsage().maxRSS * 1024 }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

export async function runWeightsBench(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'effnet-weights-bench-'));
  try {
    const ckpt = path.join(dir, 'b7.safetensors');
    writeCheckpoint(ckpt);
    const size = statSync(ckpt).size;
    const out = path.join(dir, 'b7.onnx');
    const random: { ms: number; maxRss: number }[] = [];
    const trained: { ms: number; maxRss: number }[] = [];
    for (let i = 0; i < 3; i++) {
      random.push(compileInChild(['compile', spec, '--variant', 'b7', '-o', out]));
      trained.push(compileInChild(['compile', spec, '--variant', 'b7', '--weights', ckpt, '-o', out]));
    }
    const [r, t] = [median(random.map((s) => s.ms)), median(trained.map((s) => s.ms))];
    const rss = Math.max(...trained.map((s) => s.maxRss));
    return [
      'effnet compile --weights: a B7 checkpoint to ONNX (fresh process each, interleaved, median of 3)',
      `  B7, random weights        ${(r / 1000).toFixed(2)} s`,
      `  B7, --weights ${mb(size)}  ${(t / 1000).toFixed(2)} s   ratio ${(t / r).toFixed(2)} (target <= 1.5)   peak RSS ${mb(rss)}, ${(rss / size).toFixed(2)} x the checkpoint (target < 2)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of await runWeightsBench()) console.log(line);
}
