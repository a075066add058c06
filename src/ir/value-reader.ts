/**
 * Reads one value of a spec (a number, a name, a rate, an activation, an option list) and checks it against
 * the type it must have, collecting a diagnostic for every bad value so that lowering reports all of them in
 * one run. Each reader returns undefined after reporting.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { nearestName } from '../diagnostics/nearest-name.js';
import type { AtomAst, OptionAst, SettingAst, ValueAst } from '../syntax/ast.js';
import { activationNamed, activations, type Activation } from './activations.js';
import { evaluate, wholeNumber } from './expressions.js';
import { maxValue } from './limits.js';
import type { OptionType } from './ops.js';

/** Collects diagnostics while reading values; each reader returns undefined after reporting. */
export class Reader {
  readonly diagnostics: Diagnostic[] = [];

  /** `params` are the model's params: a numeric value may name one, or be an expression of them. */
  constructor(readonly params: Readonly<Record<string, number>> = {}) {}

  /**
   * A literal number, a model param, or an expression of them; null for a value that is none of these (the
   * caller says what it wanted), undefined after reporting a problem inside an expression.
   */
  private numeric(atom: AtomAst, field: string): number | null | undefined {
    if (atom.kind === 'number') return Number(atom.text);
    if (atom.kind === 'name') return this.params[atom.text] ?? null;
    if (atom.kind === 'binary' || atom.kind === 'call') return evaluate(atom, (n) => this.params[n], (d) => this.report(d), field);
    return null;
  }

  report(d: Diagnostic): undefined {
    this.diagnostics.push(d);
    return undefined;
  }

  single(value: ValueAst, what: string): AtomAst | undefined {
    if (value.atoms.length === 1) return value.atoms[0];
    return this.report(diagnostic('E0312', value.span, { what, value: value.atoms.map((a) => a.text).join(','), expected: 'a single value' }, what));
  }

  /** A whole number from 1 to the field's limit (limits.ts). */
  positiveInt(atom: AtomAst, field: string): number | undefined {
    const value = this.numeric(atom, field);
    if (value === undefined) return undefined;
    const computed = atom.kind === 'binary' || atom.kind === 'call';
    const n = value === null ? NaN : computed ? wholeNumber(value) ?? value : value;
    if (computed && !Number.isInteger(n) && Number.isFinite(n)) return this.report(diagnostic('E0327', atom.span, { field, text: atom.text, value: String(n) }, field));
    const max = maxValue(field);
    // 1e400 is Infinity and 1e20 an integer past 2^53: both are "too large", not "not an integer".
    if (n > max && (Number.isInteger(n) || n === Infinity)) return this.tooLarge(atom, field, max);
    if (Number.isInteger(n) && n >= 1) return n;
    return this.report(diagnostic('E0306', atom.span, { field, value: atom.text }, field));
  }

  /** A whole number from 0 (a variant's repeats, where 0 leaves a stage out). */
  count(atom: AtomAst, field: string): number | undefined {
    if (atom.kind === 'number' && Number(atom.text) === 0) return 0;
    return this.positiveInt(atom, field);
  }

  private tooLarge(atom: AtomAst, field: string, max: number): undefined {
    return this.report(diagnostic('E0320', atom.span, { field, value: atom.text, max: max.toLocaleString('en-US') }, field));
  }

  number(atom: AtomAst, field: string): number | undefined {
    const value = this.numeric(atom, field);
    if (value === undefined) return undefined;
    const n = value === null ? NaN : value;
    if (Number.isFinite(n)) return n;
    if (Math.abs(n) === Infinity) return this.tooLarge(atom, field, maxValue(field));
    return this.report(diagnostic('E0312', atom.span, { what: field, value: atom.text, expected: 'a number' }, field));
  }

  positiveNumber(atom: AtomAst, field: string): number | undefined {
    const n = this.number(atom, field);
    if (n === undefined) return undefined;
    if (n > maxValue(field)) return this.tooLarge(atom, field, maxValue(field));
    if (n > 0) return n;
    return this.report(diagnostic('E0318', atom.span, { field, value: atom.text }, field));
  }

