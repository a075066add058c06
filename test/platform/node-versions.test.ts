/**
 * `engines` promises Node 20, 22 and 24. The suite runs on Node 20; this smoke subset runs the CLI on every
 * other Node binary .ci/run installs (the `node` npm package, listed in EFFNET_EXTRA_NODES): compile to both
 * targets and verify them in their runtimes, a report, and a bad spec's diagnostic and exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, specPath } from '../helpers.js';

const nodes = (process.env.EFFNET_EXTRA_NODES ?? '').split(path.delimiter).filter((p) => p && existsSync(p));
const bin = path.join(repoRoot, 'bin/effnet.js');

function run(node: string, args: string[]) {
  const r = spawnSync(node, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the CLI on other Node versions', () => {
  it.skipIf(nodes.length > 0)('says why it did not run', () => {
    console.log('node-versions.test.ts: no other Node binaries (.ci/run installs node@22 and node@24 and sets EFFNET_EXTRA_NODES)');
  });

  describe.each(nodes.map((n) => [spawnSync(n, ['--version'], { encoding: 'utf8' }).stdout.trim(), n]))('Node %s', (_version, node) => {
    it('compiles to ONNX and TF.js, and both verify and agree', () => {
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'effnet-node-')), 'all');
      const r = run(node, ['compile', specPath('mobilenet-v2.effnet'), '--target', 'all', '--input-size', '64', '--verify', '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/verify: outputs of onnx and tfjs differ by [\d.e-]+ of the largest/);
    });
    it('reports B0 exactly', () => {
      const r = run(node, ['report', specPath('efficientnet-b0.effnet')]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Params: +5,288,548/);
    });
    it('refuses a bad spec with its diagnostic and exit 1', () => {
      const bad = path.join(mkdtempSync(path.join(tmpdir(), 'effnet-node-')), 'bad.effnet');
      writeFileSync(bad, 'model m {\n  input 32\n  stages {\n    mbconf 1 8 3 1\n  }\n}\n');
      const r = run(node, ['check', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/bad\.effnet:4:5: error\[E0301\]: unknown operator 'mbconf'/);
    });
  });
});
