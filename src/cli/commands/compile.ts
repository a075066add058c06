/**
 * `effnet compile FILE --target onnx|tfjs|pytorch|all -o OUT`: runs the front end, emits the target's
 * artifact and writes it atomically. `--target all` writes every backend into the directory OUT:
 * OUT/model.onnx, OUT/tfjs/ and OUT/pytorch/.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { Option, type Command } from 'commander';
import { BackendError, type Artifact } from '../../../backends/backend.js';
import { backends } from '../../../backends/registry.js';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from '../../../backends/onnx/opset.js';
import { presetNames, presetPreprocessing, type PresetName } from '../../../backends/preprocessing.js';
import type { TfjsFormat } from '../../../backends/tfjs/tfjs-backend.js';
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { bytesText } from '../../report/units.js';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { UsageError } from '../io.js';
import { failureJson } from '../json-failure.js';
import { loadSpec } from '../load-spec.js';
import { compileWithWeights, openWeights } from '../checkpoint-input.js';
import type { OpenedCheckpoint } from '../../checkpoint/open-checkpoint.js';
import { weightValueDiagnostic, WeightValueError } from '../../weights/checkpoint-weights.js';
import { conventionNames } from '../../weights/naming/conventions.js';
import type { WeightSource } from '../../../backends/weight-source.js';
import type { Compilation, CompileOptions } from '../../pipeline.js';
import type { WeightsMapping } from '../../weights/map-checkpoint.js';
import type { CliContext, Register } from '../main.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';
import { checkVerifyMemory, checkVerifyRuntimes, verifyOutputs, type Verification, type VerifyReference } from '../verify-outputs.js';
import { onnxRunner, tfjsRunner } from '../model-runners.js';
import { composeDirectory } from '../output/compose.js';
import { collectQuantize, parseQuantizeFlag } from '../quantize-flag.js';
import { Float16RangeError } from '../../../backends/float16.js';
import { QuantizationRuleError, type QuantizationRule } from '../../../backends/tfjs/quantize.js';
import { outputTarget } from '../output/output-path.js';
import { writeArtifact } from '../output/write-artifact.js';
import { byteProgress } from '../progress.js';
import { deprecationWarning } from '../deprecated-flags.js';

interface CompileFlags extends ScalingFlags {
  target: string;
  output: string;
  opset: string;
  keepBn?: boolean;
  foldBn?: boolean;
  seed: string;
  weights?: string;
  init?: string;
  weightsConvention?: string;
  matchWeights?: boolean;
  batch?: string;
  externalData?: boolean;
  json?: boolean;
  shardMb: string;
  verify?: boolean;
  preprocess?: PresetName;
  quantize?: string[];
  tfjsFormat?: string;
  dynamicSize?: boolean;
}

/** Options every backend receives; each reads the ones it knows (CommonEmitOptions plus its own). */
export interface EmitFlags {
  readonly seed: number;
  /** The seeded initialisers, zeros, or (set once the checkpoint is mapped) the checkpoint's weights. */
  readonly weights: 'random' | 'zeros' | WeightSource;
  /** --init zeros: the structure and the weights' names and shapes, no weight bytes (backends/structure-only.ts). */
  readonly structureOnly: boolean;
  /** --weights FILE. */
  readonly checkpoint?: string;
  readonly opset: number;
  readonly keepBn: boolean;
  /** TF.js: fold BN into the convs (inference-only model); ONNX folds unless keepBn. */
  readonly foldBatchNorm: boolean;
  /** TF.js: the largest weight shard, in bytes (a multiple of 4). */
  readonly shardBytes: number;
  readonly batch?: number;
  readonly externalData: boolean;
  /** TF.js: weights stored quantized (--quantize); empty for float32. */
  readonly quantize: readonly QuantizationRule[];
  /** ONNX: weights stored as float16, cast to float32 at load (--quantize float16). */
  readonly float16?: boolean;
  /** TF.js: a LayersModel (trainable) or a graph model (inference). */
  readonly tfjsFormat: TfjsFormat;
  /** ONNX and TF.js: symbolic height and width; the report stays at the spec's size. */
  readonly dynamicSize: boolean;
}

