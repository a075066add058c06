/**
 * One-line docs for the language's names, read from the tables the compiler itself uses, so a hover or a
 * completion item can never describe an operator or option differently from what the compiler does.
 */
import { activationDocs, activationNamed } from '../ir/activations.js';
import { commonStatementOptions, statementOps } from '../ir/block-ops.js';
import { expressionText, functions } from '../ir/expressions.js';
import { operators, optionDocs, optionTypes, type OptionType } from '../ir/ops.js';
import type { BlockAst } from '../syntax/ast.js';

const has = <T extends object>(table: T, name: string): name is Extract<keyof T, string> => Object.prototype.hasOwnProperty.call(table, name);

export function operatorDoc(name: string): string | undefined {
  return has(operators, name) ? operators[name].summary : undefined;
}

/** A primitive a block statement may name (conv, split, residual, gelu, ...). */
export function statementOpDoc(name: string): string | undefined {
  return has(statementOps, name) ? statementOps[name]!.summary : undefined;
}

export function activationDoc(name: string): string | undefined {
  const a = activationNamed(name);
  if (!a) return undefined;
  return a === name ? activationDocs[a] : `${activationDocs[a]} (the same as ${a})`;
}

export function functionDoc(name: string): string | undefined {
  return has(functions, name) ? functions[name]!.doc : undefined;
}

/** What an option's value must be, as the docs write it: `on|off`, `an activation`, `a whole number >= 1`. */
function valueText(t: OptionType): string {
  switch (t.kind) {
    case 'int': return `a whole number >= ${t.min}`;
    case 'number': return t.max === undefined ? `a number >= ${t.min}` : `a number in ${t.minExclusive ? '(' : '['}${t.min}, ${t.max}]`;
    case 'activation': return 'an activation';
    case 'onoff': return 'on|off';
    case 'enum': return t.values.join('|');
  }
}

/** A stage-row or layer option: its meaning and what its value must be. */
export function optionDoc(name: string): string | undefined {
  if (name === 'first') return "the stage's first block is this user-defined block instead (a downsampling unit)";
  if (!has(optionDocs, name)) return undefined;
  return `${optionDocs[name]} (value: ${valueText((optionTypes as Record<string, OptionType>)[name]!)})`;
}

/** An option of a block statement: the row options' meaning where the name is shared. */
export function statementOptionDoc(op: string, name: string): string | undefined {
  if (name === 'from') return "the statement's input tensors (default: the previous statement's output, or the block input `in`)";
  if (name === 'as') return 'the name its layers get inside the block';
  if (!has(statementOps, op)) return undefined;
  const kind = statementOps[op]!.options[name];
  if (!kind) return undefined;
  return kind === 'expr' ? `an expression (may name the block's parameters, lets, tensors' channels and the model's params)` : optionDoc(name);
}

/** The options a statement primitive takes, in the order the table lists them, then `from` and `as`. */
export function statementOptionNames(op: string): string[] {
  return has(statementOps, op) ? [...Object.keys(statementOps[op]!.options), ...commonStatementOptions] : [...commonStatementOptions];
}

/** `shuffle_unit(channels, ratio = 4)`. */
export function blockSignature(b: BlockAst): string {
  return `${b.name}(${b.params.map((p) => (p.default ? `${p.name} = ${expressionText(p.default)}` : p.name)).join(', ')})`;
}