  /** A dropout-like rate: 0 up to, not including, 1 (a rate of 1 would drop everything). */
  rate(atom: AtomAst, field: string): number | undefined {
    const n = this.number(atom, field);
    if (n === undefined) return undefined;
    if (n >= 0 && n < 1) return n;
    return this.report(diagnostic('E0316', atom.span, { field, value: atom.text, min: '0', max: '1 (exclusive)' }, field));
  }

  /** A compound-scaling base (alpha, beta, gamma): at least 1, checked where it is written, not only when used. */
  base(atom: AtomAst, field: 'alpha' | 'beta' | 'gamma'): number | undefined {
    const n = this.number(atom, field);
    if (n === undefined) return undefined;
    if (n > maxValue(field)) return this.tooLarge(atom, field, maxValue(field));
    if (n >= 1) return n;
    return this.report(diagnostic('E0501', atom.span, { name: field, value: atom.text }, field));
  }

  ranged(atom: AtomAst, field: string, min: number, max: number, minExclusive = false): number | undefined {
    const n = this.number(atom, field);
    if (n === undefined) return undefined;
    if ((minExclusive ? n > min : n >= min) && n <= max) return n;
    const lo = minExclusive ? `${min} (exclusive)` : String(min);
    return this.report(diagnostic('E0316', atom.span, { field, value: atom.text, min: lo, max: String(max) }, field));
  }

  activation(atom: AtomAst, field: string): Activation | undefined {
    const a = atom.kind === 'name' ? activationNamed(atom.text) : undefined;
    if (a) return a;
    return this.report(diagnostic('E0303', atom.span, { name: atom.text, suggestion: nearestName(atom.text, activations), valid: activations }, field));
  }

  enumOf<T extends string>(atom: AtomAst, field: string, values: readonly T[]): T | undefined {
    if (atom.kind === 'name' && (values as readonly string[]).includes(atom.text)) return atom.text as T;
    return this.report(diagnostic('E0312', atom.span, { what: field, value: atom.text, expected: values.map((v) => `'${v}'`).join(', ') }, field));
  }

  onOff(atom: AtomAst, field: string): boolean | undefined {
    const v = this.enumOf(atom, field, ['on', 'off', 'true', 'false', 'yes', 'no']);
    return v === undefined ? undefined : v === 'on' || v === 'true' || v === 'yes';
  }

  typed(atom: AtomAst, field: string, type: OptionType): number | string | boolean | undefined {
    switch (type.kind) {
      case 'int': return this.positiveInt(atom, field);
      case 'number': return type.max === undefined ? (type.min > 0 ? this.ranged(atom, field, type.min, maxValue(field)) : this.positiveNumber(atom, field)) : this.ranged(atom, field, type.min, type.max, type.minExclusive);
      case 'activation': return this.activation(atom, field);
      case 'onoff': return this.onOff(atom, field);
      case 'enum': return this.enumOf(atom, field, type.values);
    }
  }

  /** Options by name, reporting unknown (E0302) and repeated (E0305) ones. */
  options(opts: readonly OptionAst[], valid: readonly string[], owner: string): Map<string, OptionAst> {
    return this.byName(opts, valid,
      (o) => diagnostic('E0302', o.nameSpan, { name: o.name, owner, suggestion: nearestName(o.name, valid), valid }, o.name),
      (o) => diagnostic('E0305', o.nameSpan, { name: o.name }, o.name));
  }

  /** Settings by name, reporting unknown (E0310) and repeated (E0311) ones. */
  settings(settings: readonly SettingAst[], valid: readonly string[], where: string): Map<string, SettingAst> {
    return this.byName(settings, valid,
      (s) => diagnostic('E0310', s.nameSpan, { name: s.name, where, suggestion: nearestName(s.name, valid), valid }, s.name),
      (s) => diagnostic('E0311', s.nameSpan, { name: s.name }, s.name));
  }

  /** Named items by name; the first of a repeated name wins, and the others are reported. */
  private byName<T extends { readonly name: string }>(items: readonly T[], valid: readonly string[], unknown: (item: T) => Diagnostic, repeated: (item: T) => Diagnostic): Map<string, T> {
    const seen = new Map<string, T>();
    for (const item of items) {
      if (!valid.includes(item.name)) this.report(unknown(item));
      else if (seen.has(item.name)) this.report(repeated(item));
      else seen.set(item.name, item);
    }
    return seen;
  }
}
