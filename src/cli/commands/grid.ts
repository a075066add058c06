/**
 * `effnet grid`: the paper's step 1. Lists every alpha, beta, gamma >= 1 on a grid with
 * alpha * beta^2 * gamma^2 near 2, costed at phi = 1, cheapest first, each with its index, under a digest of
 * the grid. With --eval, runs a user's command on each candidate's scaled spec, reads a score from its last
 * output line, and ranks; results are appended to a file as they come, so an interrupted search resumes.
 *
 * On a cluster the same search is an array job: task K runs `grid --candidate K` (K from the scheduler's
 * environment with `--candidate env`), which writes candidate K's spec or model and evaluates it alone, and
 * `grid --merge` ranks the tasks' result files as --eval would have. `--digest` ties a task to the grid it was
 * planned from: a changed spec or grid is refused rather than evaluated under the wrong index.
 */
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { printSpec } from '../../ir/print-spec.js';
import type { ModelSpec } from '../../ir/spec.js';
import { instantiate, type CompileOptions } from '../../pipeline.js';
import { gridCandidates, type GridCandidate } from '../../search/scaling-search.js';
import { DIGEST_LENGTH, gridDigest } from '../../search/grid-digest.js';
import { rankByScore } from '../../search/rank-candidates.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { count, withSeparators } from '../../report/units.js';
import type { SourceFile } from '../../source/source-file.js';
import { UsageError } from '../io.js';
import type { CliContext, Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { progressBar } from '../progress.js';
import { runEval, type EvalRun } from '../run-eval.js';
import { readResultsFile, ResultsLog, type GridResult, type SkippedLine } from '../grid-results.js';
import { cleanDeadScratch, createScratch, recordEvaluation } from '../grid-scratch.js';
import { candidateIndex } from '../candidate-index.js';
import { compileScaled } from './compile.js';
import { writeTextOutput } from '../output/write-text.js';

interface GridFlags {
  variant?: string;
  step: string;
  tolerance: string;
  list?: boolean;
  candidate?: string;
  digest?: string;
  merge?: string[];
  emit?: string;
  target?: string;
  output?: string;
  seed?: string;
  verify?: boolean;
  eval?: string;
  results?: string;
  limit: string;
  timeout: string;
  minimize?: boolean;
  json?: boolean;
}

interface Scored extends GridCandidate {
  score?: number;
  error?: string;
}

/** What every mode knows about the grid it works on. */
interface Grid {
  readonly file: string;
  readonly source: SourceFile;
  readonly spec: ModelSpec;
  readonly options: CompileOptions;
  readonly variant?: string;
  readonly step: number;
  readonly tolerance: number;
  readonly specSha256: string;
  readonly digest: string;
  readonly candidates: readonly GridCandidate[];
}

const keyOf = (c: { alpha: number; beta: number; gamma: number }) => `${c.alpha}/${c.beta}/${c.gamma}`;
const scaling = (c: GridCandidate) => ({ phi: 1, alpha: c.alpha, beta: c.beta, gamma: c.gamma });
const describe = (c: GridCandidate) => `alpha ${c.alpha}, beta ${c.beta}, gamma ${c.gamma}`;

/**
 * The number that ends the last non-empty line of a command's output: '0.763', 'top1 76.3', 'acc: 76.3 %'.
 * It must stand as a word of its own, so a file name such as alpha1.2-beta1.1.effnet never scores.
 */
export function scoreFromOutput(stdout: string): number | undefined {
  const last = stdout.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
  const m = last?.match(/(?:^|[\s:=,(])([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*%?\)?$/);
  return m ? Number(m[1]) : undefined;
}

function evalError(run: EvalRun, timeout: number): string {
  if (run.failure === 'timeout') return `timed out after ${timeout} s; the command and everything it started were stopped`;
  if (run.failure) return run.failure;
  if (run.code !== 0) {
    const last = run.stderr.trim().split('\n').at(-1);
    return `exit code ${run.code ?? 'none (killed by a signal)'}${last ? `: ${last}` : ''}`;
  }
  return 'the last output line does not end with a number';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "111 candidates with ... ; the 4 with the fewest MACs evaluated, ranked by score": the count that qualified, then what the table shows. */
export function gridTitle(model: string, qualified: number, shown: number, tolerance: number, step: number, better?: 'lower' | 'higher'): string {
  const head = `${model}: ${plural(qualified, 'candidate')} with |alpha*beta^2*gamma^2 - 2| <= ${tolerance} (step ${step})`;
  if (better === undefined) return `${head}, by MACs`;
  const which = shown < qualified ? `; the ${shown} with the fewest MACs evaluated (--limit)` : '';
  return `${head}${which}, ranked by score (${better} is better)`;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Flags that only make sense in one mode, by commander key; given elsewhere they would be silently ignored. */
function refuseOutOfMode(command: Command, keys: readonly string[], why: string): void {
  const set = keys.filter((k) => command.getOptionValueSource(k) === 'cli');
  if (set.length) throw new UsageError(`${set.map((k) => (k === 'output' ? '-o' : `--${k}`)).join(', ')} only ${set.length === 1 ? 'applies' : 'apply'} ${why}`);
}

function checkModes(flags: GridFlags, command: Command): void {
  const modes = [flags.list && '--list', flags.eval !== undefined && flags.candidate === undefined && '--eval', flags.candidate !== undefined && '--candidate', flags.merge && '--merge'].filter(Boolean);
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')} are different jobs: give one (--candidate K --eval CMD evaluates one candidate)`);
  if (flags.candidate === undefined) refuseOutOfMode(command, ['emit', 'output', 'target', 'seed', 'verify'], 'with --candidate K');
  if (flags.output === undefined) refuseOutOfMode(command, ['target', 'seed', 'verify'], 'with -o (the candidate\'s compiled model)');
  if (flags.eval === undefined) refuseOutOfMode(command, ['results', 'timeout'], 'with --eval');
  if (flags.eval === undefined || flags.candidate !== undefined) refuseOutOfMode(command, ['limit'], 'with --eval over the whole grid');
  if (flags.eval === undefined && !flags.merge) refuseOutOfMode(command, ['minimize'], 'with --eval or --merge (a ranking)');
  if (flags.candidate !== undefined) refuseOutOfMode(command, ['minimize'], 'to a ranking: --candidate evaluates one candidate');
  if (flags.eval?.includes('{out}') && flags.output === undefined) throw new UsageError('--eval has {out}, the compiled model\'s path, but no -o says where to compile it (with --candidate K)');
  if (flags.eval !== undefined && !flags.eval.includes('{spec}') && !(flags.output !== undefined && flags.eval.includes('{out}'))) {
    throw new UsageError(flags.candidate !== undefined ? '--eval needs {spec} (the candidate\'s spec) or, with -o, {out} (its compiled model) where the path goes' : '--eval needs {spec} where the candidate spec path goes');
  }
}

function numbers(flags: GridFlags) {
  const step = Number(flags.step);
  const tolerance = Number(flags.tolerance);
  const limit = Number(flags.limit);
  const timeout = Number(flags.timeout);
  if (!(step >= 0.01 && step <= 1)) throw new UsageError(`--step expects a number from 0.01 to 1, got '${flags.step}'`);
  if (!(tolerance > 0 && tolerance < 2)) throw new UsageError(`--tolerance expects a number above 0 and below 2, got '${flags.tolerance}'`);
  if (!(Number.isInteger(limit) && limit >= 1)) throw new UsageError(`--limit expects a positive integer, got '${flags.limit}'`);
  if (!(timeout > 0)) throw new UsageError(`--timeout expects seconds above 0, got '${flags.timeout}'`);
  if (flags.digest !== undefined && !new RegExp(`^[0-9a-fA-F]{${DIGEST_LENGTH}}$`).test(flags.digest)) throw new UsageError(`--digest expects the ${DIGEST_LENGTH} hex digits grid --list prints, got '${flags.digest}'`);
  return { step, tolerance, limit, timeout };
}

const settingsOf = (g: Grid) => `spec sha256 ${g.specSha256.slice(0, 12)}..., step ${g.step}, tolerance ${g.tolerance}, ${g.variant ? `variant ${g.variant}` : 'no variant'}, ${g.candidates.length} candidates`;

/** A task planned from another grid would evaluate whatever its index names now: refuse it. */
function checkDigest(g: Grid, given: string | undefined): void {
  if (given === undefined || given.toLowerCase() === g.digest) return;
  const list = ['effnet grid', g.file, ...(g.variant ? ['--variant', g.variant] : []), ...(g.step !== 0.05 ? ['--step', String(g.step)] : []), ...(g.tolerance !== 0.1 ? ['--tolerance', String(g.tolerance)] : []), '--list'].join(' ');
  throw new UsageError(`the grid has changed since it was listed with digest ${given.toLowerCase()}: it is now ${g.digest} (${settingsOf(g)}), so a candidate's index may name another model; list it again (${list}) and plan the tasks from that`);
}

/** One candidate's phi = 1 spec, headed by where it came from. */
function candidateSpec(g: Grid, c: GridCandidate): string {
  const scaled = instantiate(g.spec, { ...g.options, scaling: scaling(c) }, g.source).scaled!;
  return printSpec(scaled, [`effnet grid candidate ${c.index} of ${g.file} (grid digest ${g.digest}): ${describe(c)}, phi 1`]);
}

/** Runs the evaluation command on one candidate; `out` is the compiled model's path ({out}), when there is one. */
async function evaluate(g: Grid, c: GridCandidate, command: string, timeout: number, dir: string, out?: string): Promise<{ score: number } | { error: string }> {
  const specFile = path.join(dir, `alpha${c.alpha}-beta${c.beta}-gamma${c.gamma}.effnet`);
  writeFileSync(specFile, candidateSpec(g, c));
  let cmd = command.replaceAll('{spec}', shellQuote(specFile));
  if (out !== undefined) cmd = cmd.replaceAll('{out}', shellQuote(out));
  const run = await runEval(cmd, timeout * 1000, () => rmSync(dir, { recursive: true, force: true }), (pgid) => recordEvaluation(dir, pgid));
  const score = run.code === 0 && !run.failure ? scoreFromOutput(run.stdout) : undefined;
  return score !== undefined ? { score } : { error: evalError(run, timeout) };
}

async function withScratch<T>(body: (dir: string) => Promise<T>): Promise<T> {
  cleanDeadScratch();
  const dir = createScratch();
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function reportSkipped(ctx: CliContext, file: string, skipped: readonly SkippedLine[]): void {
  if (!skipped.length) return;
  const first = skipped[0]!;
  ctx.io.err(`${file}: skipped ${skipped.length} line${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not grid results (line ${first.line}: ${first.why})`);
}

const resultLine = (g: Grid, c: Scored): GridResult => ({ index: c.index, digest: g.digest, alpha: c.alpha, beta: c.beta, gamma: c.gamma, ...(c.score !== undefined ? { score: c.score } : { error: c.error! }) });

const candidateJson = (c: Scored) => ({ index: c.index, alpha: c.alpha, beta: c.beta, gamma: c.gamma, product: c.product, params: c.total.params, macs: c.total.macs, ...(c.score !== undefined ? { score: c.score } : {}), ...(c.error ? { error: c.error } : {}) });

const gridJson = (g: Grid) => ({ schemaVersion: REPORT_SCHEMA_VERSION, model: g.spec.name, ...(g.variant ? { variant: g.variant } : {}), step: g.step, tolerance: g.tolerance, specSha256: g.specSha256, digest: g.digest });

/** The table every mode prints: the candidates in the order given, with a rank and score column when ranked. */
function table(g: Grid, rows: readonly Scored[], ranked: boolean, title: string): string {
  const header = [...(ranked ? ['rank'] : []), 'index', 'alpha', 'beta', 'gamma', 'a*b^2*g^2', 'params @phi=1', 'MACs @phi=1', ...(ranked ? ['score'] : [])];
  const cells = rows.map((c, i) => [...(ranked ? [String(i + 1)] : []), String(c.index), c.alpha.toFixed(2), c.beta.toFixed(2), c.gamma.toFixed(2), c.product.toFixed(3), withSeparators(c.total.params), count(c.total.macs), ...(ranked ? [c.score !== undefined ? String(c.score) : 'failed'] : [])]);
  const w = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((x, i) => x.padStart(w[i]!)).join('  ');
  return [title, `grid digest ${g.digest} (${settingsOf(g)})`, '', fmt(header), w.map((n) => '-'.repeat(n)).join('  '), ...cells.map(fmt)].join('\n') + '\n';
}

/** The ranked table (or JSON) under `title`, which each caller words for what it ranked. */
function printRanking(ctx: CliContext, g: Grid, ranked: readonly Scored[], title: string, json: boolean, missing?: readonly number[]): void {
  const failed = ranked.filter((c) => c.score === undefined);
  if (failed.length) ctx.io.err(`${failed.length} of ${ranked.length} evaluations failed; first: ${failed[0]!.error}`);
  // Nothing ranked means the evaluation, not the search, is broken: say so with the exit code too.
  if (failed.length === ranked.length) ctx.setExit(1);
  if (json) return ctx.io.out(JSON.stringify({ ...gridJson(g), ...(missing ? { missing } : {}), candidates: ranked.map(candidateJson) }, null, 2));
  ctx.io.out(table(g, ranked, true, title));
}

export const registerGrid: Register = (program, ctx) => {
  program
    .command('grid')
    .description('grid-search alpha, beta, gamma (the paper\'s step 1): list the candidates, rank them by your own evaluation, or run one candidate per task of an array job and merge the results')
    .argument('<file>', '.effnet spec file')
    .option('--variant <name>', 'start from a member of the variants table')
    .option('--step <s>', 'grid step for alpha, beta and gamma', '0.05')
    .option('--tolerance <t>', 'keep candidates with |alpha * beta^2 * gamma^2 - 2| <= t', '0.1')
    .option('--list', 'list the candidates with their indices and the grid\'s digest (what grid does without --eval, --candidate or --merge)')
    .option('--candidate <k>', "work on candidate K alone (an array job's task): an index, 'env' (SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX) or 'env:NAME'")
    .option('--digest <d>', 'the digest grid --list printed: refuse to go on if the grid has changed since')
    .option('--emit <out.effnet>', "with --candidate: write the candidate's phi = 1 spec")
    .option('-o, --output <path>', "with --candidate: compile the candidate's phi = 1 model here (as effnet compile -o)")
    .option('-t, --target <name>', 'with -o: onnx, tfjs, pytorch or all (default onnx)')
    .option('--seed <n>', 'with -o: seed of the deterministic random weights (default 0)')
    .option('--verify', 'with -o: load what was written back into its runtime and run it once (as compile --verify)')
    .option('--merge <files...>', 'rank the results files of an array job\'s tasks (JSON lines written by --results) as --eval ranks')
    .option('--eval <cmd>', 'shell command run per candidate; {spec} is replaced by the path of its phi = 1 spec (with --candidate and -o, {out} by the compiled model\'s); the number ending its last output line is the score')
    .option('--results <file>', 'append each evaluation here (JSON lines) and skip candidates already in it')
    .option('--limit <n>', 'evaluate at most this many candidates (those with the fewest MACs first)', '100')
    .option('--timeout <seconds>', 'per-evaluation time limit', '600')
    .option('--minimize', 'a lower score is better (default: higher is better)')
    .option('--json', 'JSON instead of a table')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ effnet grid specs/efficientnet-b0.effnet --list',
      '  $ effnet grid specs/efficientnet-b0.effnet --eval "python train_eval.py --spec {spec}" --results grid.jsonl',
      '  $ effnet grid specs/efficientnet-b0.effnet --candidate env --digest DIGEST --target pytorch -o run/ \\',
      '        --eval "python train.py {out}" --results results/$SLURM_ARRAY_TASK_ID.jsonl',
      '  $ effnet grid specs/efficientnet-b0.effnet --merge results/*.jsonl',
    ].join('\n'))
    .action(async (file: string, flags: GridFlags, command: Command) => {
      const { step, tolerance, limit, timeout } = numbers(flags);
      checkModes(flags, command);

      const { compilation: base, exitCode } = loadSpec(file, flags.variant ? { variant: flags.variant } : {}, ctx.io);
      if (exitCode !== 0) return ctx.setExit(exitCode);
      const options = flags.variant ? { variant: flags.variant } : {};
      const found = gridCandidates({ spec: base.spec!, file: base.file, options }, { step, tolerance });
      if (!found.value) {
        ctx.io.err(formatDiagnostics(found.diagnostics, base.file, { color: ctx.io.color }));
        return ctx.setExit(1);
      }
      const specSha256 = createHash('sha256').update(base.file.text).digest('hex');
      const identity = { specSha256, ...(flags.variant ? { variant: flags.variant } : {}), step, tolerance, candidates: found.value };
      const grid: Grid = { file, source: base.file, spec: base.spec!, options, ...identity, digest: gridDigest(identity) };
      checkDigest(grid, flags.digest);

      if (flags.candidate !== undefined) return runCandidate(grid, flags, timeout, ctx);
      if (flags.merge) return mergeResults(grid, flags.merge, flags.minimize === true, flags.json === true, ctx);
      if (flags.eval !== undefined) return evaluateAll(grid, flags, flags.eval, limit, timeout, ctx);
      if (flags.json) return ctx.io.out(JSON.stringify({ ...gridJson(grid), candidates: grid.candidates.map(candidateJson) }, null, 2));
      ctx.io.out(table(grid, grid.candidates, false, gridTitle(grid.spec.name, grid.candidates.length, grid.candidates.length, tolerance, step)));
    });
};

/** --eval over the grid: the cheapest `limit` candidates, each evaluated in turn, resumable from --results. */
async function evaluateAll(g: Grid, flags: GridFlags, command: string, limit: number, timeout: number, ctx: CliContext): Promise<void> {
  const candidates: Scored[] = g.candidates.slice(0, limit).map((c) => ({ ...c }));
  const done = new Map<string, { score?: number; error?: string }>();
  const log = flags.results ? ResultsLog.open(flags.results, [g.file]) : undefined;
  if (log) reportSkipped(ctx, flags.results!, log.skipped);
  // Only scores are kept: a failed evaluation (a timeout, a crash) is tried again on resume. A score from
  // another grid (the spec changed) is not this candidate's.
  const foreign = log?.previous.filter((r) => r.digest !== undefined && r.digest !== g.digest) ?? [];
  if (foreign.length) ctx.io.err(`${flags.results}: ${foreign.length} result${foreign.length === 1 ? '' : 's'} of another grid (digest ${foreign[0]!.digest}; this one's is ${g.digest}) not reused`);
  for (const r of log?.previous ?? []) if (r.score !== undefined && (r.digest === undefined || r.digest === g.digest)) done.set(keyOf(r), r);
  const bar = progressBar(ctx.io, candidates.length, 'grid');
  try {
    await withScratch(async (dir) => {
      for (const c of candidates) {
        const prior = done.get(keyOf(c));
        if (prior) {
          Object.assign(c, prior.score !== undefined ? { score: prior.score } : {});
          bar.tick('(from results)');
          continue;
        }
        Object.assign(c, await evaluate(g, c, command, timeout, dir));
        log?.append(resultLine(g, c));
        bar.tick(describe(c));
      }
    });
  } finally {
    bar.done();
    log?.close();
  }
  const ranked = rankByScore(candidates, flags.minimize);
  printRanking(ctx, g, ranked, gridTitle(g.spec.name, g.candidates.length, ranked.length, g.tolerance, g.step, flags.minimize ? 'lower' : 'higher'), flags.json === true);
}

/** --candidate K: one task of an array job. Writes the candidate's spec or model, evaluates it, records the result. */
async function runCandidate(g: Grid, flags: GridFlags, timeout: number, ctx: CliContext): Promise<void> {
  const { index, from } = candidateIndex(flags.candidate!, process.env);
  const via = from ? ` (from ${from})` : '';
  if (index >= g.candidates.length) throw new UsageError(`candidate ${index}${via} is not in the grid: its indices run from 0 to ${g.candidates.length - 1} (${settingsOf(g)})`);
  const c: Scored = { ...g.candidates[index]! };
  if (flags.digest === undefined) ctx.io.err(`note: no --digest: candidate ${index} of the grid as it is now (digest ${g.digest}); pass --digest ${g.digest} so that a changed grid is refused`);
  ctx.io.err(`candidate ${index}${via}: ${describe(c)} at phi 1, ${withSeparators(c.total.params)} params, ${count(c.total.macs)} MACs`);
  if (flags.emit !== undefined) {
    await writeTextOutput(flags.emit, candidateSpec(g, c), { inputs: [g.file], io: ctx.io });
    ctx.io.err(`wrote ${flags.emit}`);
  }
  // The results file is checked before the model is written and trained, not after.
  const log = flags.eval !== undefined && flags.results ? ResultsLog.open(flags.results, [g.file]) : undefined;
  let failed = false;
  if (flags.output !== undefined) {
    const tracked: CliContext = { io: ctx.io, setExit: (code) => { if (code !== 0) failed = true; ctx.setExit(code); } };
    await compileScaled(g.file, { ...g.options, scaling: scaling(c) }, { target: flags.target ?? 'onnx', output: flags.output, ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(flags.verify ? { verify: true } : {}) }, tracked);
    // A model that did not compile or verify is not evaluated: its score would be of nothing.
    if (failed) return;
  }
  if (flags.eval !== undefined) {
    if (log) reportSkipped(ctx, flags.results!, log.skipped);
    try {
      Object.assign(c, await withScratch((dir) => evaluate(g, c, flags.eval!, timeout, dir, flags.output)));
      log?.append(resultLine(g, c));
    } finally {
      log?.close();
    }
    if (c.score === undefined) {
      ctx.io.err(`effnet: error: candidate ${index}: the evaluation failed: ${c.error}`);
      ctx.setExit(1);
    } else ctx.io.err(`candidate ${index}: score ${c.score}${flags.results ? ` (appended to ${flags.results})` : ''}`);
  }
  if (flags.json) {
    ctx.io.out(JSON.stringify({ ...gridJson(g), candidate: candidateJson(c), ...(from ? { indexFrom: from } : {}), ...(flags.emit !== undefined ? { spec: flags.emit } : {}), ...(flags.output !== undefined ? { output: { target: flags.target ?? 'onnx', path: flags.output } } : {}) }, null, 2));
  } else {
    ctx.io.out(table(g, [c], false, `${g.spec.name}: candidate ${index} of ${g.candidates.length}${c.score !== undefined ? `, score ${c.score}` : ''}`));
  }
}

/** --merge: the results files of an array job's tasks, ranked as --eval ranks. */
function mergeResults(g: Grid, files: readonly string[], minimize: boolean, json: boolean, ctx: CliContext): void {
  const byKey = new Map(g.candidates.map((c) => [keyOf(c), c]));
  const found = new Map<number, GridResult>();
  for (const file of files) {
    const { results, skipped } = readResultsFile(file);
    reportSkipped(ctx, file, skipped);
    for (const r of results) {
      const at = `${file}:${r.line}`;
      if (r.digest !== undefined && r.digest !== g.digest) throw new UsageError(`${at}: a result of another grid (digest ${r.digest}; this grid's is ${g.digest}, ${settingsOf(g)}): merge the results of one grid, listed from this spec with these settings`);
      const c = byKey.get(keyOf(r));
      if (!c) throw new UsageError(`${at}: alpha ${r.alpha}, beta ${r.beta}, gamma ${r.gamma} is not a candidate of this grid (${settingsOf(g)})`);
      if (r.index !== undefined && r.index !== c.index) throw new UsageError(`${at}: the line says candidate ${r.index}, but ${describe(c)} is candidate ${c.index} of this grid`);
      // A score beats a failure (a task retried after a crash); of two scores, the last one read counts, as on resume.
      if (r.score !== undefined || found.get(c.index)?.score === undefined) found.set(c.index, r);
    }
  }
  const merged: Scored[] = g.candidates.filter((c) => found.has(c.index)).map((c) => {
    const r = found.get(c.index)!;
    return { ...c, ...(r.score !== undefined ? { score: r.score } : { error: r.error! }) };
  });
  const missing = g.candidates.filter((c) => !found.has(c.index)).map((c) => c.index);
  if (missing.length) ctx.io.err(`no result for ${missing.length} of ${g.candidates.length} candidates: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? `, ... (${missing.length - 20} more)` : ''}`);
  if (!merged.length) {
    ctx.io.err(`effnet: error: the ${files.length === 1 ? 'file holds' : `${files.length} files hold`} no result of this grid`);
    ctx.setExit(1);
  }
  const ranked = rankByScore(merged, minimize);
  const title = `${g.spec.name}: ${ranked.length} of ${plural(g.candidates.length, 'candidate')} with |alpha*beta^2*gamma^2 - 2| <= ${g.tolerance} (step ${g.step}) merged from ${plural(files.length, 'file')}, ranked by score (${minimize ? 'lower' : 'higher'} is better)`;
  printRanking(ctx, g, ranked, title, json, missing);
}
