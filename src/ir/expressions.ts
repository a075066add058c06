/**
 * Arithmetic in values: `channels / 2`, `growth * 4`, `min(group_width, channels)`, `round(in * 0.25)`. An
 * expression is evaluated against an environment of names (model params, a block's parameters and lets, the
 * channel counts of its tensors); every problem (an unknown name, a division by zero, a fraction where a whole
 * number is needed) is a diagnostic at the expression's text.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { nearestName } from '../diagnostics/nearest-name.js';
import type { AtomAst } from '../syntax/ast.js';

/** The functions expressions may call, with their arity. */
export const functions: Readonly<Record<string, { readonly arity: number; readonly apply: (...xs: number[]) => number; readonly doc: string }>> = {
  min: { arity: 2, apply: Math.min, doc: 'the smaller of two values' },
  max: { arity: 2, apply: Math.max, doc: 'the larger of two values' },
  floor: { arity: 1, apply: Math.floor, doc: 'rounds down' },
  ceil: { arity: 1, apply: Math.ceil, doc: 'rounds up' },
  round: { arity: 1, apply: roundHalfEven, doc: 'rounds to the nearest whole number, halves to even (as Python and torch do)' },
  divisible: { arity: 2, apply: makeDivisible, doc: 'divisible(v, d): v rounded to a multiple of d, never more than 10 % down (timm, torchvision)' },
};

/** Python's round(): halves go to the even neighbour (RegNet's widths depend on it: 22.5 rounds to 22). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function makeDivisible(v: number, d: number): number {
  const n = Math.max(d, Math.floor((v + d / 2) / d) * d);
  return n < 0.9 * v ? n + d : n;
}

/** The names an expression reads (for checking them before anything is evaluated). */
export function namesIn(e: AtomAst): { name: string; span: AtomAst['span'] }[] {
  switch (e.kind) {
    case 'name': return [{ name: e.text, span: e.span }];
    case 'binary': return [...namesIn(e.left), ...namesIn(e.right)];
    case 'call': return e.args.flatMap(namesIn);
    default: return [];
  }
}

export type Env = (name: string) => number | undefined;

/** The value of an expression, or undefined after reporting why there is none. */
export function evaluate(e: AtomAst, env: Env, report: (d: Diagnostic) => void, field: string): number | undefined {
  const fail = (d: Diagnostic) => (report(d), undefined);
  switch (e.kind) {
    case 'number': {
      const n = Number(e.text);
      return Number.isFinite(n) ? n : fail(diagnostic('E0312', e.span, { what: field, value: e.text, expected: 'a finite number' }, field));
    }
    case 'name': {
      const v = env(e.text);
      return v !== undefined ? v : fail(diagnostic('E0323', e.span, { name: e.text }, field));
    }
    case 'dims':
    case 'dash':
      return fail(diagnostic('E0312', e.span, { what: field, value: e.text, expected: 'a number' }, field));
    case 'call': {
      const f = functions[e.fn];
      if (!f) return fail(diagnostic('E0324', e.fnSpan, { name: e.fn, suggestion: nearestName(e.fn, Object.keys(functions)), valid: Object.keys(functions) }, field));
      if (e.args.length !== f.arity) return fail(diagnostic('E0325', e.span, { name: e.fn, arity: f.arity, got: e.args.length }, field));
      const args = e.args.map((a) => evaluate(a, env, report, field));
      return args.every((a) => a !== undefined) ? f.apply(...(args as number[])) : undefined;
    }
    case 'binary': {
      const a = evaluate(e.left, env, report, field);
      const b = evaluate(e.right, env, report, field);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === '/' && b === 0) return fail(diagnostic('E0326', e.span, { text: e.text }, field));
      const v = e.op === '+' ? a + b : e.op === '*' ? a * b : a / b;
      return Number.isFinite(v) ? v : fail(diagnostic('E0320', e.span, { field, value: e.text, max: 'a finite number' }, field));
    }
  }
}

/** A whole number from an expression, allowing for floating-point noise (channels * 0.5 of an even width). */
export function wholeNumber(v: number): number | undefined {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-9 * Math.max(1, Math.abs(v)) ? r : undefined;
}

const precedence = (e: AtomAst) => (e.kind === 'binary' ? (e.op === '+' ? 1 : 2) : 3);

/**
 * The canonical text of a value: one space around operators, `f(a, b)` for calls, parentheses only where the
 * tree needs them (a right operand of the same precedence keeps them: `a / (b * c)`, and `a + (b + c)` stays as
 * written, since floating-point sums are not associative).
 */
export function expressionText(e: AtomAst): string {
  switch (e.kind) {
    case 'binary': {
      const p = precedence(e);
      const left = precedence(e.left) < p ? `(${expressionText(e.left)})` : expressionText(e.left);
      const right = precedence(e.right) <= p ? `(${expressionText(e.right)})` : expressionText(e.right);
      return `${left} ${e.op} ${right}`;
    }
    case 'call':
      return `${e.fn}(${e.args.map(expressionText).join(', ')})`;
    default:
      return e.text;
  }
}

/** A stage-table field: a plain value as it is, an expression in the parentheses the table needs. */
export const fieldText = (e: AtomAst) => (e.kind === 'number' || e.kind === 'dash' ? e.text : `(${expressionText(e)})`);
