/**
 * The canonical form of a .effnet file (`effnet fmt`): two-space indentation, aligned columns in settings
 * runs, stage tables and variant tables, one blank line at most between items, comments kept where they were
 * (own-line comments before the item that follows them, end-of-line comments after their line). Works from
 * the syntax tree and the comment tokens, so it needs only a file that parses; it is idempotent.
 */
import type { IToken } from 'chevrotain';
import type { Diagnostic, StageResult } from '../diagnostics/diagnostic.js';
import { lineColOf, type SourceFile } from '../source/source-file.js';
import { expressionText, fieldText } from '../ir/expressions.js';
import type { BlockAst, LayerAst, LetAst, MemberAst, OptionAst, RowAst, SettingAst, StatementAst, ValueAst, VariantAst } from '../syntax/ast.js';
import { parse } from '../syntax/parse.js';

/** `3,4,6,3` for numbers (as tables write them); `a, b` once a list holds names or expressions. */
const valueText = (v: ValueAst) => v.atoms.map(expressionText).join(v.atoms.every((a) => a.kind === 'number' || a.kind === 'dims') ? ',' : ', ');
const optionsText = (opts: readonly OptionAst[]) => opts.map((o) => `${o.name} ${valueText(o.value)}`).join(' ');
const layerText = (l: LayerAst) => [l.op, optionsText(l.options)].filter(Boolean).join(' ');

interface Item {
  readonly start: number;
  readonly end: number;
  /** Cells of an aligned row, or a single cell. */
  readonly cells: readonly string[];
}

class Printer {
  readonly out: string[] = [];
  private readonly pending: IToken[];
  private lastEnd = -1;

  constructor(private readonly file: SourceFile, comments: readonly IToken[]) {
    this.pending = [...comments].sort((a, b) => a.startOffset - b.startOffset);
  }

  private line(offset: number): number {
    return lineColOf(this.file, offset).line;
  }

  /** True when the source has a blank line between two offsets. */
  private blankBetween(from: number, to: number): boolean {
    return from >= 0 && /(?:\r\n?|\n)[ \t]*(?:\r\n?|\n)/.test(this.file.text.slice(from, to));
  }

  private isTrailing(c: IToken): boolean {
    const lineStart = this.file.lineStarts[this.line(c.startOffset) - 1]!;
    return this.file.text.slice(lineStart, c.startOffset).trim() !== '';
  }

  /** Own-line comments before `offset`, each preceded by a blank line where the source had one. */
  leadingComments(offset: number, indent: string): void {
    while (this.pending.length && this.pending[0]!.startOffset < offset && !this.isTrailing(this.pending[0]!)) {
      const c = this.pending.shift()!;
      this.blankLineIfSource(c.startOffset);
      this.out.push(indent + c.image.trimEnd());
      this.lastEnd = c.startOffset + c.image.length;
    }
  }

  /** The end-of-line comment on the line where `offset` is, if any. */
  trailingComment(offset: number): string | undefined {
    const line = this.line(offset);
    const i = this.pending.findIndex((c) => this.line(c.startOffset) === line && this.isTrailing(c));
    if (i < 0) return undefined;
    return this.pending.splice(i, 1)[0]!.image.trimEnd();
  }

  /** A group of items printed as aligned columns; trailing comments aligned after the longest line. */
  group(items: readonly Item[], indent: string, alignCells = items.length > 1): void {
    const widths: number[] = [];
    if (alignCells) for (const it of items) it.cells.forEach((c, i) => { if (i < it.cells.length - 1) widths[i] = Math.max(widths[i] ?? 0, c.length); });
    const texts = items.map((it) => it.cells.map((c, i) => (i < it.cells.length - 1 && alignCells ? c.padEnd(widths[i]!) : c)).join(alignCells ? '  ' : ' ').trimEnd());
    const width = Math.max(...texts.map((t) => t.length));
    items.forEach((it, k) => {
      this.leadingComments(it.start, indent);
      this.blankLineIfSource(it.start);
      const trailing = this.trailingComment(it.end - 1);
      this.out.push(indent + (trailing ? `${texts[k]!.padEnd(width)}  ${trailing}` : texts[k]!));
      this.lastEnd = it.end;
    });
  }

  /** One blank line where the source had at least one, never right after an opening brace. */
  private blankLineIfSource(next: number): void {
    if (this.blankBetween(this.lastEnd, next) && this.out.length && this.out.at(-1) !== '' && !this.out.at(-1)!.endsWith('{')) this.out.push('');
  }

  open(text: string, start: number, end: number, indent: string): void {
    this.leadingComments(start, indent);
    this.blankLineIfSource(start);
    const trailing = this.trailingComment(end - 1);
    this.out.push(indent + text + (trailing ? `  ${trailing}` : ''));
    this.lastEnd = end;
  }