function integer(text: string, flag: string, min: number, max: number, what: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`${flag} expects ${what}, got '${text}'`);
  return v;
}

export function emitFlags(f: CompileFlags): EmitFlags {
  const opset = Number(f.opset);
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new UsageError(`unsupported opset '${f.opset}': effnet emits ONNX opsets ${MIN_OPSET} to ${MAX_OPSET}`);
  }
  if (f.keepBn && f.foldBn) throw new UsageError('--keep-bn and --fold-bn contradict each other: choose one');
  // --weights random|zeros is the old spelling of --init; a checkpoint file named 'zeros' is './zeros'.
  const legacy = f.weights === 'random' || f.weights === 'zeros' ? f.weights : undefined;
  if (f.init !== undefined && f.init !== 'random' && f.init !== 'zeros') throw new UsageError(`--init expects 'random' or 'zeros', got '${f.init}'`);
  if (f.init !== undefined && f.weights !== undefined) throw new UsageError(`--init ${f.init} and --weights ${f.weights} both say where the weights come from: choose one`);
  const checkpoint = f.weights !== undefined && !legacy ? f.weights : undefined;
  if (!checkpoint && (f.weightsConvention !== undefined || f.matchWeights)) throw new UsageError(`${f.matchWeights ? '--match-weights' : '--weights-convention'} applies to --weights FILE`);
  const init = (f.init ?? legacy ?? 'random') as 'random' | 'zeros';
  // A structure-only model has no weights to run: refuse before anything is built or written.
  if (init === 'zeros' && f.verify) throw new UsageError(`--verify runs the model, and --init zeros writes its structure only, with no weights to run: verify a build with --init random (the default) or --weights FILE`);
  return {
    seed: integer(f.seed, '--seed', 0, 2 ** 32 - 1, 'an integer from 0 to 4294967295'),
    weights: init,
    structureOnly: init === 'zeros',
    ...(checkpoint ? { checkpoint } : {}),
    opset,
    keepBn: f.keepBn === true,
    foldBatchNorm: f.foldBn === true,
    shardBytes: shardBytes(f.shardMb),
    ...(f.batch !== undefined ? { batch: integer(f.batch, '--batch', 1, 2 ** 31 - 1, 'a positive integer') } : {}),
    externalData: f.externalData === true,
    quantize: (f.quantize ?? []).map(parseQuantizeFlag),
    tfjsFormat: tfjsFormat(f.tfjsFormat),
    dynamicSize: f.dynamicSize === true,
  };
}

function tfjsFormat(text: string | undefined): TfjsFormat {
  if (text === undefined || text === 'layers' || text === 'graph') return text ?? 'layers';
  throw new UsageError(`--tfjs-format expects 'layers' or 'graph', got '${text}'`);
}

/** --shard-mb in MiB, as bytes rounded to whole float32 values so no number is split across files. */
function shardBytes(text: string): number {
  const mb = text.trim() === '' ? NaN : Number(text);
  if (!(mb > 0 && mb <= 2048)) throw new UsageError(`--shard-mb expects a size in MiB above 0 and at most 2048, got '${text}'`);
  return Math.max(4, Math.round((mb * 1024 * 1024) / 4) * 4);
}

/** Flags that only some targets read (commander's option keys), by the targets that read them. */
const targetFlags: readonly (readonly [readonly string[], readonly string[]])[] = [
  [['onnx'], ['opset', 'keepBn', 'batch', 'externalData']],
  [['tfjs'], ['foldBn', 'shardMb', 'tfjsFormat']],
  [['onnx', 'tfjs'], ['dynamicSize']],
];

