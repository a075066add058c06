/** Shared test helpers: compile a spec from specs/ by name. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { compile, type Compilation, type CompileOptions } from '../src/pipeline.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const specPath = (name: string) => path.join(repoRoot, 'specs', name);

/** Compiles specs/<name> and fails loudly (with the diagnostics) if it does not compile. */
export function compileSpec(name: string, options: CompileOptions = {}): Required<Pick<Compilation, 'graph' | 'report' | 'scaled'>> & Compilation {
  const c = compile(`specs/${name}`, readFileSync(specPath(name)), options);
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !c.report) throw new Error(`specs/${name} did not compile: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return c as Required<Pick<Compilation, 'graph' | 'report' | 'scaled'>> & Compilation;
}