  close(closeOffset: number, indent: string, innerIndent: string): void {
    this.leadingComments(closeOffset, innerIndent);
    const trailing = this.trailingComment(closeOffset);
    this.out.push(indent + '}' + (trailing ? `  ${trailing}` : ''));
    this.lastEnd = closeOffset + 1;
  }

  rest(): void {
    this.leadingComments(Infinity, '');
    for (const c of this.pending.splice(0)) this.out.push(c.image.trimEnd());
  }
}

const settingItem = (s: SettingAst): Item => ({ start: s.span.start, end: s.span.end, cells: [s.name, [valueText(s.value), optionsText(s.options)].filter(Boolean).join(' ')] });
const rowItem = (r: RowAst): Item => ({ start: r.span.start, end: r.span.end, cells: [r.op, ...r.fields.map(fieldText), optionsText(r.options)].filter((c, i) => i < 1 + r.fields.length || c !== '') });
const variantItem = (v: VariantAst): Item => ({ start: v.span.start, end: v.span.end, cells: [v.name, ...v.options.map((o) => `${o.name} ${valueText(o.value)}`)] });
const layerItem = (l: LayerAst): Item => ({ start: l.span.start, end: l.span.end, cells: [layerText(l)] });
const blockHead = (b: BlockAst) => `block ${b.name}(${b.params.map((p) => (p.default ? `${p.name} = ${expressionText(p.default)}` : p.name)).join(', ')}) {`;
const statementText = (st: LetAst | StatementAst) =>
  st.kind === 'let'
    ? `let ${st.name} = ${expressionText(st.value)}`
    : [(st.targets.length ? `${st.targets.map((t) => t.name).join(', ')} = ` : '') + st.op, optionsText(st.options)].filter(Boolean).join(' ');
const statementItem = (st: LetAst | StatementAst): Item => ({ start: st.span.start, end: st.span.end, cells: [statementText(st)] });

/** Where a block member's closing brace is: its span ends just after it. */
const closeOf = (m: { span: { end: number } }) => m.span.end - 1;

export function formatSource(file: SourceFile): StageResult<string> {
  const parsed = parse(file);
  if (!parsed.value) return { diagnostics: parsed.diagnostics as Diagnostic[] };
  const { ast, comments } = parsed.value;
  const p = new Printer(file, comments);
  const I1 = '  ';
  const I2 = '    ';
  p.open(`model ${ast.name} {`, ast.span.start, ast.nameSpan.end + 1, '');
  const members = ast.members;
  for (let i = 0; i < members.length; i++) {
    const m: MemberAst = members[i]!;
    if (m.kind === 'setting') {
      const run: SettingAst[] = [m];
      while (members[i + 1]?.kind === 'setting') run.push(members[++i] as SettingAst);
      p.group(run.map(settingItem), I1);
      continue;
    }
    switch (m.kind) {
      case 'stem':
      case 'head':
        if (m.layers.length === 1) {
          p.group([{ start: m.span.start, end: m.span.end, cells: [`${m.kind} ${layerText(m.layers[0]!)}`] }], I1);
        } else {
          p.open(`${m.kind} {`, m.span.start, m.keywordSpan.end + 2, I1);
          p.group(m.layers.map(layerItem), I2, false);
          p.close(closeOf(m), I1, I2);
        }
        break;
      case 'classifier':
        p.group([{ start: m.span.start, end: m.span.end, cells: [['classifier', optionsText(m.options)].filter(Boolean).join(' ')] }], I1);
        break;
      case 'stages':
        p.open('stages {', m.span.start, m.keywordSpan.end + 2, I1);
        p.group(m.rows.map(rowItem), I2, true);
        p.close(closeOf(m), I1, I2);
        break;
      case 'variants':
        p.open('variants {', m.span.start, m.keywordSpan.end + 2, I1);
        p.group(m.variants.map(variantItem), I2, true);
        p.close(closeOf(m), I1, I2);
        break;
      case 'block':
        p.open(blockHead(m), m.span.start, file.text.indexOf('{', m.nameSpan.end) + 1, I1);
        p.group(m.body.map(statementItem), I2, false);
        p.close(closeOf(m), I1, I2);
        break;
      case 'params':
      case 'scaling':
        p.open(`${m.kind} {`, m.span.start, m.keywordSpan.end + 2, I1);
        p.group(m.settings.map(settingItem), I2, true);
        p.close(closeOf(m), I1, I2);
        break;
    }
  }
  p.close(ast.span.end - 1, '', I1);
  p.rest();
  return { value: p.out.join('\n') + '\n', diagnostics: [] };
}
