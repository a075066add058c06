/**
 * AST → ModelSpec: gives names their meaning and checks every value, reporting all problems in one run.
 * Nothing here knows about shapes; those checks come after repeats are expanded (passes/infer-shapes.ts).
 */
import { diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import { nearestName } from '../diagnostics/nearest-name.js';
import type { Span } from '../source/span.js';
import type { AtomAst, BlockAst, LayerAst, ModelAst, OptionAst, RowAst, SettingAst } from '../syntax/ast.js';
import type { Activation } from './activations.js';
import { LANGUAGE_VERSION, VERSION_SETTING } from './language-version.js';
import { operatorNames, operators, optionTypes, type Field, type OpName, type OptionType } from './ops.js';
import type { BlockDef, LayerSpec, ModelSpec, ScalingSpec, SeSpec, VariantSpec } from './spec.js';
import { lowerBlocks } from './lower-block.js';
import { lowerBlockUse } from './lower-block-use.js';
import { maxValue } from './limits.js';
import { Reader } from './value-reader.js';

/** The settings a model may write (exported for the language server's completion). */
export const modelSettings = [VERSION_SETTING, 'input', 'classes', 'activation', 'norm', 'padding', 'drop_connect'] as const;
export const scalingSettings = ['alpha', 'beta', 'gamma', 'divisor', 'min_channels', 'rounding', 'resolution_divisor'] as const;
export const variantOptions = ['width', 'depth', 'resolution', 'phi', 'dropout', 'classes', 'operator', 'repeats', 'channels'] as const;

/** The user-defined blocks, by name, for the functions that resolve operator names. */
type Blocks = Readonly<Record<string, BlockDef>>;


/** Reads the options of a layer or row that the op table allows. */
function layerOptions(r: Reader, op: OpName, opts: readonly OptionAst[], extra: readonly string[] = []) {
  const allowed = [...operators[op].options, ...extra];
  const found = r.options(opts, allowed, `operator '${op}'`);
  const values: Partial<Record<string, number | string | boolean>> = {};
  const spans: Partial<Record<string, Span>> = {};
  for (const [name, o] of found) {
    spans[name] = o.value.span;
    const atom = r.single(o.value, name);
    if (!atom) continue;
    const type = (optionTypes as Record<string, OptionType>)[name];
    if (name === 'se' && atom.kind === 'number') {
      // A dedicated message: the SE ratio has a well-known meaning and range.
      const n = Number(atom.text);
      if (!(n > 0 && n <= 1)) { r.report(diagnostic('E0307', atom.span, { value: atom.text }, 'se')); continue; }
      values[name] = n;
      continue;
    }
    const v = type ? r.typed(atom, name, type) : r.positiveInt(atom, name);
    if (v !== undefined) values[name] = v;
  }
  return { values, spans, found };
}

function buildLayer(
  r: Reader,
  op: OpName,
  span: Span,
  opSpan: Span,
  fields: Partial<Record<Field, number>>,
  fieldSpans: Partial<Record<Field, Span>>,
  values: Partial<Record<string, number | string | boolean>>,
  optionSpans: Partial<Record<string, Span>>,
): LayerSpec {
  const def = operators[op] as { defaultKernel?: number };
  let se: SeSpec | undefined;
  if (values.se !== undefined) {
    se = {
      ratio: values.se as number,
      base: (values.se_base as 'input' | 'expanded' | undefined) ?? 'input',
      gate: (values.se_gate as 'sigmoid' | 'hard_sigmoid' | undefined) ?? 'sigmoid',
      ...(values.se_act !== undefined ? { act: values.se_act as Activation } : {}),
      ...(values.se_divisor !== undefined ? { divisor: values.se_divisor as number } : {}),
    };
  }
  if (values.expand !== undefined && values.mid !== undefined) {
    r.report(diagnostic('E0319', optionSpans.mid!, { op }, 'mid'));
  }
  const kernel = fields.kernel ?? def.defaultKernel;
  return {
    op,
    span,
    repeats: fields.repeats ?? 1,
    ...(fields.channels !== undefined ? { channels: fields.channels } : {}),
    ...(kernel !== undefined ? { kernel } : {}),
    stride: fields.stride ?? 1,
    ...(values.act !== undefined ? { act: values.act as Activation } : {}),
    ...(values.bias !== undefined ? { bias: values.bias as boolean } : {}),
    groups: (values.groups as number | undefined) ?? 1,
    norm: (values.norm as boolean | undefined) ?? true,
    ...(values.expand !== undefined ? { expand: values.expand as number } : {}),
    ...(values.mid !== undefined ? { mid: values.mid as number } : {}),
    ...(se ? { se } : {}),
    skip: (values.skip as boolean | undefined) ?? true,
    expansion: (values.expansion as number | undefined) ?? 4,
    ...(values.pad !== undefined ? { pad: values.pad as 'same' | 'symmetric' | 'valid' } : {}),
    width: (values.width as LayerSpec['width'] | undefined) ?? 'scaled',
    depth: (values.depth as LayerSpec['depth'] | undefined) ?? 'scaled',
    spans: { op: opSpan, ...fieldSpans, ...optionSpans },
  };
}

function operatorOf(r: Reader, name: string, span: Span, blocks: Blocks = {}): OpName | 'block' | undefined {
  if ((operatorNames as string[]).includes(name)) return name as OpName;
  if (blocks[name]) return 'block';
  const valid = [...operatorNames, ...Object.keys(blocks)];
  return r.report(diagnostic('E0301', span, { name, suggestion: nearestName(name, valid), valid }, 'op'));
}

/** A stem/head layer: fields are named options (`channels 32 kernel 3 stride 2`). */
function lowerLayer(r: Reader, layer: LayerAst, blocks: Blocks): LayerSpec | undefined {
  const op = operatorOf(r, layer.op, layer.opSpan, blocks);
  if (!op) return undefined;
  if (op === 'block') {
    // A block as a layer: its fields are named options, like a built-in layer's.
    const named = (f: string) => layer.options.find((o) => o.name === f);
    const fields = Object.fromEntries((['channels', 'kernel', 'stride'] as const).flatMap((f) => {
      const o = named(f);
      const atom = o && r.single(o.value, f);
      return atom ? [[f, atom]] : [];
    }));
    return lowerBlockUse(r, blocks[layer.op]!, blocks, { span: layer.span, opSpan: layer.opSpan, fields, options: layer.options.filter((o) => !['channels', 'kernel', 'stride'].includes(o.name)) });
  }
  const uses = operators[op].fields;
  const fieldNames = (['channels', 'kernel', 'stride'] as const).filter((f) => uses[f] !== 'unused');
  const fieldOpts = layer.options.filter((o) => (fieldNames as readonly string[]).includes(o.name));
  const otherOpts = layer.options.filter((o) => !(fieldNames as readonly string[]).includes(o.name));
  const fields: Partial<Record<Field, number>> = {};
  const fieldSpans: Partial<Record<Field, Span>> = {};
  for (const [name, o] of r.options(fieldOpts, fieldNames, `operator '${op}'`)) {
    const atom = r.single(o.value, name);
    const v = atom && r.positiveInt(atom, name);
    fieldSpans[name as Field] = o.value.span;
    if (v !== undefined) fields[name as Field] = v;
  }
  for (const f of fieldNames) {
    if (uses[f] === 'required' && !layer.options.some((o) => o.name === f)) {
      r.report(diagnostic('E0335', layer.span, { field: f, op, where: 'in a stem or head' }, f));
    }
  }
  const { values, spans } = layerOptions(r, op, otherOpts, fieldNames);
  return buildLayer(r, op, layer.span, layer.opSpan, fields, fieldSpans, values, spans);
}

const rowFields: readonly Field[] = ['repeats', 'channels', 'kernel', 'stride'];

/** A stage-table row: `op repeats channels kernel stride [options]`. */
function lowerRow(r: Reader, row: RowAst, blocks: Blocks): LayerSpec | undefined {
  const op = operatorOf(r, row.op, row.opSpan, blocks);
  if (!op) return undefined;
  if (op === 'block') {
    if (!row.fields[0]) {
      const at = row.opSpan.end;
      r.report(diagnostic('E0304', { file: row.span.file, start: at, end: at }, { field: 'repeats', op: row.op }, 'repeats'));
      return undefined;
    }
    for (const extra of row.fields.slice(rowFields.length)) {
      r.report(diagnostic('E0312', extra.span, { what: 'stage field', value: extra.text, expected: 'at most 4 fields (repeats channels kernel stride), then named options' }));
    }
    const fields = Object.fromEntries((['channels', 'kernel', 'stride'] as const).flatMap((f, i) => {
      const atom = row.fields[i + 1];
      return atom ? [[f, atom.kind === 'dash' ? 'dash' : atom]] : [];
    }));
    return lowerBlockUse(r, blocks[row.op]!, blocks, { span: row.span, opSpan: row.opSpan, repeats: row.fields[0], fields, options: row.options });
  }
  const uses: Record<Field, string> = { repeats: 'required', ...operators[op].fields };
  const fields: Partial<Record<Field, number>> = {};
  const fieldSpans: Partial<Record<Field, Span>> = {};
  rowFields.forEach((f, i) => {
    const atom = row.fields[i];
    if (!atom) {
      // Point just past the last field: that is where the missing one belongs.
      const at = row.fields.length > 0 ? row.fields[row.fields.length - 1]!.span.end : row.opSpan.end;
      r.report(diagnostic('E0304', { file: row.span.file, start: at, end: at }, { field: f, op }, f));
      return;
    }
    // Only numbers written get a span: apply-variant tells a written field from a default by it.
    if (atom.kind !== 'dash') fieldSpans[f] = atom.span;
    if (atom.kind === 'dash') {
      if (uses[f] === 'required') r.report(diagnostic('E0304', atom.span, { field: f, op }, f));
      return;
    }
    if (uses[f] === 'unused') {
      r.report(diagnostic('E0314', atom.span, { field: f, op }, f));
      return;
    }
    const v = r.positiveInt(atom, f);
    if (v !== undefined) fields[f] = v;
  });
  for (const extra of row.fields.slice(rowFields.length)) {
    r.report(diagnostic('E0312', extra.span, { what: 'stage field', value: extra.text, expected: 'at most 4 fields (repeats channels kernel stride), then named options' }));
  }
  const { values, spans } = layerOptions(r, op, row.options);
  return buildLayer(r, op, row.span, row.opSpan, fields, fieldSpans, values, spans);
}

function lowerScaling(r: Reader, settings: readonly SettingAst[]): ScalingSpec {
  const s = r.settings(settings, scalingSettings, 'the scaling block');
  const spans: Record<string, Span> = {};
  const num = (name: string, fallback: number, read: (a: AtomAst) => number | undefined) => {
    const st = s.get(name);
    if (!st) return fallback;
    spans[name] = st.value.span;
    const atom = r.single(st.value, name);
    return (atom && read(atom)) ?? fallback;
  };
  const rounding = s.get('rounding');
  const minChannels = s.has('min_channels') ? num('min_channels', 1, (a) => r.positiveInt(a, 'min_channels')) : undefined;
  return {
    alpha: num('alpha', 1.2, (a) => r.base(a, 'alpha')),
    beta: num('beta', 1.1, (a) => r.base(a, 'beta')),
    gamma: num('gamma', 1.15, (a) => r.base(a, 'gamma')),
    divisor: num('divisor', 8, (a) => r.positiveInt(a, 'divisor')),
    ...(minChannels !== undefined ? { minChannels } : {}),
    rounding: (rounding && r.single(rounding.value, 'rounding') && r.enumOf(rounding.value.atoms[0]!, 'rounding', ['divisible', 'truncate'] as const)) || 'divisible',
    resolutionDivisor: num('resolution_divisor', 1, (a) => r.positiveInt(a, 'resolution_divisor')),
    spans,
  };
}


function lowerVariant(r: Reader, v: { name: string; nameSpan: Span; options: readonly OptionAst[]; span: Span }, stageCount: number, blocks: Blocks): VariantSpec {
  const paramNames = Object.keys(r.params);
  const found = r.options(v.options, [...variantOptions, ...paramNames], `variant '${v.name}'`);
  const out: { -readonly [K in keyof VariantSpec]?: VariantSpec[K] } = {};
  const spans: Record<string, Span> = { name: v.nameSpan };
  const params: Record<string, number> = {};
  for (const [name, o] of found) {
    spans[name] = o.value.span;
    if (name === 'repeats' || name === 'channels') {
      // Repeats may be 0: the member leaves that stage out (EfficientNetV2-S has a stage fewer than M).
      const list = o.value.atoms.map((a) => (name === 'repeats' ? r.count(a, 'repeats') : r.positiveInt(a, 'channels')));
      if (list.length !== stageCount) r.report(diagnostic('E0315', o.value.span, { count: list.length, stages: stageCount }, name));
      else if (list.every((x) => x !== undefined)) out[name] = list as number[];
      continue;
    }
    const atom = r.single(o.value, name);
    if (!atom) continue;
    if (paramNames.includes(name) && !(variantOptions as readonly string[]).includes(name)) {
      const n = r.number(atom, name);
      if (n !== undefined) params[name] = n;
      continue;
    }
    switch (name) {
      case 'operator': { const op = operatorOf(r, atom.text, atom.span, blocks); if (op) out.operator = op === 'block' ? atom.text : op; break; }
      case 'resolution': case 'classes': { const n = r.positiveInt(atom, name); if (n !== undefined) out[name] = n; break; }
      case 'dropout': { const n = r.rate(atom, name); if (n !== undefined) out.dropout = n; break; }
      case 'phi': { const n = r.ranged(atom, name, 0, 20); if (n !== undefined) out.phi = n; break; }
      default: { const n = r.positiveNumber(atom, name); if (n !== undefined) out[name as 'width' | 'depth'] = n; }
    }
  }
  return { name: v.name, span: v.span, ...out, ...(Object.keys(params).length ? { params } : {}), spans } as VariantSpec;
}

export interface LowerOptions {
  /** Param values over the spec's own (a variant's). */
  readonly params?: Readonly<Record<string, number>>;
  /** Replace every stage row's operator with this user block (a variant's `operator`). */
  readonly operator?: string;
}

/** The model's params: `params { growth 32 }`, each value a number or an expression of the params before it. */
function lowerParams(settings: readonly SettingAst[], overrides: Readonly<Record<string, number>>, report: Reader): Record<string, number> {
  const params: Record<string, number> = {};
  const seen = new Set<string>();
  for (const st of settings) {
    if (seen.has(st.name)) {
      report.report(diagnostic('E0311', st.nameSpan, { name: st.name }, st.name));
      continue;
    }
    seen.add(st.name);
    report.options(st.options, [], `param '${st.name}'`);
    const atom = report.single(st.value, st.name);
    const own = atom ? new Reader(params).number(atom, st.name) : undefined;
    const v = overrides[st.name] ?? own;
    if (v !== undefined) params[st.name] = v;
  }
  return params;
}

export function lower(ast: ModelAst, options: LowerOptions = {}): StageResult<ModelSpec> {
  const settings: SettingAst[] = [];
  const blocks = new Map<string, Extract<ModelAst['members'][number], { keywordSpan: Span }>>();
  const blockAsts: BlockAst[] = [];
  const early = new Reader();
  for (const m of ast.members) {
    if (m.kind === 'setting') { settings.push(m); continue; }
    if (m.kind === 'block') { blockAsts.push(m); continue; }
    if (blocks.has(m.kind)) early.report(diagnostic('E0311', m.keywordSpan, { name: m.kind }, m.kind));
    else blocks.set(m.kind, m);
  }
  const pm = blocks.get('params');
  const params = lowerParams(pm?.kind === 'params' ? pm.settings : [], options.params ?? {}, early);
  const r = new Reader(params);
  for (const d of early.diagnostics) r.report(d);
  const userBlocks = lowerBlocks(r, blockAsts, new Set(Object.keys(params)));
  const s = r.settings(settings, modelSettings, `model '${ast.name}'`);
  const spans: Record<string, Span> = { name: ast.nameSpan };
  const read = <T>(name: string, fn: (st: SettingAst, atom: AtomAst) => T | undefined): T | undefined => {
    const st = s.get(name);
    if (!st) return undefined;
    spans[name] = st.value.span;
    if (name !== 'norm') r.options(st.options, [], `setting '${name}'`);
    const atom = r.single(st.value, name);
    return atom ? fn(st, atom) : undefined;
  };

  // A newer version never gets here (parse.ts refuses it first); what is left to check is the value's form.
  read(VERSION_SETTING, (_st, a) => {
    const stated = r.positiveInt(a, VERSION_SETTING);
    if (stated !== undefined && stated < LANGUAGE_VERSION) r.report(diagnostic('E0312', a.span, { what: VERSION_SETTING, value: a.text, expected: `a language version from 1 to ${LANGUAGE_VERSION}` }, VERSION_SETTING));
    return undefined;
  });
  const input = read('input', (_st, a) => {
    if (a.kind === 'number') { const n = r.positiveInt(a, 'input'); return n === undefined ? undefined : { height: n, width: n, channels: 3 }; }
    const parts = a.kind === 'dims' ? a.text.split('x').map(Number) : [];
    if ((parts.length === 3 || parts.length === 2) && parts.every((p) => (Number.isInteger(p) || p === Infinity) && p >= 1)) {
      const limits = [maxValue('input'), maxValue('input'), maxValue('input channels')];
      const over = parts.findIndex((p, i) => p > limits[i]!);
      if (over >= 0) return r.report(diagnostic('E0320', a.span, { field: ['input height', 'input width', 'input channels'][over]!, value: String(a.text.split('x')[over]), max: limits[over]!.toLocaleString('en-US') }, 'input'));
      return { height: parts[0]!, width: parts[1]!, channels: parts[2] ?? 3 };
    }
    return r.report(diagnostic('E0312', a.span, { what: 'input', value: a.text, expected: 'HEIGHTxWIDTHxCHANNELS with each at least 1, e.g. 224x224x3' }, 'input'));
  });
  if (!s.has('input')) r.report(diagnostic('E0313', ast.nameSpan, { name: 'input', example: 'input 224x224x3' }, 'input'));
  const classes = read('classes', (_st, a) => r.positiveInt(a, 'classes'));
  const activation = read('activation', (_st, a) => r.activation(a, 'activation')) ?? 'relu';
  const padding = read('padding', (_st, a) => r.enumOf(a, 'padding', ['same', 'symmetric'] as const)) ?? 'same';
  const dropConnect = read('drop_connect', (_st, a) => r.rate(a, 'drop_connect')) ?? 0;
  let norm: ModelSpec['norm'] = { eps: 1e-3, momentum: 0.99 };
  read('norm', (st, a) => {
    const kind = r.enumOf(a, 'norm', ['batchnorm', 'none'] as const);
    const opts = r.options(st.options, kind === 'none' ? [] : ['eps', 'momentum'], 'norm');
    if (kind === 'none') { norm = undefined; return; }
    const eps = opts.get('eps');
    const mom = opts.get('momentum');
    const epsV = eps && r.single(eps.value, 'eps') ? r.positiveNumber(eps.value.atoms[0]!, 'eps') : undefined;
    const momV = mom && r.single(mom.value, 'momentum') ? r.ranged(mom.value.atoms[0]!, 'momentum', 0, 1) : undefined;
    norm = { eps: epsV ?? 1e-3, momentum: momV ?? 0.99 };
    return undefined;
  });

  const layersOf = (kind: 'stem' | 'head'): LayerSpec[] => {
    const m = blocks.get(kind);
    if (!m || m.kind !== kind) return [];
    return m.layers.map((l) => lowerLayer(r, l, userBlocks)).filter((l): l is LayerSpec => l !== undefined);
  };
  const stem = layersOf('stem');
  const stagesBlock = blocks.get('stages');
  const rows = stagesBlock?.kind === 'stages' ? stagesBlock.rows : [];
  if (!stagesBlock) r.report(diagnostic('E0313', ast.nameSpan, { name: 'stages', example: 'stages { mbconv 1 16 3 1 expand 1 }' }, 'stages'));
  else if (rows.length === 0) r.report(diagnostic('E0308', stagesBlock.keywordSpan, {}, 'stages'));
  const stages = rows.map((row) => lowerRow(r, options.operator ? { ...row, op: options.operator } : row, userBlocks)).filter((l): l is LayerSpec => l !== undefined);
  const head = layersOf('head');

  let classifier: ModelSpec['classifier'];
  const cls = blocks.get('classifier');
  if (cls?.kind === 'classifier') {
    const opts = r.options(cls.options, ['dropout'], 'the classifier');
    const d = opts.get('dropout');
    const dropout = d && r.single(d.value, 'dropout') ? r.rate(d.value.atoms[0]!, 'dropout') : 0;
    classifier = { dropout: dropout ?? 0, span: cls.span };
    if (!s.has('classes')) r.report(diagnostic('E0313', cls.keywordSpan, { name: 'classes', example: 'classes 1000' }, 'classes'));
  }

  const variants: VariantSpec[] = [];
  const vb = blocks.get('variants');
  if (vb?.kind === 'variants') {
    for (const v of vb.variants) {
      if (variants.some((x) => x.name === v.name)) r.report(diagnostic('E0317', v.nameSpan, { name: v.name }, 'name'));
      else variants.push(lowerVariant(r, v, rows.length, userBlocks));
    }
  }
  const sb = blocks.get('scaling');
  const scaling = lowerScaling(r, sb?.kind === 'scaling' ? sb.settings : []);

  if (r.diagnostics.length > 0 || !input) return { diagnostics: r.diagnostics };
  return {
    value: {
      name: ast.name,
      span: ast.span,
      input,
      ...(classes !== undefined ? { classes } : {}),
      activation,
      ...(norm ? { norm } : {}),
      padding,
      dropConnect,
      stem,
      stages,
      head,
      ...(classifier ? { classifier } : {}),
      variants,
      scaling,
      applied: { width: 1, depth: 1, resolution: 1 },
      params,
      blocks: userBlocks,
      ast,
      spans,
    },
    diagnostics: r.diagnostics,
  };
}
