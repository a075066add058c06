/**
 * `effnet run ARTIFACT`: loads an ONNX file (onnxruntime-node, CPU) or a TF.js LayersModel directory (the best
 * TF.js backend present: tfjs-node-gpu, tfjs-node, wasm, cpu), runs it on a random input or a PNG, and prints
 * the output shape, the top-5 classes and the median latency. It says which runtime and backend ran, since
 * the numbers mean little without that. Runtimes load lazily: `effnet check` never pays for TF.js or ORT.
 */
import { Option } from 'commander';
import type { BackendChoice } from '../../../backends/tfjs/runtime/select-backend.js';
import { sampleInput } from '../../../backends/sample-input.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { loadImage } from '../image-input.js';
import { UsageError } from '../io.js';
import type { Register } from '../main.js';
import { artifactKind, onnxRunner, tfjsRunner } from '../model-runners.js';

interface RunFlags {
  backend: BackendChoice;
  input: string;
  runs: string;
  seed: string;
  json?: boolean;
}

async function loadInput(spec: string, [h, w, c]: readonly [number, number, number], seed: number): Promise<{ data: Float32Array; label: string }> {
  if (spec === 'random') return { data: sampleInput(h * w * c, seed), label: `random uniform [-1, 1), seed ${seed}` };
  if (c !== 3) throw new UsageError(`--input ${spec}: the model takes ${c} channels; image input is RGB (3)`);
  const img = await loadImage(spec, h, w);
  return { data: img.data, label: `${spec} (${img.format.toUpperCase()} ${img.width}x${img.height} resized to ${w}x${h}, RGB in [0, 1], no mean/std normalisation)` };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function topK(data: ArrayLike<number>, k: number): { index: number; value: number }[] {
  return Array.from(data, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k);
}

export const registerRun: Register = (program, ctx) => {
  program
    .command('run')
    .description('run a compiled model (ONNX file or TF.js directory): output shape, top-5 classes, median latency')
    .argument('<artifact>', 'model.onnx, or a TF.js directory (or its model.json)')
    .addOption(new Option('--backend <name>', 'TF.js backend; auto picks tfjs-node-gpu, tfjs-node, wasm, then cpu').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'))
    .option('--input <src>', "'random', or a JPEG, PNG or WebP image (resized to the model's input, scaled to [0, 1])", 'random')
    .option('--runs <n>', 'timed runs after one warm-up run; the median is reported', '10')
    .option('--seed <n>', 'seed of the random input', '0')
    .option('--json', 'JSON instead of text')
    .addHelpText('after', '\nExamples:\n  $ effnet run b0.onnx --runs 20\n  $ effnet run out/b0-tfjs --backend wasm --input cat.png')
    .action(async (artifact: string, flags: RunFlags) => {
      const runs = Number(flags.runs);
      if (!/^\s*\d+\s*$/.test(flags.runs) || runs < 1 || runs > 100000) throw new UsageError(`--runs expects a positive integer, got '${flags.runs}'`);
      const seed = Number(flags.seed);
      if (!/^\s*\d+\s*$/.test(flags.seed) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed expects a non-negative integer, got '${flags.seed}'`);
      const { kind, path } = artifactKind(artifact);
      const runner = kind === 'onnx' ? await onnxRunner(path, flags.backend) : await tfjsRunner(path, flags.backend);
      try {
        const input = await loadInput(flags.input, runner.inputShape, seed);
        const t0 = performance.now();
        let out = await runner.predict(input.data);
        const warmup = performance.now() - t0;
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          out = await runner.predict(input.data);
          times.push(performance.now() - t);
        }
        const classes = out.data.length / (out.shape[0] ?? 1);
        const top = topK(out.data.subarray(0, classes), 5);
        const { modelInput } = runner;
        if (flags.json) {
          ctx.io.out(JSON.stringify({
            schemaVersion: REPORT_SCHEMA_VERSION,
            model: artifact,
            format: kind === 'onnx' ? 'onnx' : 'tfjs layers-model',
            runtime: runner.runtime,
            input: { shape: modelInput.shape, layout: modelInput.layout, source: input.label },
            outputShape: out.shape,
            top5: top,
            latencyMs: { median: median(times), runs, warmup },
          }, null, 2));
          return;
        }
        ctx.io.out(
          [
            `model:        ${artifact} (${kind === 'onnx' ? 'ONNX' : 'TF.js LayersModel'})`,
            `runtime:      ${runner.runtime}`,
            `input:        [${modelInput.shape.join(', ')}] ${modelInput.layout}, ${input.label}`,
            `output shape: [${out.shape.join(', ')}]`,
            `top-5:        ${top.map((t) => `${t.index} (${t.value.toPrecision(4)})`).join(', ')}`,
            `latency:      median ${median(times).toFixed(2)} ms over ${runs} run${runs > 1 ? 's' : ''} (warm-up ${warmup.toFixed(1)} ms, not counted)`,
          ].join('\n'),
        );
      } finally {
        await runner.dispose();
      }
    });
};
