/**
 * `npm run bench`: every benchmark, printed with ratios against a peer measured in the same run. Not a
 * test: this machine is shared and noisy, so figures are medians and comparisons are interleaved.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFrontEndBench } from './front-end-bench.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Bench = () => Promise<string[]> | string[];

/** Benchmarks of parts that may be absent from a build are loaded by name and skipped with a note. */
async function optional(module: string, fn: string): Promise<Bench | undefined> {
  try {
    const m = (await import(module)) as Record<string, Bench>;
    return m[fn];
  } catch (e) {
    console.log(`(skipped ${module}: ${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

const benches: [string, Bench | undefined][] = [
  ['front end', () => runFrontEndBench(path.join(repoRoot, 'specs'))],
  ['scaling', await optional('./scaling-bench.js', 'runScalingBench')],
  ['onnx', await optional('./onnx-bench.js', 'runOnnxBench')],
  ['tfjs', await optional('./tfjs-bench.js', 'runTfjsBench')],
  ['quantization', await optional('./quantization-bench.js', 'runQuantizationBench')],
  ['weights', await optional('./weights-bench.js', 'runWeightsBench')],
  ['browser', await optional('./browser-bench.js', 'runBrowserBench')],
];

for (const [name, bench] of benches) {
  if (!bench) continue;
  const lines = await bench();
  console.log(lines.join('\n'));
  console.log('');
  void name;
}
