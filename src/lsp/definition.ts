/**
 * Go-to-definition: a user-defined block's name (a row's or statement's operator, `first NAME`, a variant's
 * `operator NAME`) goes to its `block NAME(...)`; a name in an expression goes to the block parameter or let
 * that declares it, else to its line in `params { }`.
 */
import type { Span } from '../source/span.js';
import type { BlockAst, ModelAst } from '../syntax/ast.js';
import { syntaxAt } from './syntax-at.js';

export function definitionAt(ast: ModelAst, offset: number): Span | undefined {
  const at = syntaxAt(ast, offset);
  const t = at.token;
  if (!t || (t.kind !== 'op' && t.kind !== 'name')) return undefined;
  const block = ast.members.find((m): m is BlockAst => m.kind === 'block' && m.name === t.name);
  if (block) return block.nameSpan;
  if (t.kind !== 'name') return undefined;
  // The innermost scope first, as the compiler resolves names: the block's own parameters and lets.
  const param = at.block?.params.find((p) => p.name === t.name);
  if (param) return param.span;
  const let_ = at.block?.body.find((s) => s.kind === 'let' && s.name === t.name);
  if (let_ && let_.kind === 'let') return let_.nameSpan;
  for (const m of ast.members) {
    if (m.kind !== 'params') continue;
    const s = m.settings.find((x) => x.name === t.name);
    if (s) return s.span;
  }
  return undefined;
}
