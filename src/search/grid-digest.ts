/**
 * The digest of a grid: what `grid --list` prints and `grid --candidate K --digest D` checks. Task K of an
 * array job must evaluate the candidate that was K when the job was planned; if the spec, the grid settings
 * or effnet's costing changed since, index K may name another model, so the digest covers all of them: the
 * spec's bytes (an edit that keeps params and MACs, a new activation, still changes the model), the step,
 * tolerance and variant, and the candidate table itself (index, alpha, beta, gamma, params, MACs).
 */
import { createHash } from 'node:crypto';
import type { GridCandidate } from './scaling-search.js';

export interface GridIdentity {
  /** sha256 of the spec file's bytes, hex (as compile records it in effnet.spec_sha256). */
  readonly specSha256: string;
  readonly variant?: string;
  readonly step: number;
  readonly tolerance: number;
  readonly candidates: readonly GridCandidate[];
}

/** Hex digits of the sha256 kept: 64 bits, short enough to paste into a job script, far from colliding. */
export const DIGEST_LENGTH = 16;

export function gridDigest(g: GridIdentity): string {
  const canonical = JSON.stringify({
    grid: 1,
    spec: g.specSha256,
    variant: g.variant ?? null,
    step: g.step,
    tolerance: g.tolerance,
    candidates: g.candidates.map((c) => [c.index, c.alpha, c.beta, c.gamma, c.total.params, c.total.macs]),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, DIGEST_LENGTH);
}
