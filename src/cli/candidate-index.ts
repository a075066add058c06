/**
 * `grid --candidate K`: which candidate a task evaluates. K is a number, or comes from the environment an
 * array job's scheduler sets for each of its tasks, so one job script serves every task unchanged:
 *
 * - `--candidate env` reads SLURM_ARRAY_TASK_ID (Slurm `sbatch --array`), else JOB_COMPLETION_INDEX
 *   (a Kubernetes Indexed Job), whichever is set;
 * - `--candidate env:NAME` reads $NAME (another scheduler's task index).
 *
 * Indices count from 0, as the grid lists them; `sbatch --array=0-N` with N the last index.
 */
import { UsageError } from './io.js';

/** The variables `--candidate env` reads, in this order. */
export const TASK_INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

export interface CandidateIndex {
  readonly index: number;
  /** The environment variable it came from, when it came from one. */
  readonly from?: string;
}

const indexPattern = /^\s*\d+\s*$/;

export function candidateIndex(flag: string, env: NodeJS.ProcessEnv): CandidateIndex {
  const parse = (text: string, what: string): number => {
    const v = Number(text);
    if (!indexPattern.test(text) || !Number.isSafeInteger(v)) throw new UsageError(`${what} is '${text}', not a candidate index (a whole number from 0)`);
    return v;
  };
  if (flag === 'env') {
    const name = TASK_INDEX_VARIABLES.find((n) => env[n] !== undefined && env[n] !== '');
    if (!name) throw new UsageError(`--candidate env reads the task's index from ${TASK_INDEX_VARIABLES.join(' or ')}, and neither is set (another scheduler's variable: --candidate env:NAME)`);
    return { index: parse(env[name]!, name), from: name };
  }
  if (flag.startsWith('env:')) {
    const name = flag.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--candidate env:NAME expects an environment variable's name, got '${name}'`);
    const value = env[name];
    if (value === undefined || value === '') throw new UsageError(`--candidate ${flag}: ${name} is not set`);
    return { index: parse(value, name), from: name };
  }
  if (!indexPattern.test(flag)) throw new UsageError(`--candidate expects an index (0, 1, ...), 'env' or 'env:NAME', got '${flag}'`);
  return { index: parse(flag, '--candidate') };
}
