/**
 * `effnet run ARTIFACT`: loads an ONNX file (onnxruntime-node, CPU) or a TF.js directory, LayersModel or graph model (the best
 * TF.js backend present: tfjs-node-gpu, tfjs-node, wasm, cpu) and classifies: a random input or one image
 * (with the median latency over --runs), or every image in a directory, in batches (with the throughput).
 * Images are preprocessed as the model expects (--preprocess, else the model's recorded preset, else none),
 * outputs become softmax probabilities, and the top k classes are printed with their labels (--labels, or the
 * built-in ImageNet names for a 1000-class model). It says which runtime, backend and preprocessing ran, since
 * the numbers mean little without that. Runtimes load lazily: `effnet check` never pays for TF.js or ORT.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { BackendChoice } from '../../../backends/tfjs/runtime/select-backend.js';
import { sampleInput } from '../../../backends/sample-input.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { BUILTIN_IMAGENET_SOURCE, classLabels, type ClassLabels } from '../class-labels.js';
import { listImages } from '../image-directory.js';
import { loadImage, type LoadedImage } from '../image-input.js';
import { UsageError } from '../io.js';
import type { Register } from '../main.js';
import { artifactKind, onnxRunner, tfjsRunner } from '../model-runners.js';
import { formatPrediction, softmax, topPredictions, type Prediction } from '../predictions.js';
import { addPreprocessingFlags, describePreprocessing, givenPreprocessingFlags, preprocessingJson, resolvePreprocessing, type PreprocessingFlags, type ResolvedPreprocessing } from '../preprocessing-flags.js';
import { resizedSize } from '../preprocess-image.js';
import { progressBar } from '../progress.js';
import { recordedPreprocessing } from '../recorded-preprocessing.js';
import { isStructureOnly, recordedWeights } from '../recorded-weights.js';

interface RunFlags extends PreprocessingFlags {
  backend: BackendChoice;
  input: string;
  runs: string;
  seed: string;
  labels?: string;
  topk: string;
  batchSize: string;
  json?: boolean;
}

/** How the header names each format. */
const formatName: Readonly<Record<string, string>> = { onnx: 'ONNX', 'tfjs layers-model': 'TF.js LayersModel', 'tfjs graph-model': 'TF.js graph model' };

/** The largest --batch-size: a batch of B7 inputs (600 x 600) is already 1.1 GB at 256. */
const MAX_BATCH_SIZE = 256;

function integer(text: string, flag: string, min: number, max: number, what: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`${flag} expects ${what}, got '${text}'`);
  return v;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** JSON with two-space indentation, but arrays of numbers (logits, probabilities, shapes) on one line. */