/** A quantized target's float32 twin, run from memory (never written) so --verify can say what quantizing cost. */
function floatReference(target: string, emit: () => Artifact): VerifyReference {
  return {
    label: `${target} (float32, in memory)`,
    runner: () => {
      const files = new Map(emit().files.map((f) => [f.path, Buffer.concat([...f.chunks()])] as const));
      return target === 'onnx' ? onnxRunner(files.get('')!, 'auto') : tfjsRunner(files, 'auto');
    },
  };
}

/**
 * Where --quantize goes: TF.js takes every mode and pattern; ONNX only float16 for every weight (stored as
 * float16, cast to float32 at load: ORT's CPU provider has no float16 convolutions, and the affine uint8 and
 * uint16 forms are tfjs-converter's), so `--target onnx` refuses anything else. Returns whether the ONNX
 * file is written with float16 weights.
 */
function quantizeTargets(rules: readonly QuantizationRule[], targets: readonly string[]): boolean {
  if (!rules.length) return false;
  if (!targets.includes('tfjs') && !targets.includes('onnx')) throw new UsageError(`--quantize applies to --target tfjs, onnx (float16) or all, not ${targets.join(', ')}`);
  const float16 = rules.length === 1 && rules[0]!.mode === 'float16' && !rules[0]!.patterns;
  if (!targets.includes('tfjs') && !float16) throw new UsageError(`--target onnx stores weights as float16 only, every weight (--quantize float16): uint8, uint16 and patterns are TF.js's (tfjs-converter's quantization)`);
  return float16 && targets.includes('onnx');
}

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Where one target's artifact goes. */
function outputFor(target: string, out: string, all: boolean): string {
  if (!all) return out;
  return target === 'onnx' ? join(out, 'model.onnx') : join(out, target);
}

/** A directory output as messages show it: one trailing slash, whether or not -o had one. */
const asDirectory = (p: string) => (p.endsWith('/') ? p : `${p}/`);

