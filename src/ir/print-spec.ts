/**
 * ModelSpec → .effnet text: the canonical form of a checked spec, used by `effnet scale --emit` to write a
 * scaled model that parses back to the same IR. (Comments are not in the IR; the formatter keeps them.)
 */
import { expressionText } from './expressions.js';
import { operators } from './ops.js';
import type { BlockDef, BlockUse, LayerSpec, ModelSpec } from './spec.js';

const num = (n: number) => String(n);

function options(l: LayerSpec): string[] {
  const o: string[] = [];
  if (l.act) o.push('act', l.act);
  if (l.bias !== undefined) o.push('bias', l.bias ? 'on' : 'off');
  if (l.groups !== 1) o.push('groups', num(l.groups));
  if (!l.norm) o.push('norm', 'off');
  if (l.expand !== undefined) o.push('expand', num(l.expand));
  if (l.mid !== undefined) o.push('mid', num(l.mid));
  if (l.se) {
    o.push('se', num(l.se.ratio));
    if (l.se.base !== 'input') o.push('se_base', l.se.base);
    if (l.se.gate !== 'sigmoid') o.push('se_gate', l.se.gate);
    if (l.se.act) o.push('se_act', l.se.act);
    if (l.se.divisor !== undefined) o.push('se_divisor', num(l.se.divisor));
  }
  if (!l.skip) o.push('skip', 'off');
  if (l.expansion !== 4 && l.op === 'bottleneck') o.push('expansion', num(l.expansion));
  if (l.pad) o.push('pad', l.pad);
  if (l.width !== 'scaled') o.push('width', l.width);
  if (l.depth !== 'scaled') o.push('depth', l.depth);
  return o;
}

const FIELDS = ['channels', 'kernel', 'stride'] as const;

/** The fields a user block takes from its row: those of its parameters (or its first block's) so named. */
function blockFields(l: LayerSpec, blocks: ModelSpec['blocks']): Set<string> {
  const use = l.block!;
  const names = [use.name, ...(use.first ? [use.first.name] : [])].flatMap((n) => blocks[n]?.params.map((p) => p.name) ?? []);
  return new Set(names.filter((n) => (FIELDS as readonly string[]).includes(n)));
}

/** A block row's options: its other parameters, each with the value it was built with, then `first`. */
function blockOptions(l: LayerSpec, fields: ReadonlySet<string>): string[] {
  const use: BlockUse = l.block!;
  const o: string[] = [];
  const args = { ...use.first?.args, ...use.args };
  for (const [k, v] of Object.entries(args)) if (!fields.has(k)) o.push(k, num(v));
  if (use.first) o.push('first', use.first.name);
  if (l.width !== 'scaled') o.push('width', l.width);
  if (l.depth !== 'scaled') o.push('depth', l.depth);
  return o;
}

/** A stem or head layer as the spec writes it: `conv channels 32 kernel 3 stride 2`. */
export function layerLine(l: LayerSpec, blocks: ModelSpec['blocks'] = {}): string {
  if (l.op === 'block') {
    const fields = blockFields(l, blocks);
    const parts: string[] = [l.block!.name];
    if (fields.has('channels') && l.channels !== undefined) parts.push('channels', num(l.channels));
    if (fields.has('kernel') && l.kernel !== undefined) parts.push('kernel', num(l.kernel));
    if (fields.has('stride') && l.stride !== 1) parts.push('stride', num(l.stride));
    return [...parts, ...blockOptions(l, fields)].join(' ');
  }
  const parts: string[] = [l.op];
  if (l.channels !== undefined) parts.push('channels', num(l.channels));
  const uses = operators[l.op].fields;
  if (l.kernel !== undefined && uses.kernel !== 'unused') parts.push('kernel', num(l.kernel));
  if (l.stride !== 1 && uses.stride !== 'unused') parts.push('stride', num(l.stride));
  return [...parts, ...options(l)].join(' ');
}

