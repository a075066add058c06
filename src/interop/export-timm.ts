/**
 * A scaled spec as timm block strings (`effnet export --timm`), with what the strings leave out: the stem and
 * head widths and the model-level settings (activation, where SE squeezes), as the `effnet import --timm`
 * flags that rebuild the same network. timm keeps those outside the strings too (stem_size, num_features,
 * se_from_exp), so a scaled B3's 40-channel stem and 1536-channel head would otherwise be lost.
 */
import type { LayerSpec, ModelSpec } from '../ir/spec.js';
import { scaledModelName } from '../ir/scaled-name.js';
import { efficientNetFrame } from './import-timm.js';
import { encodeBlockString } from './timm-block-strings.js';

/** A model timm's block strings cannot describe, with the part (stem, head, se) and why. */
export class TimmExportError extends Error {
  constructor(part: string, why: string) {
    super(`the ${part}: ${why}`);
  }
}

export interface TimmExport {
  /** One string per stage row (MNASNet's depthwise-separable stem tail first, as timm writes it). */
  readonly blockStrings: readonly string[];
  readonly stemChannels: number;
  /** The head conv's channels; undefined for a head import cannot build (MobileNetV3's, see notes). */
  readonly headChannels?: number;
  /** What SE ratios multiply: timm's EfficientNet builder (input) or MobileNetV3's se_from_exp (expanded). */
  readonly seBase: 'input' | 'expanded';
  /** The flags after `effnet import --timm STRINGS` that rebuild the model, or come nearest (defaults left out). */
  readonly importFlags: readonly string[];
  /** Whether importing the strings with importFlags gives this network back (same layers and parameters). */
  readonly rebuilds: boolean;
  /** What the strings and flags cannot say. */
  readonly notes: readonly string[];
}

const isConv = (l: LayerSpec | undefined, kernel: number, stride: number): l is LayerSpec => l?.op === 'conv' && (l.kernel ?? 1) === kernel && l.stride === stride && l.groups === 1;

/** The stem: import builds one 3x3 stride-2 conv; MNASNet's dw + linear 1x1 after it is timm's `ds ... noskip`. */
function stemOf(spec: ModelSpec): { channels: number; tail: string[] } {
  const [first, dw, pw, ...rest] = spec.stem;
  if (!isConv(first, 3, 2)) throw new TimmExportError('stem', 'timm block strings start after a single 3x3 stride-2 stem conv, and this stem begins otherwise');
  if (dw === undefined) return { channels: first.channels!, tail: [] };
  if (dw.op === 'dwconv' && isConv(pw, 1, 1) && pw.act === 'none' && rest.length === 0) {
    return { channels: first.channels!, tail: [encodeBlockString({ op: 'mbconv', repeats: 1, channels: pw.channels!, kernel: dw.kernel ?? 3, stride: dw.stride, expand: 1, skip: false })] };
  }
  throw new TimmExportError('stem', 'only a depthwise conv and a linear 1x1 conv (timm\'s ds block) may follow the stem conv');
}

/** SE as timm writes it: the ratio in the string, the base for the whole model. */
function seBaseOf(spec: ModelSpec): 'input' | 'expanded' {
  const ses = spec.stages.flatMap((s) => (s.se ? [s.se] : []));
  const bases = new Set(ses.map((s) => s.base));
  if (bases.size > 1) throw new TimmExportError('squeeze-excitation', 'SE on input channels in some stages and expanded channels in others: timm chooses one per model (se_from_exp)');
  if (!bases.has('expanded')) return 'input';
  // timm's MobileNetV3 SE: ReLU inside, a hard-sigmoid gate, squeeze width rounded to a multiple of 8.
  if (ses.some((s) => s.gate !== 'hard_sigmoid' || s.act !== 'relu' || s.divisor !== 8)) {
    throw new TimmExportError('squeeze-excitation', "SE on expanded channels is timm's MobileNetV3 SE only with se_gate hard_sigmoid, se_act relu and se_divisor 8");
  }
  return 'expanded';
}

