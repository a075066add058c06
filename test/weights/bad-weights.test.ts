/**
 * Bad checkpoints through the CLI: a file that cannot be read as a checkpoint is a usage error (exit 2) that
 * says what is wrong; a checkpoint that does not fit the spec is a diagnostic at the spec's row (exit 1); a NaN
 * weight stops the write. In every case nothing is written.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSpec, specPath } from '../helpers.js';
import { concat, f32Bytes, safetensorsRaw, u64, utf8, zipFile } from '../checkpoint/fixtures.js';
import { cli } from '../cli/run-cli.js';
import { safetensorsBytes, type NamedTensor } from './safetensors-writer.js';
import { graphTensors } from '../../src/weights/graph-tensors.js';
import { modulePaths, stateDictKey } from '../../src/weights/naming/effnet-names.js';

const work = mkdtempSync(path.join(tmpdir(), 'effnet-bad-weights-'));
const spec = specPath('mobilenet-v2.effnet');
const pickle = (...parts: (number | string)[]) => concat(parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : Uint8Array.from(p, (c) => c.charCodeAt(0)))));

/** mobilenet-v2 at 32 px as a complete effnet-named safetensors checkpoint, with one tensor edited. */
function effnetCheckpoint(edit: (t: NamedTensor[]) => NamedTensor[] = (t) => t): Uint8Array {
  const g = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 32 } }).graph;
  const pathOf = modulePaths(g);
  const tensors = graphTensors(g).map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n).fill(t.role === 'variance' ? 1 : 0.01);
    return { name: stateDictKey(pathOf(t.node), t.role), dtype: 'F32' as const, shape: t.shape, bytes: new Uint8Array(values.buffer) };
  });
  return safetensorsBytes(edit(tensors));
}

