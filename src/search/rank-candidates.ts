/**
 * How grid candidates are ranked by their scores: best first (higher, or lower with `minimize`), candidates
 * without a score (failed evaluations) last, ties in grid order. `grid --eval` and `grid --merge` both rank
 * with this, so evaluating in one process or in an array job gives the same table.
 */
export interface Scored {
  readonly index: number;
  readonly score?: number;
}

export function rankByScore<T extends Scored>(candidates: readonly T[], minimize = false): T[] {
  const sign = minimize ? 1 : -1;
  return [...candidates].sort((a, b) => {
    if (a.score === undefined || b.score === undefined) return (a.score === undefined ? 1 : 0) - (b.score === undefined ? 1 : 0) || a.index - b.index;
    return sign * (a.score - b.score) || a.index - b.index;
  });
}
