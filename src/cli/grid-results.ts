/**
 * `grid --results FILE`: one JSON line per evaluation, appended as each finishes, so an interrupted search
 * resumes, and what `grid --merge` reads back from the files of an array job's tasks. Reading skips (and
 * reports) lines that are not grid results rather than trusting them; appending never leaves a partial line
 * or an empty file behind: a write that fails (disk full) is undone and reported with the path and the reason.
 */
import { accessSync, closeSync, constants, existsSync, fstatSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeError } from './output/fs-errors.js';
import { outputTarget } from './output/output-path.js';
import { readInput } from './read-input.js';

export interface GridResult {
  /** The candidate's index in the grid it was evaluated from (lines written before indices existed have none). */
  readonly index?: number;
  /** The digest of that grid (grid-digest.ts), so results of a changed grid are never taken for this one's. */
  readonly digest?: string;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly score?: number;
  readonly error?: string;
}

/** A line of a results file that holds no grid result, and why. */
export interface SkippedLine {
  readonly line: number;
  readonly why: string;
}

/** Results files hold one short line per candidate: 16 MiB is far more than any grid writes. */
const RESULTS_LIMIT = 16 * 1024 * 1024;

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The grid result a line holds, or why it holds none. */
export function parseResultLine(line: string): GridResult | string {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return 'not JSON (a line cut short by an interruption?)';
  }
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return `not an object (${line.slice(0, 40)})`;
  const o = r as Record<string, unknown>;
  for (const k of ['alpha', 'beta', 'gamma']) if (!finite(o[k])) return `no numeric '${k}'`;
  if (o.score !== undefined && !finite(o.score)) return "'score' is not a number";
  if (o.score === undefined && typeof o.error !== 'string') return "neither a numeric 'score' nor an 'error'";
  if (o.index !== undefined && !(Number.isSafeInteger(o.index) && (o.index as number) >= 0)) return "'index' is not a candidate index";
  if (o.digest !== undefined && typeof o.digest !== 'string') return "'digest' is not a string";
  return {
    ...(o.index !== undefined ? { index: o.index as number } : {}),
    ...(o.digest !== undefined ? { digest: o.digest as string } : {}),
    alpha: o.alpha as number,
    beta: o.beta as number,
    gamma: o.gamma as number,
    ...(o.score !== undefined ? { score: o.score as number } : { error: o.error as string }),
  };
}

/** The results a file holds, each with its line number, and the lines that hold none. */
export function readResultsFile(path: string): { results: (GridResult & { line: number })[]; skipped: SkippedLine[] } {
  const results: (GridResult & { line: number })[] = [];
  const skipped: SkippedLine[] = [];
  const lines = new TextDecoder().decode(readInput(path, RESULTS_LIMIT, 'results file')).split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const r = parseResultLine(text);
    if (typeof r === 'string') skipped.push({ line: i + 1, why: r });
    else results.push({ ...r, line: i + 1 });
  });
  return { results, skipped };
}

export class ResultsLog {
  private fd: number | undefined;
  private created = false;

  private constructor(readonly path: string, readonly previous: readonly GridResult[], readonly skipped: readonly SkippedLine[]) {}

  /** Reads what an earlier run wrote (if anything), checking the path like any output of effnet's. */
  static open(path: string, inputs: readonly string[]): ResultsLog {
    const target = outputTarget(path, 'file', inputs);
    // Checked now, not at the first append: an evaluation may train for hours before it has a result to write.
    if (target.existing === 'missing') {
      try {
        if (!statSync(dirname(target.path)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        accessSync(dirname(target.path), constants.W_OK);
      } catch (e) {
        throw writeError(e, path);
      }
    }
    const read = target.existing === 'file' ? readResultsFile(target.path) : { results: [], skipped: [] };
    return new ResultsLog(target.path, read.results, read.skipped);
  }

  /** Appends one line whole, or nothing: a failed write is cut back off the file. */
  append(r: GridResult): void {
    const bytes = new TextEncoder().encode(JSON.stringify(r) + '\n');
    let size = 0;
    try {
      if (this.fd === undefined) {
        this.created = !existsSync(this.path);
        this.fd = openSync(this.path, 'a');
      }
      size = fstatSync(this.fd).size;
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      if (this.fd !== undefined) {
        try {
          ftruncateSync(this.fd, size);
        } catch {
          // The file could not even be cut back: the next run skips the partial line it finds.
        }
      }
      this.close();
      throw writeError(e, this.path, 'the results so far are kept; run again to resume');
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    const empty = fstatSync(fd).size === 0;
    closeSync(fd);
    // A file this run created and never managed to write to would be an empty results file: remove it.
    if (empty && this.created) rmSync(this.path, { force: true });
  }
}