export const registerCompile: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('compile')
      .description('compile a spec to a model file: ONNX (opsets 13-26), a TF.js LayersModel directory or a PyTorch module directory')
      .argument('<file>', '.effnet spec file')
      .addOption(new Option('-t, --target <name>', `what to emit: ${[...Object.keys(backends), 'all'].join(', ')}`).default('onnx'))
      .requiredOption('-o, --output <path>', 'output file (a directory for tfjs, pytorch and all)')
      .option('--opset <n>', `ONNX opset, ${MIN_OPSET} to ${MAX_OPSET}`, String(DEFAULT_OPSET))
      .option('--keep-bn', 'ONNX: keep BatchNormalization nodes (default: fold them into the convolutions)')
      .option('--fold-bn', 'TF.js: fold BatchNormalization into the convolutions, an inference-only model that runs faster (default: keep them, trainable)')
      .option('--weights <file>', 'trained weights: a safetensors file, a PyTorch .pt/.pth (torch.save), or a TF.js model directory')
      .addOption(new Option('--weights-convention <name>', 'the checkpoint\'s names (default: detected from its keys)').choices(conventionNames))
      .option('--match-weights', "build the spec with the padding and BN epsilon the checkpoint's convention implies (torchvision: symmetric, 1e-5)")
      .option('--init <kind>', "without --weights: 'random' (the reference initialisers, seeded) or 'zeros' (structure only)")
      .option('--seed <n>', 'seed of the deterministic random weights', '0')
      .option('--batch <n>', 'fixed batch size (default: a symbolic batch dimension N)')
      .option('--external-data', 'keep ONNX weights in a side file OUT.data (automatic past 2 GB)')
      .option('--shard-mb <n>', 'TF.js: largest weight shard in MiB (a large value gives one file)', '4')
      .option('--quantize <mode>', "TF.js: store weights as float16, uint16 or uint8 (tfjs-converter's quantization, dequantized by tf.loadLayersModel); MODE:PATTERN,... for the weights whose names match (fnmatch: 'uint8:*kernel'); repeatable", collectQuantize)
      .addOption(new Option('--tfjs-format <format>', "TF.js: 'layers' (a LayersModel: trainable, tf.loadLayersModel) or 'graph' (a graph model for inference: BN folded, fused ops, tf.loadGraphModel)").choices(['layers', 'graph']))
      .option('--dynamic-size', "ONNX and TF.js: take any input height and width (TF 'same' padding computed per size); the report and --verify stay at the spec's size")
      .addOption(new Option('--preprocess <preset>', "record in the model the preprocessing it expects, which effnet run applies by default (torchvision: resize to input/0.875, centre crop, ImageNet mean/std; keras: stretch, [-1, 1]; none: stretch, [0, 1])").choices(presetNames))
      .option('--verify', 'load what was written into its runtime and run it once: shapes, finite values, and the targets agreeing (pytorch needs a Python with torch: EFFNET_PYTHON)')
      .option('--json', 'what was written, as JSON on stdout')
      .addHelpText(
        'after',
        '\nExamples:\n  $ effnet compile specs/efficientnet-b0.effnet --target onnx -o b0.onnx\n  $ effnet compile specs/efficientnet-b0.effnet --variant b7 -o b7.onnx --external-data\n  $ effnet compile specs/efficientnet-b0.effnet --target pytorch -o b0/\n  $ effnet compile specs/mobilenet-v2.effnet --target all -o out/\n  $ effnet compile specs/efficientnet-b0.effnet --target tfjs --tfjs-format graph -o b0-graph/',
      ),
  ).action(async (file: string, flags: CompileFlags, command: Command) => {
    const options = compileOptions(flags);
    const emit = emitFlags(flags);
    const all = flags.target === 'all';
    const targets = targetsOf(flags.target);
    // A flag for a target that is not being written would be silently ignored: refuse it instead.
    for (const [readers, names] of targetFlags) {
      const given = names.filter((n) => command.getOptionValueSource(n) === 'cli');
      if (given.length && !readers.some((t) => targets.includes(t))) throw new UsageError(`${given.map(flagName).join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to --target ${readers.join(' or ')} (or all), not ${flags.target}`);
    }
    if (all && flags.dynamicSize) ctx.io.err(`note: --dynamic-size applies to the ONNX file and the TF.js model; the PyTorch module pads as compiled`);
    if (all && flags.batch !== undefined) ctx.io.err(`note: --batch applies to the ONNX file; the TF.js model takes any batch`);
    const onnxFloat16 = quantizeTargets(emit.quantize, targets);
    if (all && emit.quantize.length) ctx.io.err(`note: --quantize applies to the TF.js model${onnxFloat16 ? ' and model.onnx (float16); pytorch/ keeps' : '; model.onnx (which takes --quantize float16 alone) and pytorch/ keep'} float32 weights`);
    checkStdoutOutput(flags);
    if (legacyWeightsFlag(flags)) ctx.io.err(deprecationWarning(`--weights ${flags.weights}`)!);
    const checkpoint = emit.checkpoint ? await openWeights(emit.checkpoint) : undefined;
    try {
      await compileTargets(file, flags, { ...emit, float16: onnxFloat16 }, options, targets, all, checkpoint, ctx);
    } finally {
      checkpoint?.close();
    }
  });
};

const legacyWeightsFlag = (f: CompileFlags) => f.weights === 'random' || f.weights === 'zeros';

/** The backends `--target NAME` writes: one, or every one for `all`. */
function targetsOf(target: string): string[] {
  const targets = target === 'all' ? Object.keys(backends) : [target];
  for (const t of targets) {
    if (!backends[t]) throw new UsageError(`unknown target '${t}': expected one of ${[...Object.keys(backends), 'all'].join(', ')}`);
  }
  return targets;
}

function checkStdoutOutput(flags: CompileFlags): void {
  if (flags.output !== '-' && flags.output !== '/dev/stdout') return;
  const clash = flags.json ? '--json' : flags.verify ? '--verify' : flags.externalData ? '--external-data' : undefined;
  if (clash) throw new UsageError(`-o ${flags.output} writes the model to standard output, which ${clash} cannot share; give a file path`);
}

