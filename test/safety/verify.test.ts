/**
 * compile --verify: a model whose one run cannot fit is refused before anything is written (the README's tiny
 * spec at 8000x8000 used to peak at 20 GB and abort inside wasm); a model whose output is a feature map is
 * compared in one layout (ONNX is NCHW, TF.js NHWC), and outputs too small to mean anything are said to be
 * no evidence instead of failing or passing.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareOutputs, EVIDENCE_FLOOR, nchwToNhwc } from '../../backends/agreement.js';
import { compile } from '../../src/pipeline.js';
import { estimateRunMemory } from '../../src/report/memory.js';
import { cli } from '../cli/run-cli.js';
import { freshDir, TINY, writeSpec } from './safety-helpers.js';

describe('--verify estimates the memory of one run first', () => {
  it('refuses the tiny spec at 8000x8000 before writing anything', async () => {
    const d = freshDir('verify-mem');
    const spec = writeSpec(d);
    const r = await cli('compile', spec, '--target', 'all', '--input-size', '8000', '--verify', '-o', path.join(d, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--verify would need about [\d.]+ GiB to run this model once \(activations [\d.]+ GiB, convolution workspace [\d.]+ GiB, weights [\d.]+ GiB\), and the TF\.js wasm backend can use at most 2 GiB/);
    expect(readdirSync(d)).toEqual(['tiny.effnet']);
  });

  it('the estimate: the largest set of tensors alive at once, not their sum', () => {
    const g = compile('t.effnet', TINY).graph!;
    const m = estimateRunMemory(g);
    const sum = g.nodes.reduce((a, n) => a + 4 * n.shape.reduce((x, y) => x * y, 1), 0);
    expect(m.activationBytes).toBeLessThan(sum);
    // At least the largest tensor plus its input are alive together.
    const largest = Math.max(...g.nodes.map((n) => n.shape.reduce((x, y) => x * y, 1)));
    expect(m.activationBytes).toBeGreaterThanOrEqual(4 * largest);
    expect(m.weightBytes).toBe(4 * (compile('t.effnet', TINY).report!.total.params + compile('t.effnet', TINY).report!.total.bnStats));
  });
});

describe('the agreement rule', () => {
  it('compares to the magnitude of the reference', () => {
    expect(compareOutputs([1.00005, 2], [1, 2]).ok).toBe(true);
    expect(compareOutputs([1.001, 2], [1, 2]).ok).toBe(false);
    expect(compareOutputs([1.001, 2], [1, 2], 'gpu').ok).toBe(true);
  });
  it('outputs below 1e-3 are no evidence: neither agreement nor disagreement', () => {
    const a = compareOutputs([1e-6, -2e-6], [3e-7, 1e-6]);
    expect(a).toMatchObject({ ok: false, evidence: false });
    expect(a.summary).toMatch(/too small for agreement to show anything/);
    expect(EVIDENCE_FLOOR).toBe(1e-3);
  });
  it('NaN never agrees', () => {
    expect(compareOutputs([NaN, 1], [NaN, 1]).ok).toBe(false);
  });
  it('NCHW to NHWC', () => {
    // [1, 2, 1, 2]: channel 0 is (1, 2), channel 1 is (3, 4).
    expect(Array.from(nchwToNhwc([1, 2, 3, 4], [1, 2, 1, 2]))).toEqual([1, 3, 2, 4]);
  });
});

describe('--verify on a model whose output is a feature map', () => {
  it('compares ONNX and PyTorch (NCHW) with TF.js (NHWC) in one layout and agrees', async () => {
    const d = freshDir('verify-map');
    const spec = writeSpec(d, 'map.effnet', 'model map {\n  input 16x16x3\n  stem conv channels 8 kernel 3 stride 2\n  stages {\n    conv 1 6 3 1\n  }\n}\n');
    const r = await cli('compile', spec, '--target', 'all', '--verify', '--json', '-o', path.join(d, 'out'));
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout).verify;
    expect(v).toMatchObject({ ok: true, problems: [], evidence: true });
    // ONNX and PyTorch are NCHW, TF.js NHWC; each is compared with the first in one layout.
    expect(v.outputs.map((o: { target: string; outputShape: number[] }) => [o.target, o.outputShape])).toEqual([['onnx', [1, 6, 8, 8]], ['tfjs', [1, 8, 8, 6]], ['pytorch', [1, 6, 8, 8]]]);
    expect(v.comparisons.map((c: { targets: string[]; ok: boolean }) => [...c.targets, c.ok])).toEqual([['onnx', 'tfjs', true], ['onnx', 'pytorch', true]]);
    expect(v.relativeDifference).toBeLessThan(1e-4);
  });

  // Outputs too small to compare are the agreement rule's case above; zeros no longer reach --verify at all.
  it.each([['--init'], ['--weights']])('refuses a structure-only build (%s zeros) before writing anything: there are no weights to run', async (flag) => {
    const d = freshDir('verify-zero');
    const spec = writeSpec(d);
    const r = await cli('compile', spec, '--target', 'all', '--verify', flag, 'zeros', '--json', '-o', path.join(d, 'out'));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 2, error: expect.stringMatching(/--verify runs the model, and --init zeros writes its structure only/) });
    expect(readdirSync(d)).toEqual(['tiny.effnet']);
  });
});