const unreadable: [string, () => Uint8Array, RegExp][] = [
  ['a truncated safetensors file', () => effnetCheckpoint().subarray(0, 5000), /the header length at byte 0 says \d+ bytes, but only 4992 bytes follow it \(is the file truncated\?\)/],
  ['a header length past the end', () => concat([u64(1000), utf8('{}')]), /header length at byte 0 says 1000 bytes, but only 2 bytes follow it/],
  ['a 100 MB header', () => concat([u64(200_000_000), utf8('{"a":1}')]), /more than the format's limit of 100000000 \(100 MB\); refusing to read it/],
  ['overlapping offsets', () => safetensorsRaw('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}', new Uint8Array(6)), /overlap/],
  ['an unknown dtype', () => safetensorsRaw('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), /dtype F8_E4M3 is not supported/],
  ['a zip entry that inflates far past its size', () => zipFile([{ name: 'archive/data.pkl', data: new Uint8Array(50 << 20), deflate: true, declaredSize: 100 }]), /inflates to more than the 100 bytes its header declares/],
  ['a pickle with a forbidden global', () => zipFile([{ name: 'archive/data.pkl', data: pickle(0x80, 2, 'c', 'posix\nsystem\n', 'X', 4, 0, 0, 0, 'true', 0x85, 'R', '.') }]), /loading this file would run code: global posix\.system is not allowed/],
  ['a PNG', () => Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), /not a checkpoint: the file is a PNG image/],
  ['a text file', () => utf8('not weights\n'), /not a checkpoint: the file is plain text/],
];

describe('checkpoints that cannot be read: exit 2, a clear message, nothing written', () => {
  it.each(unreadable)('%s', async (what, bytes, message) => {
    const file = path.join(work, `${what.replace(/\W+/g, '-')}.bin`);
    writeFileSync(file, bytes());
    const out = path.join(work, `${what.replace(/\W+/g, '-')}.onnx`);
    const r = await cli('compile', spec, '--input-size', '32', '--weights', file, '-o', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/effnet: error: cannot read the checkpoint /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('checkpoints that do not fit the spec: diagnostics at its rows, exit 1, nothing written', () => {
  const edited = (name: string, edit: (t: NamedTensor[]) => NamedTensor[]) => {
    const file = path.join(work, `${name}.safetensors`);
    writeFileSync(file, effnetCheckpoint(edit));
    return file;
  };
  it.each([
    ['a missing tensor', (t: NamedTensor[]) => t.filter((x) => x.name !== 'stage3.block3b.expand_conv.weight'), /mobilenet-v2\.effnet:\d+:\d+: error\[E0701\]: block3b_expand_conv needs its kernel \[192, 32, 1, 1\] from the checkpoint's 'stage3\.block3b\.expand_conv\.weight', which the checkpoint does not have/],
    ['a tensor of another shape', (t: NamedTensor[]) => t.map((x) => (x.name === 'stage3.block3b.expand_conv.weight' ? { ...x, shape: [240, 40, 1, 1], bytes: new Uint8Array(240 * 40 * 4) } : x)), /error\[E0702\]: block3b_expand_conv wants its kernel as \[192, 32, 1, 1\], the checkpoint's stage3\.block3b\.expand_conv\.weight is \[240, 40, 1, 1\]/],
    ['a fine-tuned 10-class head', (t: NamedTensor[]) => t.map((x) => (x.name.startsWith('classifier.predictions.') ? { ...x, shape: x.name.endsWith('weight') ? [10, 1280] : [10], bytes: new Uint8Array((x.name.endsWith('weight') ? 10 * 1280 : 10) * 4) } : x)), /error\[E0703\]: the checkpoint's classifier has 10 classes, the spec 1000\n[^]*hint: a fine-tuned head: set 'classes 10' in the spec, or pass --classes 10/],
    ['tensors the spec has no place for', (t: NamedTensor[]) => [...t, { name: 'stage9.block9a.extra.weight', dtype: 'F32' as const, shape: [1], bytes: f32Bytes([1]) }], /error\[E0704\]: the checkpoint has 1 tensor the spec has no place for: stage9\.block9a\.extra\.weight/],
    ['an integer weight', (t: NamedTensor[]) => t.map((x) => (x.name === 'stem.conv.weight' ? { ...x, dtype: 'I64' as const, bytes: new Uint8Array(x.bytes.length * 2) } : x)), /error\[E0705\]: the checkpoint's stem\.conv\.weight is I64; weights must be floating point/],
  ])('%s', async (what, edit, message) => {
    const file = edited(what.replace(/\W+/g, '-'), edit);
    const out = path.join(work, `${what.replace(/\W+/g, '-')}.out`);
    const r = await cli('compile', spec, '--input-size', '32', '--weights', file, '--target', 'all', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    const shown = await cli('weights', spec, file, '--input-size', '32');
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(message);
  });

  it('--classes 10 takes the fine-tuned head', async () => {
    const file = edited('ten', (t) => t.map((x) => (x.name.startsWith('classifier.predictions.') ? { ...x, shape: x.name.endsWith('weight') ? [10, 1280] : [10], bytes: new Uint8Array((x.name.endsWith('weight') ? 10 * 1280 : 10) * 4) } : x)));
    const r = await cli('compile', spec, '--input-size', '32', '--weights', file, '--classes', '10', '-o', path.join(work, 'ten.onnx'));
    expect(r.code, r.stderr).toBe(0);
  });

  it('a NaN weight stops the write at its row and leaves nothing', async () => {
    const file = edited('nan', (t) => t.map((x) => (x.name === 'stage5.block5b.dwconv.weight' ? { ...x, bytes: new Uint8Array(new Float32Array(x.bytes.length / 4).fill(Number.NaN).buffer) } : x)));
    const out = path.join(work, 'nan-out');
    const r = await cli('compile', spec, '--input-size', '32', '--weights', file, '--target', 'all', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E0706\]: the checkpoint's stage5\.block5b\.dwconv\.weight \(for block5b_dwconv\) holds NaN at index 0/);
    expect(r.stderr).toMatch(/nothing written/);
    expect(readdirSync(work).filter((f) => f.startsWith('nan-out') || f.startsWith('.nan-out'))).toEqual([]);
    const shown = await cli('weights', spec, file, '--input-size', '32');
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/E0706/);
  });

  it('DataParallel and DDP checkpoints: the module. prefix is stripped', async () => {
    const file = path.join(work, 'ddp.safetensors');
    writeFileSync(file, effnetCheckpoint((t) => t.map((x) => ({ ...x, name: `module.${x.name}` }))));
    const r = JSON.parse((await cli('weights', spec, file, '--input-size', '32', '--json')).stdout);
    expect(r).toMatchObject({ ok: true, convention: 'effnet', strippedPrefix: 'module.' });
  });
});
