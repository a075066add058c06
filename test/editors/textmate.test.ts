/** The VS Code grammar (editors/vscode) tokenizes every spec: keywords, numbers and comments get their scopes. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';
import { repoRoot } from '../helpers.js';

interface Token { text: string; scopes: string[] }
let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(path.join(repoRoot, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => textmate.parseRawGrammar(readFileSync(path.join(repoRoot, 'editors/vscode/syntaxes/effnet.tmLanguage.json'), 'utf8'), 'effnet.tmLanguage.json'),
  });
  grammar = (await registry.loadGrammar('source.effnet'))!;
});

function tokenize(text: string): Token[] {
  let state = textmate.INITIAL;
  const out: Token[] = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = r.ruleStack;
  }
  return out;
}

const scopeOf = (tokens: Token[], text: string) => tokens.filter((t) => t.text.trim() === text).map((t) => t.scopes.at(-1));
const specs = readdirSync(path.join(repoRoot, 'specs')).filter((f) => f.endsWith('.effnet')).sort();

describe('TextMate grammar', () => {
  it.each(specs)('%s', (spec) => {
    const text = readFileSync(path.join(repoRoot, 'specs', spec), 'utf8');
    const tokens = tokenize(text);
    // Every comment line is one comment token, whole.
    const commentLines = text.split('\n').filter((l) => l.trim().startsWith('#')).map((l) => l.trim());
    for (const c of commentLines) expect(tokens.find((t) => t.text.trim() === c)?.scopes.at(-1), c).toBe('comment.line.number-sign.effnet');
    for (const kw of ['stages']) expect(scopeOf(tokens, kw)).toEqual(['keyword.control.effnet']);
    expect(scopeOf(tokens, 'model')).toEqual(['keyword.control.model.effnet']);
    const dims = text.match(/^\s*input\s+(\S+)/m)![1]!;
    expect(scopeOf(tokens, dims)).toEqual(['constant.numeric.dimensions.effnet']);
    // A user-defined block: its name where it is defined, its primitives and expressions.
    for (const [, name] of text.matchAll(/^\s*block\s+(\w+)\(/gm)) expect(scopeOf(tokens, name!)[0], name).toBe('entity.name.function.block.effnet');
    expect(scopeOf(tokens, 'input')[0]).toBe('variable.parameter.option.effnet');
    // Numbers in the stage table.
    const numbers = tokens.filter((t) => /^\d+(\.\d+)?$/.test(t.text.trim()));
    expect(numbers.length).toBeGreaterThan(10);
    for (const n of numbers) expect(n.scopes.at(-1), n.text).toBe('constant.numeric.effnet');
    // Operators at the start of rows.
    const ops = tokens.filter((t) => /^(mbconv|dwsep|bottleneck|conv|maxpool)$/.test(t.text.trim()));
    expect(ops.length).toBeGreaterThan(0);
    for (const o of ops) expect(o.scopes.at(-1)).toBe('support.function.operator.effnet');
  });

  it('scopes an end-of-line comment, an activation and a decimal', () => {
    const tokens = tokenize('  mbconv 1 16 3 1 expand 1 se 0.25 act swish  # first stage');
    expect(scopeOf(tokens, '# first stage')).toEqual(['comment.line.number-sign.effnet']);
    expect(scopeOf(tokens, 'swish')).toEqual(['support.constant.activation.effnet']);
    expect(scopeOf(tokens, '0.25')).toEqual(['constant.numeric.effnet']);
    expect(scopeOf(tokens, 'se')).toEqual(['variable.parameter.option.effnet']);
  });

  it('scopes a block definition: its name, statements, options, functions and arithmetic', () => {
    const tokens = tokenize('  block unit(channels, groups = 2) {\n    left, x = split\n    conv channels floor(channels * 0.5) kernel 1 from x as pw\n    concat from left, x\n  }');
    expect(scopeOf(tokens, 'block')).toEqual(['keyword.control.effnet']);
    expect(scopeOf(tokens, 'unit')).toEqual(['entity.name.function.block.effnet']);
    expect(scopeOf(tokens, 'split')).toEqual(['support.function.statement.effnet']);
    expect(scopeOf(tokens, 'concat')).toEqual(['support.function.statement.effnet']);
    expect(scopeOf(tokens, 'floor')).toEqual(['support.function.builtin.effnet']);
    expect(scopeOf(tokens, 'from')).toEqual(['variable.parameter.option.effnet', 'variable.parameter.option.effnet']);
    expect(scopeOf(tokens, '*')).toEqual(['keyword.operator.arithmetic.effnet']);
  });
});
