/**
 * The report of every spec in specs/, as a golden file that reads like documentation. A change to a spec or
 * to the cost model shows up as a diff here; accept a reviewed change with `npx vitest run -u`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/report/format-report.js';
import { compileSpec, repoRoot } from '../helpers.js';

const specs = readdirSync(path.join(repoRoot, 'specs')).filter((f) => f.endsWith('.effnet')).sort();
const golden = (name: string) => path.join(repoRoot, 'test/golden/reports', name);

describe('reports of specs/', () => {
  it.each(specs)('%s', async (spec) => {
    const c = compileSpec(spec);
    const text = formatReport({ file: `specs/${spec}`, spec: c.scaled, graph: c.graph, report: c.report }, { format: 'table' });
    await expect(text).toMatchFileSnapshot(golden(spec.replace(/\.effnet$/, '.txt')));
  });

  it('efficientnet-b0, per layer', async () => {
    const c = compileSpec('efficientnet-b0.effnet');
    const text = formatReport({ file: 'specs/efficientnet-b0.effnet', spec: c.scaled, graph: c.graph, report: c.report }, { format: 'table', perLayer: true });
    await expect(text).toMatchFileSnapshot(golden('efficientnet-b0.per-layer.txt'));
  });
});