function json(doc: unknown): string {
  return JSON.stringify(doc, null, 2).replace(/\[\n\s*(-?[\d.eE+-]+(?:,\n\s*-?[\d.eE+-]+)*)\n\s*\]/g, (_m, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`);
}

/** float32 logits printed with the 9 significant digits that identify a float32, not 17 of its double. */
const f32 = (v: number) => Number(v.toPrecision(9));

/** One classified input: its top k and, for --json, the whole output. */
interface Result {
  readonly input: string;
  readonly image?: Pick<LoadedImage, 'width' | 'height' | 'format'>;
  readonly top: readonly Prediction[];
  readonly logits: Float32Array;
  readonly probabilities: Float64Array;
}

function classify(input: string, logits: Float32Array, k: number, labels: ClassLabels | undefined, image?: LoadedImage): Result {
  const probabilities = softmax(logits);
  return { input, ...(image ? { image: { width: image.width, height: image.height, format: image.format } } : {}), top: topPredictions(logits, probabilities, k, labels?.names), logits, probabilities };
}

const resultJson = (r: Result) => ({
  input: r.input,
  ...(r.image ?? {}),
  top: r.top.map((p) => ({ ...p, probability: Number(p.probability.toPrecision(9)), logit: f32(p.logit) })),
  logits: Array.from(r.logits, f32),
  probabilities: Array.from(r.probabilities, (p) => Number(p.toPrecision(9))),
});

/** What happened to one image, concretely: "PNG 500x375 resized to 341x256, centre 224x224 cropped". */
function imageLabel(path: string, img: LoadedImage, p: ResolvedPreprocessing['preprocessing']): string {
  const size = resizedSize(img.width, img.height, p);
  const crop = p.resize === 'stretch' ? '' : `, centre ${p.crop[0]}x${p.crop[1]} cropped`;
  return `${path} (${img.format.toUpperCase()} ${img.width}x${img.height} resized to ${size.width}x${size.height}${crop})`;
}

function labelsLine(labels: ClassLabels | undefined, classes: number): string {
  if (labels) return labels.source === BUILTIN_IMAGENET_SOURCE ? labels.source : `${labels.source} (${labels.names.length} names)`;
  return `none (the model has ${classes} classes; --labels FILE names them, one per line)`;
}

type Mode = 'random' | 'image' | 'directory';

function inputMode(input: string): Mode {
  if (input === 'random') return 'random';
  try {
    return statSync(input).isDirectory() ? 'directory' : 'image';
  } catch {
    return 'image'; // the image reader names the problem (no such file, permission)
  }
}

/** Flags that do not apply to the input given are refused, not ignored. */
function checkFlagsApply(mode: Mode, command: Command): void {
  const given = (n: string) => command.getOptionValueSource(n) === 'cli';
  const preprocessing = givenPreprocessingFlags(command);
  if (mode === 'random' && preprocessing.length) throw new UsageError(`${preprocessing.join(', ')} appl${preprocessing.length === 1 ? 'ies' : 'y'} to image inputs; --input random feeds the model uniform noise directly`);
  if (mode !== 'directory' && given('batchSize')) throw new UsageError('--batch-size applies to a directory of images (--input DIR)');
  if (mode === 'directory' && given('runs')) throw new UsageError('--runs times one input; a directory is timed as a whole (its throughput is printed)');
}

export const registerRun: Register = (program, ctx) => {
  addPreprocessingFlags(
    program
      .command('run')
      .description('classify with a compiled model (ONNX file or TF.js directory): a random input, an image or a directory of images; top-k classes, latency or throughput')
      .argument('<artifact>', 'model.onnx, or a TF.js directory (or its model.json)')
      .addOption(new Option('--backend <name>', 'TF.js backend; auto picks tfjs-node-gpu, tfjs-node, wasm, then cpu').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'))
      .option('--input <src>', "'random', a JPEG, PNG or WebP image, or a directory of them (classified in batches)", 'random')
      .option('--labels <file>', 'class names, one per line in class-index order (default for 1000 classes: the ImageNet-1k names)')
      .option('--topk <n>', 'how many of the most probable classes to print', '5')
      .option('--batch-size <n>', 'images per run for a directory (an ONNX file compiled with --batch N runs N)', '8')
      .option('--runs <n>', 'timed runs of one input after one warm-up run; the median is reported', '10')
      .option('--seed <n>', 'seed of the random input', '0'),
  )
    .option('--json', 'JSON instead of text: every input with its top k, all logits and probabilities')
    .addHelpText('after', '\nExamples:\n  $ effnet run b0.onnx --runs 20\n  $ effnet run b0.onnx --input cat.jpg --preprocess torchvision\n  $ effnet run out/b0-tfjs --backend wasm --input photos/ --batch-size 16 --json')
    .action(async (artifact: string, flags: RunFlags, command: Command) => {
      const runs = integer(flags.runs, '--runs', 1, 100000, 'a positive integer');
      const seed = integer(flags.seed, '--seed', 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
      const k = integer(flags.topk, '--topk', 1, 1_000_000, 'a positive integer (how many classes to print)');
      const requestedBatch = integer(flags.batchSize, '--batch-size', 1, MAX_BATCH_SIZE, `an integer from 1 to ${MAX_BATCH_SIZE}`);
      const mode = inputMode(flags.input);
      checkFlagsApply(mode, command);
      const { kind, path } = artifactKind(artifact);
      // Said before a runtime fails on the missing weights with its own, less helpful message.
      if (isStructureOnly(kind, path)) throw new UsageError(`${artifact} is structure only (compiled with --init zeros): it holds no weights to run. Compile it with --init random (the default) or --weights FILE`);
      // Found before any runtime loads: an empty directory is a mistake to report at once.
      const files = mode === 'directory' ? listImages(flags.input) : [];
      const runner = kind === 'onnx' ? await onnxRunner(path, flags.backend) : await tfjsRunner(path, flags.backend);
      const weights = recordedWeights(kind, path);
      try {
        const [h, w, c] = runner.inputShape;
        let preprocessing: ResolvedPreprocessing | undefined;
        if (mode !== 'random') {
          if (c !== 3) throw new UsageError(`--input ${flags.input}: the model takes ${c} channels; image input is RGB (3)`);
          preprocessing = resolvePreprocessing(flags, recordedPreprocessing(kind, path), [h, w]);
        }
        const header = (inputLine: string, labels: ClassLabels | undefined, classes: number) => [
          `model:        ${artifact} (${formatName[runner.format] ?? runner.format})`,
          `runtime:      ${runner.runtime}`,
          ...(weights.storage === 'float32' ? [] : [`weights:      ${weights.description}`]),
          `input:        ${inputLine}${runner.dynamicSize ? ' (the model takes any size; fed the size it was compiled at)' : ''}`,
          ...(preprocessing ? [`preprocess:   ${describePreprocessing(preprocessing)}`] : []),
          `labels:       ${labelsLine(labels, classes)}`,
        ];
        const doc = (input: object, labels: ClassLabels | undefined, outputShape: readonly number[], results: readonly Result[], timing: object) => ({
          schemaVersion: REPORT_SCHEMA_VERSION,
          model: artifact,
          format: runner.format,
          ...(runner.dynamicSize ? { dynamicSize: true } : {}),
          runtime: runner.runtime,
          weights: weights.description,
          input: { ...input, layout: runner.modelInput.layout },
          preprocessing: preprocessing ? preprocessingJson(preprocessing) : null,
          labels: labels ? { source: labels.source, count: labels.names.length } : null,
          outputShape,
          topk: k,
          results: results.map(resultJson),
          ...timing,
        });

        if (mode !== 'directory') {
          const sample = mode === 'random'
            ? { data: sampleInput(h * w * c, seed), label: `random uniform [-1, 1), seed ${seed}` }
            : await loadImage(flags.input, h, w, preprocessing!.preprocessing).then((img) => ({ data: img.data, label: imageLabel(flags.input, img, preprocessing!.preprocessing), img }));
          const t0 = performance.now();
          let out = await runner.predict(sample.data);
          const warmup = performance.now() - t0;
          const classes = out.data.length / (out.shape[0] ?? 1);
          const labels = await classLabels(flags.labels, classes);
          const times: number[] = [];
          for (let i = 0; i < runs; i++) {
            const t = performance.now();
            out = await runner.predict(sample.data);
            times.push(performance.now() - t);
          }
          const result = classify(mode === 'random' ? 'random' : flags.input, out.data.slice(0, classes), k, labels, 'img' in sample ? sample.img : undefined);
          const latency = { median: median(times), runs, warmup };
          if (flags.json) {
            ctx.io.out(json(doc({ shape: runner.modelInput.shape, source: sample.label }, labels, out.shape, [result], { latencyMs: latency })));
            return;
          }
          ctx.io.out([
            ...header(`[${runner.modelInput.shape.join(', ')}] ${runner.modelInput.layout}, ${sample.label}`, labels, classes),
            `output shape: [${out.shape.join(', ')}]`,
            `${`top-${Math.min(k, classes)}:`.padEnd(14)}${result.top.map(formatPrediction).join(', ')}`,
            `latency:      median ${latency.median.toFixed(2)} ms over ${runs} run${runs > 1 ? 's' : ''} (warm-up ${warmup.toFixed(1)} ms, not counted)`,
          ].join('\n'));
          return;
        }

        // A directory: batches of images, decoded and preprocessed one batch at a time so memory stays bounded.
        const fixed = runner.fixedBatch;
        if (fixed !== undefined && command.getOptionValueSource('batchSize') === 'cli' && requestedBatch !== fixed) {
          throw new UsageError(`${artifact} was compiled for batches of exactly ${fixed} (compile --batch ${fixed}); --batch-size ${requestedBatch} cannot apply: leave it out, or give ${fixed}`);
        }
        const batchSize = fixed ?? requestedBatch;
        const sampleSize = h * w * c;
        const p = preprocessing!.preprocessing;
        const results: Result[] = [];
        let labels: ClassLabels | undefined;
        let classes = 0;
        let outputShape: number[] = [];
        let inferenceMs = 0;
        let decodeMs = 0;
        let batches = 0;
        const bar = progressBar(ctx.io, Math.ceil(files.length / batchSize), `classifying ${files.length} images`);
        try {
          for (let start = 0; start < files.length; start += batchSize) {
            const chunk = files.slice(start, start + batchSize);
            const t0 = performance.now();
            const data = new Float32Array(sampleSize * chunk.length);
            const images: LoadedImage[] = [];
            for (const [i, file] of chunk.entries()) {
              const img = await loadImage(file, h, w, p);
              data.set(img.data, i * sampleSize);
              images.push(img);
            }
            decodeMs += performance.now() - t0;
            // The first batch runs once untimed: the runtime's first run pays for allocation and compilation.
            if (start === 0) await runner.predict(data, chunk.length);
            const t1 = performance.now();
            const out = await runner.predict(data, chunk.length);
            inferenceMs += performance.now() - t1;
            batches++;
            if (start === 0) {
              outputShape = out.shape;
              classes = out.data.length / (out.shape[0] ?? 1);
              labels = await classLabels(flags.labels, classes);
            }
            for (const [i, file] of chunk.entries()) results.push(classify(file, out.data.slice(i * classes, (i + 1) * classes), k, labels, images[i]));
            bar.tick();
          }
        } finally {
          bar.done();
        }
        const n = files.length;
        const throughput = {
          images: n,
          batches,
          batchSize,
          inferenceSeconds: inferenceMs / 1000,
          decodeSeconds: decodeMs / 1000,
          imagesPerSecond: n / (inferenceMs / 1000),
          imagesPerSecondWithDecoding: n / ((inferenceMs + decodeMs) / 1000),
        };
        // A batch as the model receives it: the fixed size, or the largest batch run.
        const inputShape = [fixed ?? Math.min(batchSize, n), ...runner.modelInput.shape.slice(1)];
        const source = `${n} image${n === 1 ? '' : 's'} in ${flags.input}, ${batches} batch${batches === 1 ? '' : 'es'} of ${batchSize}${fixed !== undefined ? ' (the batch the ONNX file is compiled for)' : ''}`;
        if (flags.json) {
          ctx.io.out(json(doc({ shape: inputShape, source, directory: flags.input }, labels, outputShape, results, { throughput })));
          return;
        }
        const names = results.map((r) => basename(r.input));
        const width = Math.min(40, Math.max(...names.map((s) => s.length)));
        ctx.io.out([
          ...header(`[${inputShape.join(', ')}] ${runner.modelInput.layout}, ${source}`, labels, classes),
          `output shape: [${outputShape.join(', ')}] per batch`,
          `throughput:   ${throughput.imagesPerSecond.toFixed(1)} images/s inference (${batches} batch${batches === 1 ? '' : 'es'}, after one warm-up batch), ${throughput.imagesPerSecondWithDecoding.toFixed(1)} images/s with decoding and preprocessing`,
          `top-${Math.min(k, classes)} per image:`,
          ...results.map((r, i) => `  ${names[i]!.padEnd(width)}  ${r.top.map(formatPrediction).join(', ')}`),
        ].join('\n'));
      } finally {
        await runner.dispose();
      }
    });
};
