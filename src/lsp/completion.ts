/**
 * Completion from the text alone: while a line is being typed the file rarely parses, so the context comes
 * from the braces before the cursor (which section it is in) and the words already on its line (which
 * operator the row has, which option wants a value). Names come from the compiler's own tables.
 */
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import { activations } from '../ir/activations.js';
import { statementOps } from '../ir/block-ops.js';
import { functions } from '../ir/expressions.js';
import { ROW_OPTIONS } from '../ir/lower-block-use.js';
import { modelSettings, scalingSettings, variantOptions } from '../ir/lower.js';
import { operatorNames, operators, optionTypes, type OpName, type OptionType } from '../ir/ops.js';
import { activationDoc, functionDoc, operatorDoc, optionDoc, statementOpDoc, statementOptionDoc, statementOptionNames } from './name-docs.js';

/** The section the cursor is in, from the innermost open brace. */
export type Section = 'file' | 'model' | 'stages' | 'stem' | 'head' | 'block' | 'scaling' | 'variants' | 'params';

/** A user-defined block as the text declares it, found without parsing. */
export interface DeclaredBlock {
  readonly name: string;
  readonly params: readonly string[];
}

const memberKeywords = ['stem', 'stages', 'head', 'classifier', 'scaling', 'variants', 'params', 'block'] as const;
const FIELDS = ['channels', 'kernel', 'stride'] as const;

/** Text with comments blanked (same length, so offsets still hold). */
const withoutComments = (text: string) => text.replace(/#[^\r\n]*/g, (c) => ' '.repeat(c.length));

export function declaredBlocks(text: string): DeclaredBlock[] {
  const out: DeclaredBlock[] = [];
  for (const m of withoutComments(text).matchAll(/^[ \t]*block[ \t]+([A-Za-z_][\w-]*)[ \t]*\(([^)]*)\)/gm)) {
    out.push({ name: m[1]!, params: m[2]!.split(',').map((p) => p.split('=')[0]!.trim()).filter(Boolean) });
  }
  return out;
}

/** Which section an offset is in: each `{` opens the section its line's first word names. */
export function sectionAt(text: string, offset: number): Section {
  const clean = withoutComments(text.slice(0, offset));
  const stack: Section[] = [];
  let lineStart = 0;
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i];
    if (ch === '\n' || ch === '\r') lineStart = i + 1;
    else if (ch === '{') {
      const first = clean.slice(lineStart, i).trim().split(/\s+/)[0] ?? '';
      const known: readonly string[] = ['model', 'stages', 'stem', 'head', 'block', 'scaling', 'variants', 'params'];
      stack.push(known.includes(first) ? (first as Section) : 'model');
    } else if (ch === '}') stack.pop();
  }
  return stack[stack.length - 1] ?? 'file';
}

const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => ({ label, kind, ...(detail ? { detail } : {}) });
const keywords = (names: readonly string[]) => names.map((n) => item(n, CompletionItemKind.Keyword));
const values = (names: readonly string[]) => names.map((n) => item(n, CompletionItemKind.EnumMember, activationDoc(n)));
const activationItems = () => activations.map((a) => item(a, CompletionItemKind.EnumMember, activationDoc(a)));

function operatorItems(blocks: readonly DeclaredBlock[]): CompletionItem[] {
  return [
    ...operatorNames.map((n) => item(n, CompletionItemKind.Function, operatorDoc(n))),
    ...blocks.map((b) => item(b.name, CompletionItemKind.Class, `block ${b.name}(${b.params.join(', ')})`)),
  ];
}

/** Completions for the value of a row or layer option, or undefined when `name` takes no listed value. */
function optionValues(name: string, blocks: readonly DeclaredBlock[]): CompletionItem[] | undefined {
  if (name === 'first') return blocks.map((b) => item(b.name, CompletionItemKind.Class, `block ${b.name}(${b.params.join(', ')})`));
  const t = (optionTypes as Record<string, OptionType>)[name];
  if (!t) return undefined;
  if (t.kind === 'activation') return activationItems();
  if (t.kind === 'onoff') return values(['on', 'off']);
  if (t.kind === 'enum') return values(t.values);
  return [];
}

/** The options a row (fields are positional) or a layer (fields are options) of `op` may take. */
function rowOptions(op: string, blocks: readonly DeclaredBlock[], isLayer: boolean): string[] {
  const user = blocks.find((b) => b.name === op);
  if (user) return [...user.params.filter((p) => isLayer || !(FIELDS as readonly string[]).includes(p)), ...ROW_OPTIONS];
  if (!(operatorNames as readonly string[]).includes(op)) return [];
  const def = operators[op as OpName];
  const fields = isLayer ? FIELDS.filter((f) => def.fields[f] !== 'unused') : [];
  return [...fields, ...def.options];
}

/**
 * The option whose value the cursor is at, walking the words after the operator: an option name wants the next
 * word as its value, and an arithmetic operator keeps the value going (`channels channels / 2`).
 */
