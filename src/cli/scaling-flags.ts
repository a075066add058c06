/** The scaling flags shared by report, scale and compile. */
import type { Command } from 'commander';
import type { CompileOptions } from '../pipeline.js';
import type { ScalingRequest } from '../passes/compound-scale.js';
import { maxValue } from '../ir/limits.js';
import { UsageError } from './io.js';

/** A variant's phi has the same range (lower.ts). */
const MAX_PHI = 20;
/** --depth may go past the spec's 1000 limit: the layer limit (E0506) refuses it with the layer count, in milliseconds. */
const MAX_DEPTH_FLAG = 1e9;

export interface ScalingFlags {
  variant?: string;
  phi?: string;
  alpha?: string;
  beta?: string;
  gamma?: string;
  width?: string;
  depth?: string;
  resolution?: string;
  inputSize?: string;
  maxParams?: string;
  padding?: string;
  bnEps?: string;
  classes?: string;
}

export function addScalingFlags(cmd: Command): Command {
  return cmd
    .option('--variant <name>', "a member of the spec's variants table (e.g. b3, resnet101)")
    .option('--phi <phi>', 'compound coefficient: depth alpha^phi, width beta^phi, resolution gamma^phi')
    .option('--alpha <a>', "depth base for --phi (default: the spec's, else 1.2)")
    .option('--beta <b>', "width base for --phi (default: the spec's, else 1.1)")
    .option('--gamma <g>', "resolution base for --phi (default: the spec's, else 1.15)")
    .option('--width <w>', 'explicit width multiplier')
    .option('--depth <d>', 'explicit depth multiplier')
    .option('--resolution <r>', 'explicit resolution multiplier (2 doubles the input size)')
    .option('--input-size <px>', 'input height and width in pixels (instead of --resolution)')
    .option('--max-params <n>', 'refuse models with more parameters than this (accepts 12M, 2G)')
    .option('--padding <mode>', "override the spec's padding: 'same' (TF) or 'symmetric' (PyTorch)")
    .option('--bn-eps <e>', "override the spec's batch-norm epsilon (torchvision's EfficientNet: 1e-5)")
    .option('--classes <n>', "override the spec's number of classes (a fine-tuned head)");
}

/** Parses numbers with optional K/M/G suffixes (1.8G, 12M). */
export function parseAmount(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*([kKmMgGtT]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} expects a number such as 1.8G or 12M, got '${text}'`);
  const base = Number(m[1]) * 10 ** Number(m[2] ?? 0);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[3]!.toLowerCase()]!;
  return base * mult;
}

/** A number above (or at least) `min` and at most `max`; the limits are the spec's own (ir/limits.ts). */
function num(text: string | undefined, flag: string, min: number, max: number, exclusive = true): number | undefined {
  if (text === undefined) return undefined;
  const v = text.trim() === '' ? NaN : Number(text);
  if (Number.isNaN(v) || (exclusive ? v <= min : v < min)) {
    throw new UsageError(`${flag} expects a number ${exclusive ? 'above' : 'of at least'} ${min}, got '${text}'`);
  }
  if (!(v <= max)) throw new UsageError(`${flag} ${text} is too large: the most it may be is ${max.toLocaleString('en-US')}`);
  return v;
}

function wholeNumber(text: string, flag: string, max: number): number {
  const v = num(text, flag, 1, max, false)!;
  if (!Number.isInteger(v)) throw new UsageError(`${flag} expects a whole number, got '${text}'`);
  return v;
}

function pixels(text: string): number {
  const v = num(text, '--input-size', 1, maxValue('input'), false)!;
  if (!Number.isInteger(v)) throw new UsageError(`--input-size expects whole pixels, got '${text}'`);
  return v;
}

export function compileOptions(f: ScalingFlags): CompileOptions {
  // Below 0 scales a model down (what --target-macs finds for a budget under the spec's own cost).
  const phi = num(f.phi, '--phi', -MAX_PHI, MAX_PHI, false);
  const explicit = [f.width, f.depth, f.resolution, f.inputSize].some((x) => x !== undefined);
  if (phi !== undefined && explicit) throw new UsageError('use either --phi or --width/--depth/--resolution, not both');
  if ((f.alpha ?? f.beta ?? f.gamma) !== undefined && phi === undefined) throw new UsageError('--alpha, --beta and --gamma need --phi');
  if (f.resolution !== undefined && f.inputSize !== undefined) throw new UsageError('use either --resolution or --input-size, not both');
  const req: ScalingRequest = {
    ...(phi !== undefined ? { phi } : {}),
    // Compound scaling only grows a network (the spec's own scaling block gets E0501 for the same rule).
    ...(f.alpha !== undefined ? { alpha: num(f.alpha, '--alpha', 1, maxValue('alpha'), false)! } : {}),
    ...(f.beta !== undefined ? { beta: num(f.beta, '--beta', 1, maxValue('beta'), false)! } : {}),
    ...(f.gamma !== undefined ? { gamma: num(f.gamma, '--gamma', 1, maxValue('gamma'), false)! } : {}),
    ...(f.width !== undefined ? { width: num(f.width, '--width', 0, maxValue('width'))! } : {}),
    ...(f.depth !== undefined ? { depth: num(f.depth, '--depth', 0, MAX_DEPTH_FLAG)! } : {}),
    ...(f.resolution !== undefined ? { resolution: num(f.resolution, '--resolution', 0, maxValue('width'))! } : {}),
    ...(f.inputSize !== undefined ? { inputSize: pixels(f.inputSize) } : {}),
  };
  const any = Object.keys(req).length > 0;
  if (f.padding !== undefined && f.padding !== 'same' && f.padding !== 'symmetric') throw new UsageError(`--padding expects 'same' or 'symmetric', got '${f.padding}'`);
  const overrides = {
    ...(f.padding !== undefined ? { padding: f.padding as 'same' | 'symmetric' } : {}),
    ...(f.bnEps !== undefined ? { bnEps: num(f.bnEps, '--bn-eps', 0, maxValue('eps'))! } : {}),
    ...(f.classes !== undefined ? { classes: wholeNumber(f.classes, '--classes', maxValue('classes')) } : {}),
  };
  return {
    ...(f.variant !== undefined ? { variant: f.variant } : {}),
    ...(any ? { scaling: req } : {}),
    ...(Object.keys(overrides).length ? { overrides } : {}),
    ...(f.maxParams !== undefined ? { maxParams: parseAmount(f.maxParams, '--max-params') } : {}),
  };
}
