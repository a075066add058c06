/**
 * Front-end speed: parse + check + scale + infer + report for every spec, median of many runs, and how cost
 * grows with depth (a spec at 10x depth against 1x: the ratio should not exceed the growth in blocks).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compile, type CompileOptions } from '../src/pipeline.js';
import { formatReport } from '../src/report/format-report.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median wall time of fn in ms, after a warm-up. */
export function timeMedian(fn: () => void, runs: number, warmup = Math.min(20, runs)): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function frontEnd(name: string, bytes: Uint8Array, options: CompileOptions = {}): number {
  const c = compile(name, bytes, options);
  if (!c.report) throw new Error(`${name} did not compile`);
  formatReport({ file: name, spec: c.scaled!, graph: c.graph!, report: c.report }, { format: 'table', perLayer: true });
  return c.graph!.nodes.length;
}

export function runFrontEndBench(specDir: string): string[] {
  const lines = ['## Front end: parse + check + scale + infer + report (median of 200 runs)', ''];
  for (const f of readdirSync(specDir).filter((x) => x.endsWith('.effnet')).sort()) {
    const bytes = readFileSync(path.join(specDir, f));
    const ms = timeMedian(() => frontEnd(f, bytes), 200);
    lines.push(`${f.padEnd(26)} ${ms.toFixed(3).padStart(8)} ms${f === 'efficientnet-b0.effnet' ? `   (target < 5 ms: ${ms < 5 ? 'met' : 'NOT met'})` : ''}`);
  }
  const b0 = readFileSync(path.join(specDir, 'efficientnet-b0.effnet'));
  const nodes1 = frontEnd('b0', b0);
  const nodes10 = frontEnd('b0', b0, { scaling: { depth: 10 } });
  const t1 = timeMedian(() => frontEnd('b0', b0), 200);
  const t10 = timeMedian(() => frontEnd('b0', b0, { scaling: { depth: 10 } }), 100);
  lines.push('', `EfficientNet-B0 at 10x depth: ${t10.toFixed(3)} ms vs ${t1.toFixed(3)} ms at 1x: time ratio ${(t10 / t1).toFixed(2)}, layer ratio ${(nodes10 / nodes1).toFixed(2)} (${nodes10} vs ${nodes1} layers): ${t10 / t1 <= (nodes10 / nodes1) * 1.1 ? 'linear or better' : 'WORSE than linear'}`);
  lines.push('', ...coldStart(specDir));
  return lines;
}

/**
 * What a user waits for at the shell: `effnet check` in a fresh process, beside a bare `node -e 0` measured
 * in the same loop. Most of the difference is loading modules (chevrotain is loaded from its bundle for this).
 */
function coldStart(specDir: string): string[] {
  const bin = path.join(specDir, '..', 'bin', 'effnet.js');
  const spec = path.join(specDir, 'efficientnet-b0.effnet');
  const wall = (args: string[]): number => {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const node: number[] = [];
  const check: number[] = [];
  for (let i = 0; i < 15; i++) {
    node.push(wall(['-e', '0']));
    check.push(wall([bin, 'check', spec]));
  }
  const [n, c] = [median(node), median(check)];
  return [`Cold start, fresh process (median of 15, interleaved): effnet check efficientnet-b0 ${c.toFixed(0)} ms; bare node ${n.toFixed(0)} ms; effnet's own share ${(c - n).toFixed(0)} ms`];
}