export function pendingOption(words: readonly string[], names: readonly string[]): string | undefined {
  let pending: string | undefined;
  let wanting = false;
  for (const w of words.slice(1)) {
    if (wanting) wanting = false;
    else if (['/', '*', '+'].includes(w)) wanting = true;
    else if (names.includes(w)) { pending = w; wanting = true; }
  }
  return wanting ? pending : undefined;
}

function optionItems(names: readonly string[], used: readonly string[], doc: (n: string) => string | undefined): CompletionItem[] {
  return names.filter((n) => !used.includes(n)).map((n) => item(n, CompletionItemKind.Property, doc(n)));
}

/** A stage row, a stem or head layer: operator first, then its options and their values. */
function layerCompletions(words: readonly string[], blocks: readonly DeclaredBlock[], isLayer: boolean): CompletionItem[] {
  if (words.length === 0) return operatorItems(blocks);
  const names = rowOptions(words[0]!, blocks, isLayer);
  const pending = pendingOption(words, names);
  if (pending) return optionValues(pending, blocks) ?? [];
  return optionItems(names, words, optionDoc);
}

function statementCompletions(allWords: readonly string[], blocks: readonly DeclaredBlock[]): CompletionItem[] {
  // `left, x = split`: the operator is the first word after '='.
  const eq = allWords.indexOf('=');
  const words = eq >= 0 ? allWords.slice(eq + 1) : allWords;
  if (words.length === 0) {
    return [
      ...(eq >= 0 ? [] : keywords(['let'])),
      ...Object.keys(statementOps).map((n) => item(n, CompletionItemKind.Function, statementOpDoc(n))),
      ...blocks.map((b) => item(b.name, CompletionItemKind.Class, `block ${b.name}(${b.params.join(', ')})`)),
    ];
  }
  const op = words[0]!;
  if (op === 'let') return words.length > 2 ? Object.keys(functions).map((f) => item(f, CompletionItemKind.Function, functionDoc(f))) : [];
  const user = blocks.find((b) => b.name === op);
  const names = user ? [...user.params, 'from', 'as'] : statementOptionNames(op);
  const pending = pendingOption(words, names);
  if (pending) {
    const kind = statementOps[op]?.options[pending];
    if (kind === 'act') return activationItems();
    if (kind === 'onoff') return values(['on', 'off']);
    if (kind === 'pad') return values(['same', 'symmetric', 'valid']);
    if (kind === 'gate') return values(['sigmoid', 'hard_sigmoid']);
    if (kind === 'expr') return Object.keys(functions).map((f) => item(f, CompletionItemKind.Function, functionDoc(f)));
    return [];
  }
  return optionItems(names, words, (n) => statementOptionDoc(op, n));
}

function modelCompletions(words: readonly string[], blocks: readonly DeclaredBlock[]): CompletionItem[] {
  if (words.length === 0) return keywords([...modelSettings, ...memberKeywords]);
  const [first, ...rest] = words;
  if (first === 'stem' || first === 'head') return layerCompletions(rest, blocks, true);
  if (first === 'activation' && rest.length === 0) return activationItems();
  if (first === 'padding' && rest.length === 0) return values(['same', 'symmetric']);
  if (first === 'norm') return rest.length === 0 ? values(['batchnorm', 'none']) : rest[0] === 'batchnorm' ? optionItems(['eps', 'momentum'], rest, () => undefined) : [];
  if (first === 'classifier') return optionItems(['dropout'], rest, () => undefined);
  return [];
}

/** The completion items at `offset` of `text`. */
export function completionsAt(text: string, offset: number): CompletionItem[] {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  const before = text.slice(lineStart, offset);
  if (before.includes('#')) return [];
  // Words already typed; the one under the cursor is what the client filters the list with.
  const words = before.split(/[\s,]+|(?==)|(?<==)/).filter(Boolean);
  if (!/[\s,=]$/.test(before) && words.length > 0) words.pop();
  const blocks = declaredBlocks(text);
  switch (sectionAt(text, offset)) {
    case 'file': return words.length === 0 ? keywords(['model']) : [];
    case 'model': return modelCompletions(words, blocks);
    case 'stages': return layerCompletions(words, blocks, false);
    case 'stem':
    case 'head': return layerCompletions(words, blocks, true);
    case 'block': return statementCompletions(words, blocks);
    case 'scaling':
      if (words.length === 0) return keywords(scalingSettings);
      return words[0] === 'rounding' && words.length === 1 ? values(['divisible', 'truncate']) : [];
    case 'variants':
      if (words.length === 0) return [];
      if (words[words.length - 1] === 'operator') return operatorItems(blocks);
      return optionItems([...variantOptions, ...paramsDeclared(text)], words, () => undefined);
    case 'params': return [];
  }
}

/** The names a `params { }` section declares, found without parsing. */
function paramsDeclared(text: string): string[] {
  const m = /^[ \t]*params[ \t]*\{([^}]*)\}/m.exec(withoutComments(text));
  if (!m) return [];
  return m[1]!.split(/\r\n?|\n/).map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}
