/** Helpers for the TF.js backend tests: emit a spec into a temporary directory, read weights back. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Artifact } from '../../../backends/backend.js';
import { sampleInput } from '../../../backends/sample-input.js';
import { emitTfjs, type TfjsEmitOptions } from '../../../backends/tfjs/tfjs-backend.js';
import type { Compilation } from '../../../src/pipeline.js';
import { compile } from '../../../src/pipeline.js';
import { readFileSync } from 'node:fs';
import { specPath } from '../../helpers.js';

/** Writes an artifact's files under dir (tests only; the CLI writes atomically). */
export function writeArtifact(artifact: Artifact, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of artifact.files) {
    const chunks = [...f.chunks()];
    writeFileSync(path.join(dir, f.path), Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
  }
  return dir;
}

export const tempDir = (tag: string) => mkdtempSync(path.join(tmpdir(), `effnet-tfjs-${tag}-`));

/** Compiles specs/<file> with text edits (e.g. fewer classes) and scaling; throws on diagnostics errors. */
export function compileEdited(file: string, options: Parameters<typeof compile>[2], edit: (t: string) => string = (t) => t): Compilation & { graph: NonNullable<Compilation['graph']>; report: NonNullable<Compilation['report']> } {
  const c = compile(`specs/${file}`, edit(readFileSync(specPath(file), 'utf8')), options);
  if (!c.graph || !c.report) throw new Error(`${file}: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return c as never;
}

export function emitToDir(c: { graph: NonNullable<Compilation['graph']> }, tag: string, options: Partial<TfjsEmitOptions> = {}): { dir: string; artifact: Artifact } {
  const artifact = emitTfjs(c.graph, { seed: 7, weights: 'random', ...options });
  return { dir: writeArtifact(artifact, tempDir(tag)), artifact };
}

/** Deterministic pseudo-random input in [-1, 1) of an NHWC shape, the same for every runtime. */
export function randomInput(shape: readonly number[], seed = 1): Float32Array {
  return sampleInput(shape.reduce((a, b) => a * b, 1), seed);
}

/** max |a - b| and that over max |b|: the relative error used by the cross-runtime checks. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; rel: number } {
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { maxAbs, rel: maxAbs / (scale || 1) };
}
