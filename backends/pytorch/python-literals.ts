/**
 * Python source literals: the only place TypeScript values become Python text, so model.py never holds a
 * number, string or docstring that Python would read differently from what the graph says.
 */

/** A value a generated constructor call can take; `undefined` keyword arguments are left out (the default). */
export type PyValue = number | string | boolean | readonly number[] | PyRaw;

/** Python source to insert as it is: a nested call, a name. */
export interface PyRaw {
  readonly raw: string;
}

export const raw = (text: string): PyRaw => ({ raw: text });

/**
 * A finite number as Python reads it. JavaScript's shortest round-trip form (0.001, 1e-7, 1.5e+21) is also a
 * valid Python literal of the same double; an integer stays an int, so `kernel=3` reads as it should.
 */
export function pyNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`internal: ${n} has no Python literal`);
  return Object.is(n, -0) ? '0' : String(n);
}

/** A single-quoted string; anything beyond plain printable ASCII is escaped. */
export function pyString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}'`;
}

export function pyValue(v: PyValue): string {
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.map(pyNumber).join(', ')}${v.length === 1 ? ',' : ''})`;
  return (v as PyRaw).raw;
}

/** `Name(a, b, key=value)`, keyword arguments in the order given, undefined ones left out. */
export function pyCall(callee: string, args: readonly PyValue[], kwargs: readonly (readonly [string, PyValue | undefined])[] = []): string {
  const parts = args.map(pyValue);
  for (const [k, v] of kwargs) if (v !== undefined) parts.push(`${k}=${pyValue(v)}`);
  return `${callee}(${parts.join(', ')})`;
}

/**
 * Text for inside a `"""` docstring: backslashes escaped, every third double quote of a run escaped (so no
 * run can close the docstring), control characters as escapes. A checkpoint's file name in the weights
 * description is the user's text.
 */
export function docstringText(s: string): string {
  let out = '';
  let quotes = 0;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    quotes = ch === '"' ? quotes + 1 : 0;
    if (ch === '\\' || (ch === '"' && quotes === 3)) out += `\\${ch}`;
    else if (code >= 0x20 && code !== 0x7f) out += ch;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
    if (quotes === 3) quotes = 0;
  }
  // A quote at the very end would run into the closing """.
  return out.endsWith('"') ? `${out.slice(0, -1)}\\"` : out;
}

const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);

/** Whether `name` can be written as a Python attribute or keyword argument (else add_module by string). */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);
}

/** efficientnet-b0 → EfficientnetB0, mobilenet-v3-large → MobilenetV3Large, tiny_v3 → TinyV3. */
export function camelCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(joined) ? joined : `Model${joined}`;
}