/** A stage-table row's cells: operator, repeats, channels, kernel, stride (`-` where unused), then the options. */
export function stageRowCells(l: LayerSpec, blocks: ModelSpec['blocks'] = {}): string[] {
  if (l.op === 'block') {
    const fields = blockFields(l, blocks);
    const f = (v: number | undefined, name: string) => (v === undefined || !fields.has(name) ? '-' : num(v));
    const opts = blockOptions(l, fields);
    return [l.block!.name, num(l.repeats), f(l.channels, 'channels'), f(l.kernel, 'kernel'), f(l.stride, 'stride'), ...(opts.length ? [opts.join(' ')] : [])];
  }
  const uses = operators[l.op].fields;
  const s = (v: number | undefined, f: 'channels' | 'kernel' | 'stride') => (v === undefined || uses[f] === 'unused' ? '-' : num(v));
  const opts = options(l);
  return [l.op, num(l.repeats), s(l.channels, 'channels'), s(l.kernel, 'kernel'), s(l.stride, 'stride'), ...(opts.length ? [opts.join(' ')] : [])];
}

/** Aligns the columns of a table of rows (the stage table, the variants). */
export function alignColumns(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function section(keyword: string, layers: readonly LayerSpec[], blocks: ModelSpec['blocks']): string[] {
  if (layers.length === 0) return [];
  if (layers.length === 1) return [`  ${keyword} ${layerLine(layers[0]!, blocks)}`];
  return [`  ${keyword} {`, ...layers.map((l) => `    ${layerLine(l, blocks)}`), '  }'];
}

/** A block definition as it was written (its expressions in canonical form). */
function blockLines(b: BlockDef): string[] {
  const params = b.params.map((p) => (p.default ? `${p.name} = ${expressionText(p.default)}` : p.name)).join(', ');
  const body = b.body.map((st, i) => {
    if (st.kind === 'let') return `    let ${st.name} = ${expressionText(st.value)}`;
    const parts = [(st.targets.length ? `${st.targets.join(', ')} = ` : '') + st.op];
    for (const [k, v] of Object.entries(st.options)) parts.push(k, expressionText(v));
    if (st.from.length) parts.push('from', st.from.join(', '));
    if (st.name !== `${st.op}${i + 1}`) parts.push('as', st.name);
    return `    ${parts.join(' ')}`;
  });
  return [`  block ${b.name}(${params}) {`, ...body, '  }'];
}

export function printSpec(spec: ModelSpec, header: readonly string[] = []): string {
  const out: string[] = header.map((h) => `# ${h}`);
  out.push(`model ${spec.name} {`);
  const settings: string[][] = [['input', `${spec.input.height}x${spec.input.width}x${spec.input.channels}`]];
  if (spec.classes !== undefined) settings.push(['classes', num(spec.classes)]);
  settings.push(['activation', spec.activation]);
  settings.push(['norm', spec.norm ? `batchnorm eps ${num(spec.norm.eps)} momentum ${num(spec.norm.momentum)}` : 'none']);
  settings.push(['padding', spec.padding]);
  if (spec.dropConnect > 0) settings.push(['drop_connect', num(spec.dropConnect)]);
  out.push(...alignColumns(settings, '  '), '');
  const params = Object.entries(spec.params);
  if (params.length) out.push('  params {', ...alignColumns(params.map(([k, v]) => [k, num(v)]), '    '), '  }', '');
  for (const b of Object.values(spec.blocks)) out.push(...blockLines(b), '');
  const stem = section('stem', spec.stem, spec.blocks);
  if (stem.length) out.push(...stem, '');
  out.push('  stages {', '    # operator repeats channels kernel stride  options');
  out.push(...alignColumns(spec.stages.map((l) => stageRowCells(l, spec.blocks)), '    '), '  }');
  const head = section('head', spec.head, spec.blocks);
  if (head.length) out.push('', ...head);
  if (spec.classifier) out.push(`  classifier dropout ${num(spec.classifier.dropout)}`);
  const sc = spec.scaling;
  const scaling: string[][] = [['alpha', num(sc.alpha)], ['beta', num(sc.beta)], ['gamma', num(sc.gamma)], ['divisor', num(sc.divisor)], ['rounding', sc.rounding]];
  if (sc.minChannels !== undefined) scaling.push(['min_channels', num(sc.minChannels)]);
  scaling.push(['resolution_divisor', num(sc.resolutionDivisor)]);
  out.push('', '  scaling {', ...alignColumns(scaling, '    '), '  }');
  out.push('}');
  return out.join('\n') + '\n';
}