/** What `grid --candidate K -o OUT` asks of compile; every other flag keeps compile's default. */
export interface CompileRequest {
  readonly target: string;
  readonly output: string;
  readonly seed?: string;
  readonly verify?: boolean;
}

/**
 * Compiles a spec scaled by `options` as `effnet compile` would (the same checks, writes and messages), for
 * commands that pick the scaling themselves: a grid candidate's phi = 1 model.
 */
export async function compileScaled(file: string, options: CompileOptions, request: CompileRequest, ctx: CliContext): Promise<void> {
  const flags: CompileFlags = { target: request.target, output: request.output, opset: String(DEFAULT_OPSET), seed: request.seed ?? '0', shardMb: '4', ...(request.verify ? { verify: true } : {}) };
  const targets = targetsOf(flags.target);
  checkStdoutOutput(flags);
  await compileTargets(file, flags, emitFlags(flags), options, targets, flags.target === 'all', undefined, ctx);
}

async function compileTargets(file: string, flags: CompileFlags, emitOptions: EmitFlags, options: CompileOptions, targets: readonly string[], all: boolean, checkpoint: OpenedCheckpoint | undefined, ctx: CliContext): Promise<void> {
    let emit = emitOptions;
    const loaded: { compilation: Compilation; exitCode: number; mapping?: WeightsMapping; weights?: WeightSource } = checkpoint
      ? compileWithWeights(file, options, checkpoint, { path: checkpoint.path, ...(flags.weightsConvention ? { convention: flags.weightsConvention } : {}), ...(flags.matchWeights ? { match: true } : {}) }, ctx.io)
      : loadSpec(file, options, ctx.io);
    const { compilation, exitCode } = loaded;
    if (exitCode !== 0) {
      const mapped = loaded.mapping?.diagnostics ?? [];
      if (flags.json) ctx.io.out(failureJson([{ file, source: compilation.file, diagnostics: [...compilation.diagnostics, ...mapped], dropped: compilation.diagnosticsDropped ?? 0 }]));
      return ctx.setExit(exitCode);
    }
    if (loaded.weights) emit = { ...emit, weights: loaded.weights };
    const graph = compilation.graph!;
    // The overwrite rule and the input check come before any weight is generated.
    const target = outputTarget(flags.output, all || flags.target !== 'onnx' ? 'directory' : 'file', [file]);
    if (flags.verify) {
      checkVerifyMemory(graph, targets);
      checkVerifyRuntimes(targets);
    }
    const specHash = createHash('sha256').update(compilation.file.text).digest('hex');
    const { height, width } = graph.spec.input;
    const implied = flags.preprocess ? undefined : loaded.mapping?.convention?.preprocessing;
    if (implied) ctx.io.err(`note: recording the ${implied} preprocessing in the model, as the checkpoint's ${loaded.mapping!.convention!.name} convention implies (--preprocess none records none)`);
    const preset = flags.preprocess ?? implied;
    const preprocessing = preset ? presetPreprocessing(preset, height, width) : undefined;
    // Every target is emitted (its structure built and checked) before anything is written, so a target that
    // cannot express the model leaves no output from the others either.
    const emitted: { target: string; out: string; artifact: Artifact; reference: () => Artifact }[] = [];
    const failures: Diagnostic[] = [];
    for (const t of targets) {
      const out = outputFor(t, flags.output, all);
      const backend = await backends[t]!();
      const options = { ...emit, specHash, ...(preprocessing ? { preprocessing } : {}), externalDataBase: all ? 'model.onnx' : basename(target.path) };
      try {
        // The same target with float32 weights, in one file, for --verify of a quantized model written alone.
        const reference = () => backend.emit(graph, { ...options, quantize: [], float16: false, externalData: false });
        emitted.push({ target: t, out, artifact: backend.emit(graph, options), reference });
      } catch (e) {
        // A --quantize pattern that names no weight of this model: the flag is wrong, not the spec.
        if (e instanceof QuantizationRuleError) throw new UsageError(e.message);
        if (!(e instanceof BackendError)) throw e;
        // A model the target cannot express (a grouped conv in TF.js, ...): the spec's problem, exit 1.
        const { node } = e;
        const why = e.why ?? e.message;
        if (node) {
          const d = diagnostic('E0601', node.span, { target: t, layer: node.name, why });
          failures.push(d);
          ctx.io.err(formatDiagnostics([d], compilation.file, { color: ctx.io.color }) + '\n');
        } else {
          ctx.io.err(`effnet: error: ${t}: ${e.message}`);
        }
        ctx.setExit(1);
      }
    }
    for (const { target: t, artifact } of emitted) {
      // One warning with its source line; a ResNeXt has one such layer per block, so the rest are counted.
      const [first, ...more] = artifact.notes ?? [];
      if (!first) continue;
      const d = diagnostic('W0602', first.node.span, { target: t, layer: first.node.name, what: first.what, cost: first.cost });
      ctx.io.err(formatDiagnostics([d], compilation.file, { color: ctx.io.color }) + '\n');
      if (more.length) ctx.io.err(`effnet: warning: ${t}: ${more.length} more layer${more.length === 1 ? '' : 's'} written the same way (${more.map((n) => n.node.name).slice(0, 3).join(', ')}${more.length > 3 ? ', ...' : ''})\n`);
    }
    if (emitted.length < targets.length) {
      if (all) ctx.io.err('effnet: nothing written: every target must compile for --target all');
      if (flags.json) ctx.io.out(failureJson([{ file, source: compilation.file, diagnostics: [...compilation.diagnostics, ...failures] }]));
      return;
    }
    const report = compilation.report!.total;
    const started = performance.now();
    // Weights are generated while they are written: the bar tracks both.
    // The backends that know their size say so (quantized weights are smaller); the others write float32.
    const expected = emitted.reduce((sum, { artifact: { summary: s } }) => sum + (typeof s.weightBytes === 'number' ? s.weightBytes : typeof s.modelBytes === 'number' ? s.modelBytes + Number(s.externalDataBytes ?? 0) : 4 * (report.params + report.bnStats)), 0);
    const bar = byteProgress(ctx.io, expected, `writing ${basename(flags.output)}`);
    const composed = all ? composeDirectory(emitted.map((e) => ({ name: e.target === 'onnx' ? 'model.onnx' : e.target, artifact: e.artifact }))) : undefined;
    let written;
    try {
      written = await writeArtifact(composed?.artifact ?? emitted[0]!.artifact, target, { onProgress: bar, ...(ctx.io.writeBytes ? { stdout: ctx.io.writeBytes } : {}) });
    } catch (e) {
      if (e instanceof Float16RangeError) {
        // A weight float16 cannot hold, found as it was converted: the write stopped and left nothing.
        const layer = e.weight.slice(0, e.weight.lastIndexOf('/'));
        const node = graph.nodes.find((n) => n.name === layer) ?? graph.nodes.at(-1)!;
        const d = diagnostic('E0602', node.span, { weight: e.weight, layer: node.name, index: e.index, value: String(e.value) });
        ctx.io.err(formatDiagnostics([d], compilation.file, { color: ctx.io.color }) + '\neffnet: nothing written');
        if (flags.json) ctx.io.out(failureJson([{ file, source: compilation.file, diagnostics: [d] }]));
        return ctx.setExit(1);
      }
      if (!(e instanceof WeightValueError)) throw e;
      // A NaN or infinite weight, found as it was read: the write stopped and left nothing.
      const d = weightValueDiagnostic(e);
      ctx.io.err(formatDiagnostics([d], compilation.file, { color: ctx.io.color }) + '\neffnet: nothing written');
      if (flags.json) ctx.io.out(failureJson([{ file, source: compilation.file, diagnostics: [d] }]));
      return ctx.setExit(1);
    } finally {
      bar.done();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const outputs = [];
    for (const { target: t, out, artifact } of emitted) {
      const partName = t === 'onnx' ? 'model.onnx' : t;
      const files = composed ? composed.paths.get(partName)!.map((p) => join(flags.output, p)) : written.paths;
      const bytes = composed ? composed.bytes.get(partName)! : written.bytes;
      const s = artifact.summary;
      const folded = s.foldedBatchNorm === true;
      // Folding removes BN's gamma and beta and adds conv biases: say so, or the count looks wrong next to the report's.
      const params = typeof s.params === 'number' ? `, ${s.params.toLocaleString('en-US')} params${folded ? ` after folding BN, ${report.params.toLocaleString('en-US')} before` : ''}` : '';
      const opset = typeof s.opset === 'number' ? `${folded ? ';' : ','} opset ${s.opset}` : '';
      const quantized = typeof s.quantization === 'string' ? `; weights ${s.quantization}` : '';
      const where = artifact.layout === 'directory' ? `${asDirectory(out)} (${files.length} file${files.length === 1 ? '' : 's'}, ` : `${files.join(' + ')} (`;
      // The figures are the spec's size's, which a model taking any size was costed at.
      const size = s.dynamicSize === true ? `; any input size, costed at ${graph.spec.input.height}x${graph.spec.input.width}` : '';
      const only = s.structureOnly === true ? ', structure only: no weights' : '';
      ctx.io.err(`${file}: wrote ${where}${bytesText(bytes)}${params}${opset}${quantized}${size}${only})${composed ? '' : ` in ${seconds} s`}`);
      outputs.push({ target: t, path: out, files, bytes, ...s });
    }
    if (composed) ctx.io.err(`${file}: wrote ${asDirectory(flags.output)} in ${seconds} s`);
    let verification: Verification | undefined;
    if (flags.verify) {
      const alone = emitted.length === 1 && typeof emitted[0]!.artifact.summary.quantization === 'string' ? emitted[0]! : undefined;
      const reference = alone ? floatReference(alone.target, alone.reference) : undefined;
      verification = await verifyOutputs(emitted.map((e) => ({ target: e.target, path: e.out })), graph.nodes.at(-1)!.shape, emit.seed, reference);
      for (const v of verification.outputs) ctx.io.err(`verify: ${v.target} on ${v.runtime}: output [${v.outputShape.join(', ')}]${v.finite ? ', finite' : ''}${v.weights === 'float32' ? '' : `; weights ${v.weights}`}`);
      for (const { targets: [a, b], agreement } of verification.comparisons) if (agreement.evidence) ctx.io.err(`verify: outputs of ${a} and ${b} ${agreement.summary}`);
      for (const n of verification.notes) ctx.io.err(`verify: note: ${n}`);
      for (const p of verification.problems) ctx.io.err(`effnet: error: verify: ${p}`);
      if (!verification.ok) ctx.setExit(1);
    }
    // No timings in the document, so that two runs diff clean.
    if (flags.json) {
      const a = verification?.agreement;
      const verify = verification && {
        ok: verification.ok,
        outputs: verification.outputs,
        // The comparison furthest from agreement; each one under comparisons.
        ...(a ? { relativeDifference: a.relative, tolerance: a.tolerance, evidence: a.evidence } : {}),
        comparisons: verification.comparisons.map((c) => ({ targets: c.targets, relativeDifference: c.agreement.relative, maxAbsDifference: c.agreement.maxAbsDifference, scale: c.agreement.scale, evidence: c.agreement.evidence, ok: c.agreement.ok })),
        problems: verification.problems,
        notes: verification.notes,
      };
      ctx.io.out(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ok: verification?.ok ?? true, file, model: compilation.scaled!.name, params: report.params, macs: report.macs, ...(preprocessing ? { preprocessing } : {}), outputs, ...(verify ? { verify } : {}) }, null, 2));
    }
}