/** A row's expansion ratio; a `mid` width becomes mid / input channels, which timm multiplies back. */
function expandOf(row: LayerSpec, inputChannels: number): number | undefined {
  if (row.mid === undefined) return row.expand;
  const e = Number((row.mid / inputChannels).toPrecision(6));
  if (Math.round(inputChannels * e) !== row.mid) throw new TimmExportError(`${row.op} row`, `hidden width ${row.mid} is no ratio of the ${inputChannels} input channels timm can write`);
  return e;
}

export function exportTimm(spec: ModelSpec): TimmExport {
  // The stages first: an operator with no block (ResNet's bottleneck) is the first thing to say.
  let channels = [...spec.stem].reverse().find((l) => l.channels !== undefined)?.channels ?? spec.input.channels;
  // Rows that only repeat the row before at stride 1 are one stage to timm (MobileNetV3's one-block rows).
  const rows: string[] = [];
  const kept: { shape: string; repeats: number; stride: number; row: LayerSpec }[] = [];
  for (const row of spec.stages) {
    const expand = expandOf(row, channels);
    const base = { ...row, expand, ...(row.act === spec.activation ? { act: undefined } : {}) };
    const shape = encodeBlockString({ ...base, repeats: 1, stride: 1 });
    const last = kept.at(-1);
    if (last && last.shape === shape && row.stride === 1) last.repeats += row.repeats;
    else kept.push({ shape, repeats: row.repeats, stride: row.stride, row: base as LayerSpec });
    channels = row.channels ?? channels;
  }
  for (const k of kept) rows.push(encodeBlockString({ ...k.row, repeats: k.repeats, stride: k.stride }));
  const stem = stemOf(spec);
  const seBase = seBaseOf(spec);
  const notes: string[] = [];
  let headChannels: number | undefined;
  const [conv, ...after] = spec.head;
  if (isConv(conv, 1, 1) && after.length === 0) headChannels = conv.channels!;
  else if (isConv(conv, 1, 1) && after.length === 2 && after[0]!.op === 'gap' && after[1]!.op === 'dense') {
    // timm's MobileNetV3: the conv is its last block string, then global pool and a 1x1 conv_head (num_features).
    rows.push(encodeBlockString({ op: 'conv', repeats: 1, channels: conv.channels!, kernel: 1, stride: 1, skip: false }));
    notes.push(`the head pools, then a dense ${after[1]!.channels} layer: timm's MobileNetV3 conv_head (num_features ${after[1]!.channels}); effnet import --timm builds a conv head instead, so it does not rebuild this model`);
  } else if (spec.head.length > 0) {
    throw new TimmExportError('head', 'it is neither a single 1x1 conv (EfficientNet) nor a 1x1 conv, pool and dense layer (MobileNetV3)');
  } else {
    notes.push('the model has no head conv; effnet import --timm always builds one (--head-channels), so it does not rebuild this model');
  }
  if (seBase === 'expanded') notes.push("SE ratios are of the expanded channels (timm's MobileNetV3 builder, se_from_exp)");
  const f = efficientNetFrame;
  const flag = (name: string, value: string | number, fallback: string | number) => (String(value) === String(fallback) ? [] : [name, String(value)]);
  const { height, width, channels: c } = spec.input;
  const importFlags = [
    '--name', scaledModelName(spec),
    ...flag('--input', `${height}x${width}x${c}`, f.input),
    ...(spec.classes !== undefined ? flag('--classes', spec.classes, f.classes) : []),
    ...flag('--activation', spec.activation, f.activation),
    '--stem-channels', String(stem.channels),
    ...(headChannels !== undefined ? ['--head-channels', String(headChannels)] : []),
    ...(spec.classifier ? flag('--dropout', spec.classifier.dropout, f.dropout) : []),
    ...flag('--drop-connect', spec.dropConnect, f.dropConnect),
    ...flag('--se-base', seBase, f.seBase),
  ];
  return { blockStrings: [...stem.tail, ...rows], stemChannels: stem.channels, ...(headChannels !== undefined ? { headChannels } : {}), seBase, importFlags, rebuilds: headChannels !== undefined, notes };
}
