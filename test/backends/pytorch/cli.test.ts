/**
 * `effnet compile --target pytorch`: the directory it writes, `--target all` putting it at OUT/pytorch/, and
 * `--verify` running the module in torch and comparing it with the other targets by the agreement rule; a
 * --verify that cannot run torch is refused before anything is written (exit 2), never skipped.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PYTHON_ENV } from '../../../backends/pytorch/runtime/torch-python.js';
import { verifyOutputs } from '../../../src/cli/verify-outputs.js';
import { cli } from '../../cli/run-cli.js';
import { specPath } from '../../helpers.js';
import { hasTorch, tempDir } from './pytorch-helpers.js';

const work = tempDir('cli');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const saved = process.env[PYTHON_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[PYTHON_ENV];
  else process.env[PYTHON_ENV] = saved;
});

const mnv2 = specPath('mobilenet-v2.effnet');

describe('effnet compile --target pytorch', () => {
  it('writes model.py, model.safetensors and load.py, with the report\'s parameter count', async () => {
    const out = path.join(work, 'mnv2');
    const r = await cli('compile', mnv2, '--target', 'pytorch', '--input-size', '32', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*mnv2\/ \(3 files, [\d.]+ MB, 3,504,872 params\)/);
    expect(readdirSync(out).sort()).toEqual(['effnet-manifest.json', 'load.py', 'model.py', 'model.safetensors']);
    expect(readFileSync(path.join(out, 'model.py'), 'utf8')).toContain('class MobilenetV2(nn.Module):');
  });

  it('--target all writes OUT/pytorch/ beside OUT/model.onnx and OUT/tfjs/', async () => {
    const out = path.join(work, 'all');
    const r = await cli('compile', mnv2, '--target', 'all', '--input-size', '32', '--weights', 'zeros', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['effnet-manifest.json', 'model.onnx', 'pytorch', 'tfjs']);
    // --init zeros (here in its old spelling) is structure only: the module without a state dict.
    expect(readdirSync(path.join(out, 'pytorch')).sort()).toEqual(['effnet-manifest.json', 'load.py', 'model.py']);
  });

  it('an ONNX or TF.js flag with --target pytorch is refused, not ignored', async () => {
    const r = await cli('compile', mnv2, '--target', 'pytorch', '--opset', '13', '-o', path.join(work, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--opset applies to --target onnx \(or all\), not pytorch/);
  });

  it(`--verify without a Python that imports torch is refused before anything is written (${PYTHON_ENV} names a wrong one)`, async () => {
    process.env[PYTHON_ENV] = path.join(work, 'no-such-python');
    const out = path.join(work, 'refused');
    const r = await cli('compile', mnv2, '--target', 'pytorch', '--input-size', '32', '--verify', '-o', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`effnet: error: --verify runs the PyTorch module in torch, and ${PYTHON_ENV}=${path.join(work, 'no-such-python')} does not import torch`);
    expect(existsSync(out)).toBe(false);
    const all = await cli('compile', mnv2, '--target', 'all', '--input-size', '32', '--verify', '--json', '-o', out);
    expect(all.code).toBe(2);
    expect(JSON.parse(all.stdout)).toMatchObject({ ok: false, exitCode: 2, error: expect.stringMatching(/--target all includes pytorch/) });
    expect(existsSync(out)).toBe(false);
    // Without --verify, torch is not needed.
    expect((await cli('compile', mnv2, '--target', 'pytorch', '--input-size', '32', '-o', out)).code).toBe(0);
  });

  it.skipIf(!hasTorch)('--verify runs the module in torch, and with --target all compares it with ONNX by the agreement rule', async () => {
    const out = path.join(work, 'verified');
    const r = await cli('compile', mnv2, '--target', 'all', '--input-size', '32', '--seed', '3', '--verify', '--json', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/verify: pytorch on torch [\w.+]+ \(.*python.*, CPU\): output \[1, 1000\], finite/);
    expect(r.stderr).toMatch(/verify: outputs of onnx and pytorch differ by [\d.e+-]+ of the largest \|value\|/);
    const v = JSON.parse(r.stdout).verify;
    expect(v).toMatchObject({ ok: true, problems: [] });
    const c = v.comparisons.find((x: { targets: string[] }) => x.targets[1] === 'pytorch');
    expect(c).toMatchObject({ targets: ['onnx', 'pytorch'], evidence: true, ok: true });
    expect(c.relativeDifference).toBeLessThan(1e-4);
    console.log(`--verify: onnx and pytorch differ by ${c.relativeDifference.toExponential(2)} of max |logit| ${c.scale.toPrecision(3)}`);
  });

  it.skipIf(!hasTorch)('a module that loads but does not run is a verification problem (exit 1), not a crash', async () => {
    const out = path.join(work, 'broken');
    expect((await cli('compile', mnv2, '--target', 'pytorch', '--input-size', '32', '-o', out)).code).toBe(0);
    writeFileSync(path.join(out, 'model.py'), readFileSync(path.join(out, 'model.py'), 'utf8').replace('return self.classifier(x)', "raise RuntimeError('broken on purpose')"));
    const v = await verifyOutputs([{ target: 'pytorch', path: out }], [1000], 0);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatch(/^pytorch: could not run on torch .*: .*RuntimeError: broken on purpose/);
  });
});
