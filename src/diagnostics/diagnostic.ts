import type { Span } from '../source/span.js';
import { messages, type Code, type MessageArgs, type Severity } from './messages.js';

/** One problem found in a spec, always tied to the text it is about. */
export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  /** Which property of the node the span covers (e.g. 'stride'), so tests can match without text. */
  readonly property?: string;
}

/** Builds a diagnostic from the catalogue: the only way diagnostics are made. */
export function diagnostic<C extends Code>(code: C, span: Span, args: MessageArgs<C>, property?: string): Diagnostic {
  const def = messages[code] as unknown as {
    severity: Severity;
    message: (a: unknown) => string;
    hint?: (a: unknown) => string | undefined;
  };
  const hint = def.hint?.(args);
  return {
    code,
    severity: def.severity,
    message: def.message(args),
    span,
    ...(hint ? { hint } : {}),
    ...(property ? { property } : {}),
  };
}

/**
 * The most diagnostics a compilation keeps (the library and --json return them all up to this; the terminal
 * shows the first MAX_PRINTED). Past it, garbage input would cost memory for nothing anyone reads.
 */
export const MAX_DIAGNOSTICS = 10_000;

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** The result every pipeline stage returns: a value (absent when the stage failed) and what it found. */
export interface StageResult<T> {
  readonly value?: T;
  readonly diagnostics: readonly Diagnostic[];
}
