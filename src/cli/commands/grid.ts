/**
 * `effnet grid`: the paper's step 1. Lists every alpha, beta, gamma >= 1 on a grid with
 * alpha * beta^2 * gamma^2 near 2, costed at phi = 1; with --eval, runs a user's command on each candidate's
 * scaled spec, reads a score from its last output line, and ranks. Results are appended to a file as they
 * come, so an interrupted search resumes where it stopped.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { printSpec } from '../../ir/print-spec.js';
import { instantiate } from '../../pipeline.js';
import { gridCandidates, type GridCandidate } from '../../search/scaling-search.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { count, withSeparators } from '../../report/units.js';
import { UsageError } from '../io.js';
import type { Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { progressBar } from '../progress.js';
import { runEval, type EvalRun } from '../run-eval.js';
import { ResultsLog } from '../grid-results.js';
import { cleanDeadScratch, createScratch, recordEvaluation } from '../grid-scratch.js';

interface GridFlags {
  variant?: string;
  step: string;
  tolerance: string;
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

const keyOf = (c: { alpha: number; beta: number; gamma: number }) => `${c.alpha}/${c.beta}/${c.gamma}`;

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

export const registerGrid: Register = (program, ctx) => {
  program
    .command('grid')
    .description('grid-search alpha, beta, gamma (the paper\'s step 1) and optionally rank candidates by your own evaluation')
    .argument('<file>', '.effnet spec file')
    .option('--variant <name>', 'start from a member of the variants table')
    .option('--step <s>', 'grid step for alpha, beta and gamma', '0.05')
    .option('--tolerance <t>', 'keep candidates with |alpha * beta^2 * gamma^2 - 2| <= t', '0.1')
    .option('--eval <cmd>', 'shell command run per candidate; {spec} is replaced by the path of its phi = 1 spec; the number ending its last output line is the score')
    .option('--results <file>', 'append each evaluation here (JSON lines) and skip candidates already in it')
    .option('--limit <n>', 'evaluate at most this many candidates (those with the fewest MACs first)', '100')
    .option('--timeout <seconds>', 'per-evaluation time limit', '600')
    .option('--minimize', 'a lower score is better (default: higher is better)')
    .option('--json', 'JSON instead of a table')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ effnet grid specs/efficientnet-b0.effnet',
      '  $ effnet grid specs/efficientnet-b0.effnet --eval "python train_eval.py --spec {spec}" --results grid.jsonl',
    ].join('\n'))
    .action(async (file: string, flags: GridFlags, command: Command) => {
      const step = Number(flags.step);
      const tolerance = Number(flags.tolerance);
      const limit = Number(flags.limit);
      const timeout = Number(flags.timeout);
      if (!(step >= 0.01 && step <= 1)) throw new UsageError(`--step expects a number from 0.01 to 1, got '${flags.step}'`);
      if (!(tolerance > 0 && tolerance < 2)) throw new UsageError(`--tolerance expects a number above 0 and below 2, got '${flags.tolerance}'`);
      if (!(Number.isInteger(limit) && limit >= 1)) throw new UsageError(`--limit expects a positive integer, got '${flags.limit}'`);
      if (!(timeout > 0)) throw new UsageError(`--timeout expects seconds above 0, got '${flags.timeout}'`);
      if (flags.eval !== undefined && !flags.eval.includes('{spec}')) throw new UsageError('--eval needs {spec} where the candidate spec path goes');
      if (flags.eval === undefined) {
        // These only shape an evaluation; without one they would be silently ignored.
        const set = (['results', 'limit', 'timeout', 'minimize'] as const).filter((k) => command.getOptionValueSource(k) === 'cli');
        if (set.length) throw new UsageError(`${set.map((k) => `--${k}`).join(', ')} only ${set.length === 1 ? 'applies' : 'apply'} with --eval`);
      }

      const { compilation: base, exitCode } = loadSpec(file, flags.variant ? { variant: flags.variant } : {}, ctx.io);
      if (exitCode !== 0) return ctx.setExit(exitCode);
      const options = flags.variant ? { variant: flags.variant } : {};
      const found = gridCandidates({ spec: base.spec!, file: base.file, options }, { step, tolerance });
      if (!found.value) {
        ctx.io.err(formatDiagnostics(found.diagnostics, base.file, { color: ctx.io.color }));
        return ctx.setExit(1);
      }
      const candidates: Scored[] = [...found.value].sort((a, b) => a.total.macs - b.total.macs || a.alpha - b.alpha || a.beta - b.beta);

      if (flags.eval !== undefined) {
        const done = new Map<string, { score?: number; error?: string }>();
        const log = flags.results ? ResultsLog.open(flags.results, [file]) : undefined;
        if (log?.skipped.length) {
          const first = log.skipped[0]!;
          ctx.io.err(`${flags.results}: skipped ${log.skipped.length} line${log.skipped.length === 1 ? '' : 's'} that ${log.skipped.length === 1 ? 'is' : 'are'} not grid results (line ${first.line}: ${first.why})`);
        }
        // Only scores are kept: a failed evaluation (a timeout, a crash) is tried again on resume.
        for (const r of log?.previous ?? []) if (r.score !== undefined) done.set(keyOf(r), r);
        const todo = candidates.slice(0, limit);
        cleanDeadScratch();
        const dir = createScratch();
        const bar = progressBar(ctx.io, todo.length, 'grid');
        try {
          for (const c of todo) {
            const prior = done.get(keyOf(c));
            if (prior) {
              Object.assign(c, prior);
              bar.tick('(from results)');
              continue;
            }
            const scaled = instantiate(base.spec!, { ...options, scaling: { phi: 1, alpha: c.alpha, beta: c.beta, gamma: c.gamma } }, base.file).scaled!;
            const specFile = path.join(dir, `alpha${c.alpha}-beta${c.beta}-gamma${c.gamma}.effnet`);
            writeFileSync(specFile, printSpec(scaled, [`effnet grid candidate: alpha ${c.alpha}, beta ${c.beta}, gamma ${c.gamma}, phi 1`]));
            const run = await runEval(flags.eval.replaceAll('{spec}', shellQuote(specFile)), timeout * 1000, () => rmSync(dir, { recursive: true, force: true }), (pgid) => recordEvaluation(dir, pgid));
            const score = run.code === 0 && !run.failure ? scoreFromOutput(run.stdout) : undefined;
            if (score !== undefined) c.score = score;
            else c.error = evalError(run, timeout);
            log?.append({ alpha: c.alpha, beta: c.beta, gamma: c.gamma, ...(c.score !== undefined ? { score: c.score } : { error: c.error! }) });
            bar.tick(`alpha ${c.alpha} beta ${c.beta} gamma ${c.gamma}`);
          }
        } finally {
          bar.done();
          log?.close();
          rmSync(dir, { recursive: true, force: true });
        }
        const sign = flags.minimize ? 1 : -1;
        candidates.splice(limit);
        candidates.sort((a, b) => (a.score === undefined ? 1 : b.score === undefined ? -1 : sign * (a.score - b.score)));
        const failed = candidates.filter((c) => c.score === undefined);
        if (failed.length) ctx.io.err(`${failed.length} of ${candidates.length} evaluations failed; first: ${failed[0]!.error}`);
        // Nothing ranked means the evaluation, not the search, is broken: say so with the exit code too.
        if (failed.length === candidates.length) ctx.setExit(1);
      }

      if (flags.json) {
        ctx.io.out(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, model: base.spec!.name, step, tolerance, candidates: candidates.map((c) => ({ alpha: c.alpha, beta: c.beta, gamma: c.gamma, product: c.product, params: c.total.params, macs: c.total.macs, ...(c.score !== undefined ? { score: c.score } : {}), ...(c.error ? { error: c.error } : {}) })) }, null, 2));
        return;
      }
      const header = ['rank', 'alpha', 'beta', 'gamma', 'a*b^2*g^2', 'params @phi=1', 'MACs @phi=1', ...(flags.eval ? ['score'] : [])];
      const rows = candidates.map((c, i) => [String(i + 1), c.alpha.toFixed(2), c.beta.toFixed(2), c.gamma.toFixed(2), c.product.toFixed(3), withSeparators(c.total.params), count(c.total.macs), ...(flags.eval ? [c.score !== undefined ? String(c.score) : 'failed'] : [])]);
      const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const fmt = (r: string[]) => r.map((x, i) => x.padStart(w[i]!)).join('  ');
      ctx.io.out([gridTitle(base.spec!.name, found.value.length, candidates.length, tolerance, step, flags.eval === undefined ? undefined : flags.minimize ? 'lower' : 'higher'), '', fmt(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(fmt)].join('\n') + '\n');
    });
};
