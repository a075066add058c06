/**
 * Trained weights, proven: torchvision models built here with their own random initialisation, non-trivial
 * batch norm and logits of order 1 (torchvision-fixtures.py), saved with torch.save and as safetensors, are
 * compiled by effnet with --weights into ONNX (BN folded, and --keep-bn) and TF.js. The same input through
 * torch (eval mode), onnxruntime-node and TF.js (wasm) gives the same logits by the agreement rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../backends/agreement.js';
import { selectBackend } from '../../backends/tfjs/runtime/select-backend.js';
import { recordedPreprocessing } from '../../src/cli/recorded-preprocessing.js';
import { cli } from '../cli/run-cli.js';
import { specPath } from '../helpers.js';
import { floats, models, SIZE, torchAvailable, torchvisionFixtures } from './fixtures.js';
import { ortLogits as ortAt, tfjsLogits as tfjsAt } from './run-logits.js';

const ortLogits = (file: string, input: Float32Array) => ortAt(file, input, SIZE);
const tfjsLogits = (dir: string, input: Float32Array) => tfjsAt(dir, input, SIZE);

let dir = '';
/** Compiled outputs; the fixtures directory is shared with other test files. */
const work = mkdtempSync(path.join(tmpdir(), 'effnet-tv-'));

beforeAll(async () => {
  if (!torchAvailable) return;
  dir = await torchvisionFixtures();
  await selectBackend('wasm');
}, 300_000);

describe.skipIf(!torchAvailable && !process.env.CI)('torchvision checkpoints compile to ONNX and TF.js that compute what torch computes', () => {
  it.each(models)('%s (%s %s)', async (model, spec, variant) => {
    const input = floats(path.join(dir, `${model}.input.bin`));
    const want = floats(path.join(dir, `${model}.logits.bin`));
    // Order 1, so agreement is evidence (the fixture scales the head to make it so).
    expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(1);
    const base = [specPath(spec), ...(variant ? ['--variant', variant] : []), '--input-size', String(SIZE), '--weights', path.join(dir, `${model}.pth`), '--match-weights'];
    const out = path.join(work, model);
    const built = await cli('compile', ...base, '--target', 'all', '-o', out);
    expect(built.code, built.stderr).toBe(0);
    // torchvision's weights were trained on its ImageNet preprocessing: the model says so, for effnet run.
    expect(built.stderr).toContain('note: recording the torchvision preprocessing in the model');
    for (const [kind, at] of [['onnx', path.join(out, 'model.onnx')], ['tfjs', path.join(out, 'tfjs')]] as const) {
      expect(recordedPreprocessing(kind, at), kind).toMatchObject({ preset: 'torchvision', mean: [0.485, 0.456, 0.406] });
    }
    const keep = await cli('compile', ...base, '--keep-bn', '-o', `${out}-keep.onnx`);
    expect(keep.code, keep.stderr).toBe(0);
    const results: [string, Float32Array][] = [
      ['ONNX, BN folded', await ortLogits(path.join(out, 'model.onnx'), input)],
      ['ONNX, --keep-bn', await ortLogits(`${out}-keep.onnx`, input)],
      ['TF.js (wasm)', await tfjsLogits(path.join(out, 'tfjs'), input)],
    ];
    for (const [what, got] of results) {
      const a = compareOutputs(got, want, 'cpu');
      console.log(`${model} ${what}: ${a.summary}`);
      expect(a.evidence, `${model} ${what}`).toBe(true);
      expect(a.ok, `${model} ${what}: ${a.summary}`).toBe(true);
    }
    // The same tensors as safetensors give the same weights, bit for bit (only the metadata naming the file differs).
    const st = await cli('compile', ...base.map((a) => a.replace(/\.pth$/, '.safetensors')), '-o', `${out}-st.onnx`);
    expect(st.code, st.stderr).toBe(0);
    expect(Array.from(await ortLogits(`${out}-st.onnx`, input))).toEqual(Array.from(results[0]![1]));
  });

  it('every target flag takes the weights: --external-data, TF.js --fold-bn, --target all --verify', async () => {
    const model = 'efficientnet_b0';
    const input = floats(path.join(dir, `${model}.input.bin`));
    const want = floats(path.join(dir, `${model}.logits.bin`));
    const base = [specPath('efficientnet-b0.effnet'), '--input-size', String(SIZE), '--weights', path.join(dir, `${model}.pth`), '--match-weights'];
    const ext = await cli('compile', ...base, '--external-data', '-o', path.join(work, 'ext.onnx'));
    expect(ext.code, ext.stderr).toBe(0);
    expect(compareOutputs(await ortLogits(path.join(work, 'ext.onnx'), input), want).ok).toBe(true);
    const folded = await cli('compile', ...base, '--target', 'tfjs', '--fold-bn', '-o', path.join(work, 'folded'));
    expect(folded.code, folded.stderr).toBe(0);
    const f = compareOutputs(await tfjsLogits(path.join(work, 'folded'), input), want);
    expect(f.ok, f.summary).toBe(true);
    const verified = await cli('compile', ...base, '--target', 'all', '--verify', '--json', '-o', path.join(work, 'verified'));
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout).verify).toMatchObject({ ok: true, evidence: true });
  });

  it("without --match-weights, torchvision's numerics are a diagnostic, and nothing is written", async () => {
    const out = path.join(work, 'unmatched.onnx');
    const r = await cli('compile', specPath('efficientnet-b0.effnet'), '--input-size', String(SIZE), '--weights', path.join(dir, 'efficientnet_b0.pth'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E0707\]: torchvision's EfficientNet pads symmetrically with BN eps 1e-5; this spec pads 'same' with eps 0\.001/);
    expect(r.stderr).toMatch(/hint: compile with --match-weights \(or --padding symmetric --bn-eps 1e-5\)/);
    expect(spawnSync('ls', [out]).status).not.toBe(0);
  });
});
