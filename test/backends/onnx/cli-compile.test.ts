/**
 * `effnet compile --target onnx`: the flags reach the backend, the output is written, and each kind of
 * mistake gets its message and exit code (2 for usage: bad flag values, unsupported opset, unwritable path,
 * unknown target; 1 for a spec that does not compile).
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import type { Io } from '../../../src/cli/io.js';
import { specPath } from '../../helpers.js';
import { decode, tempDir } from './onnx-helpers.js';

const dir = tempDir('cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), color: false, errIsTTY: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const b0 = specPath('efficientnet-b0.effnet');
const mnv2 = specPath('mobilenet-v2.effnet');

describe('effnet compile --target onnx', { timeout: 60_000 }, () => {
  it('writes the model with the flags applied', async () => {
    const out = path.join(dir, 'mnv2.onnx');
    const r = await cli('compile', mnv2, '--target', 'onnx', '-o', out, '--opset', '14', '--keep-bn', '--batch', '2', '--seed', '7', '--width', '0.5', '--input-size', '96');
    expect(r.err).toMatch(/wrote .*mnv2\.onnx .*opset 14/);
    expect(r.code).toBe(0);
    const m = decode(readFileSync(out));
    expect(Number(m.opsetImport[0]!.version)).toBe(14);
    expect(m.graph!.node.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    expect(m.graph!.input[0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([2, 3, 96, 96]);
    const meta = Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]));
    expect(meta['effnet.weights']).toBe('random, seed 7');
    expect(meta['effnet.spec_sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(meta['effnet.scaling']!)).toMatchObject({ width: 0.5, input: [96, 96] });
  });

  it('is deterministic through the CLI, and --external-data writes OUT.<digest>.data beside OUT', async () => {
    const a = path.join(dir, 'a.onnx');
    const b = path.join(dir, 'b.onnx');
    expect((await cli('compile', mnv2, '-o', a, '--input-size', '64')).code).toBe(0);
    expect((await cli('compile', mnv2, '-o', b, '--input-size', '64')).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const e = path.join(dir, 'e.onnx');
    expect((await cli('compile', mnv2, '-o', e, '--external-data')).code).toBe(0);
    const side = readdirSync(dir).find((f) => /^e\.onnx\.[0-9a-f]{16}\.data$/.test(f));
    expect(statSync(path.join(dir, side!)).size).toBeGreaterThan(1e7);
  });

  it('--target all writes OUT/model.onnx beside the other targets', async () => {
    const out = path.join(dir, 'all');
    const r = await cli('compile', mnv2, '--target', 'all', '-o', out, '--input-size', '64', '--weights', 'zeros');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toContain('model.onnx');
  });

  it.each([
    [['--opset', '12'], /unsupported opset '12': effnet emits ONNX opsets 13 to 26/],
    [['--opset', '27'], /unsupported opset '27'/],
    [['--opset', 'x'], /unsupported opset 'x'/],
    [['--weights', 'ones'], /cannot read the checkpoint ones: no such file or directory/],
    [['--init', 'ones'], /--init expects 'random' or 'zeros'/],
    [['--seed', '-1'], /--seed expects an integer/],
    [['--batch', '0'], /--batch expects a positive integer/],
    [['--target', 'tflite'], /unknown target 'tflite': expected one of .*onnx/],
  ])('%j is a usage error (exit 2)', async (flags, message) => {
    const r = await cli('compile', b0, '-o', path.join(dir, 'never.onnx'), ...(flags as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
    expect(readdirSync(dir)).not.toContain('never.onnx');
  });

  it('an unwritable output path is a usage error that names the path', async () => {
    const r = await cli('compile', mnv2, '-o', path.join(dir, 'no', 'such', 'dir', 'm.onnx'), '--input-size', '64');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write .*m\.onnx: no such directory/);
  });

  it('a missing -o is a usage error', async () => {
    expect((await cli('compile', mnv2)).code).toBe(2);
  });

  it('a spec that does not compile exits 1 and writes nothing', async () => {
    const bad = path.join(dir, 'bad.effnet');
    writeFileSync(bad, readFileSync(mnv2, 'utf8').replace(/activation\s+relu6/, 'activation relu7'));
    expect(readFileSync(bad, 'utf8')).toContain('relu7');
    const r = await cli('compile', bad, '-o', path.join(dir, 'bad.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error/);
    expect(readdirSync(dir)).not.toContain('bad.onnx');
  });
});

describe('the backend itself', { timeout: 60_000 }, () => {
  it('refuses an opset it cannot write with OnnxExportError, which the CLI reports as exit 1', async () => {
    const { onnxBackend } = await import('../../../backends/onnx/onnx-backend.js');
    const { OnnxExportError } = await import('../../../backends/onnx/onnx-error.js');
    const { compileSpec } = await import('../../helpers.js');
    const g = compileSpec('mobilenet-v2.effnet').graph;
    for (const opset of [11, 12, 27, 17.5]) {
      expect(() => onnxBackend.emit(g, { seed: 0, weights: 'zeros', opset })).toThrow(OnnxExportError);
    }
    expect(() => onnxBackend.emit(g, { seed: 0, weights: 'zeros', opset: 12 })).toThrow(/opset 12 is not supported: effnet emits ONNX opsets 13 to 26/);
    expect(() => onnxBackend.emit(g, { seed: 0, weights: 'zeros', batch: 0 })).toThrow(OnnxExportError);
  });
});
