/** Scaling speed: B0..B7 from the variants table with full reports in one call, and a --target-macs search. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/pipeline.js';
import { largestPhiWithin } from '../src/search/scaling-search.js';
import { formatReport } from '../src/report/format-report.js';
import { timeMedian } from './front-end-bench.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function runScalingBench(): string[] {
  const name = 'specs/efficientnet-b0.effnet';
  const bytes = readFileSync(path.join(repoRoot, name));
  const variants = [undefined, 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'];
  const allReports = () => {
    for (const variant of variants) {
      const c = compile(name, bytes, variant ? { variant } : {});
      formatReport({ file: name, spec: c.scaled!, graph: c.graph!, report: c.report! }, { format: 'table', perLayer: true });
    }
  };
  const sweepMs = timeMedian(allReports, 30, 5);
  const base = compile(name, bytes);
  let evaluations = 0;
  const searchMs = timeMedian(() => {
    evaluations = largestPhiWithin({ spec: base.spec!, file: base.file, options: {} }, { macs: 1.8e9 }).value!.evaluations;
  }, 20, 3);
  return [
    '## Scaling (median of 30 / 20 runs)',
    '',
    `B0..B7 from the variants table, per-layer reports included: ${sweepMs.toFixed(2)} ms in total (target < 50 ms: ${sweepMs < 50 ? 'met' : 'NOT met'})`,
    `--target-macs 1.8G search: ${searchMs.toFixed(2)} ms (${evaluations} models costed)`,
  ];
}
