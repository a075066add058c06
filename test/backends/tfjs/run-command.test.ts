/**
 * `effnet run`: loads a TF.js directory (wasm here, and cpu on request) and an ONNX file, prints the output
 * shape, top-5 and median latency, says which runtime ran, and gives both runtimes the same top-5 for the
 * same compiled network, for one input and for a directory of images. Bad flags exit 2. Images (JPEG, PNG,
 * WebP) feed it; malformed ones are clear errors. test/cli/run-classifier.test.ts pins labels, preprocessing
 * and batching on models whose logits are known.
 */
import { deflateSync } from 'node:zlib';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import sharp, { type Sharp } from 'sharp';
import { loadImage } from '../../../src/cli/image-input.js';
import { UsageError } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import { compileSpec, specPath } from '../../helpers.js';
import { writeImage } from '../../cli/test-images.js';
import { emitToDir, tempDir } from './tfjs-helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => { out += t + '\n'; }, err: (t) => { err += t + '\n'; }, color: false, errIsTTY: false });
  return { code, out, err };
}

const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (b: Uint8Array) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])));
  return Buffer.concat([head, body, crc]);
}
/** A PNG with the given IDAT bytes (none: no IDAT chunk), valid or not: the malformed cases are made here. */
function pngRaw(w: number, h: number, colorType: number, depth: number, idat: Buffer | undefined, plte?: number[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(plte ? [chunk('PLTE', Buffer.from(plte))] : []),
    ...(idat ? [chunk('IDAT', idat)] : []),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG from filtered rows (filter byte + row bytes), as an encoder would write it. */
const png = (w: number, h: number, colorType: number, depth: number, rows: number[][], plte?: number[]) => pngRaw(w, h, colorType, depth, deflateSync(Buffer.from(rows.flat())), plte);

describe('image input (sharp; a palette PNG is checked by pngjs first)', () => {
  const dir = tempDir('img');
  dirs.push(dir);
  const file = (name: string, bytes: Uint8Array) => {
    const p = path.join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const pixels = (img: { data: Float32Array }) => Array.from(img.data, (v) => Math.round(v * 255));

  it('reads RGB, palette, grey+alpha and 16-bit PNGs, and JPEG and WebP', async () => {
    expect(pixels(await loadImage(file('rgb.png', png(2, 1, 2, 8, [[0, 10, 20, 30, 40, 50, 60]])), 1, 2))).toEqual([10, 20, 30, 40, 50, 60]);
    expect(pixels(await loadImage(file('pal.png', png(2, 1, 3, 8, [[0, 1, 0]], [0, 0, 0, 255, 128, 0])), 1, 2))).toEqual([255, 128, 0, 0, 0, 0]);
    expect(pixels(await loadImage(file('ga.png', png(1, 1, 4, 8, [[0, 51, 7]])), 1, 1))).toEqual([51, 51, 51]);
    expect(pixels(await loadImage(file('rgba16.png', png(1, 1, 6, 16, [[0, 255, 255, 0, 0, 128, 0, 1, 2]])), 1, 1))).toEqual([255, 0, 128]);
    const raw = { raw: { width: 4, height: 4, channels: 3 as const } };
    const flat = Buffer.alloc(48, 200);
    for (const [name, encode] of [['x.jpg', (s: Sharp) => s.jpeg({ quality: 100 })], ['x.webp', (s: Sharp) => s.webp({ lossless: true })]] as const) {
      const img = await loadImage(file(name, await encode(sharp(flat, raw)).toBuffer()), 4, 4);
      expect(img.format).toBe(name.endsWith('jpg') ? 'jpeg' : 'webp');
      expect(pixels(img).every((v) => Math.abs(v - 200) <= 2)).toBe(true);
    }
  });

  it('resizes a flat image to the same flat value', async () => {
    const img = await loadImage(file('flat.png', png(2, 2, 0, 8, [[0, 128, 128], [0, 128, 128]])), 3, 3);
    expect(pixels(img)).toEqual(new Array(27).fill(128));
  });

  const good = png(2, 2, 2, 8, [[0, 255, 0, 0, 0, 255, 0], [0, 0, 0, 255, 128, 128, 128]]);
  it.each([
    ['a truncated IHDR', good.subarray(0, 20), /corrupt header|end of stream/],
    ['truncated image data', good.subarray(0, 45), /end of stream/],
    ['bad zlib data', pngRaw(2, 2, 2, 8, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])), /IDAT stream error/],
    ['no IDAT chunk', pngRaw(2, 2, 2, 8, undefined), /corrupt header|chunk/],
    ['a palette index past the palette', png(2, 1, 3, 8, [[0, 5, 0]], [0, 0, 0, 255, 128, 0]), /index 5 not in palette/],
    ['16000 x 16000 pixels (refused before decoding)', pngRaw(16000, 16000, 2, 8, deflateSync(Buffer.alloc(10))), /more than 50,000,000 pixels/],
    ['a text file', Buffer.from('not an image at all'), /not a JPEG, PNG or WebP image/],
    ['a GIF', 'gif', /it is a GIF file; effnet reads JPEG, PNG and WebP/],
  ])('%s is a clear error', async (_what, content, message) => {
    const bytes = typeof content === 'string' ? await sharp(Buffer.alloc(12), { raw: { width: 2, height: 2, channels: 3 } }).gif().toBuffer() : content;
    const err = await loadImage(file('bad.png', bytes), 8, 8).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^cannot read .*bad\.png as an image: /);
    expect((err as Error).message).toMatch(message);
  });
});

describe('effnet run', () => {
  const c = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 64 } });
  const { dir } = emitToDir(c, 'run', { seed: 9 });
  dirs.push(dir);
  const onnxDir = tempDir('run-onnx');
  dirs.push(onnxDir);
  const onnxPath = path.join(onnxDir, 'm.onnx');

  it('runs a TF.js directory and an ONNX file of the same network to the same top-5', async () => {
    await writeArtifact(onnxBackend.emit(c.graph, { seed: 9, weights: 'random' }), onnxPath);
    const pngPath = path.join(onnxDir, 'in.png');
    writeFileSync(pngPath, png(2, 2, 2, 8, [[0, 255, 0, 0, 0, 255, 0], [0, 0, 0, 255, 128, 128, 128]]));

    const t = await cli('run', dir, '--runs', '2');
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/runtime: +TF\.js [\d.]+ on wasm/);
    expect(t.out).toMatch(/output shape: \[1, 1000\]/);
    expect(t.out).toMatch(/latency: +median [\d.]+ ms over 2 runs/);
    expect(t.out).toMatch(/input: +\[1, 64, 64, 3\] NHWC/);
    const o = await cli('run', onnxPath, '--runs', '1');
    expect(o.code, o.err).toBe(0);
    expect(o.out).toMatch(/onnxruntime-node/);
    expect(o.out).toMatch(/input: +\[1, 3, 64, 64\] NCHW/); // as the ONNX file declares it
    const top = (s: string) => /top-5: +(.*)/.exec(s)![1]!.split(', ').map((x) => x.split(' ')[0]);
    expect(top(t.out)).toEqual(top(o.out));

    const p = await cli('run', dir, '--backend', 'cpu', '--input', pngPath, '--runs', '1');
    expect(p.code, p.err).toBe(0);
    expect(p.out).toMatch(/on cpu/);
    expect(p.out).toMatch(/in\.png \(PNG 2x2 resized to 64x64/);
    const q = await cli('run', onnxPath, '--input', pngPath, '--runs', '1');
    expect(top(q.out)).toEqual(top(p.out));
  });

  it('--json: the same figures as a document with a schemaVersion', async () => {
    const j = await cli('run', onnxPath, '--runs', '2', '--json');
    expect(j.code, j.err).toBe(0);
    const doc = JSON.parse(j.out);
    expect(doc).toMatchObject({ schemaVersion: 1, model: onnxPath, format: 'onnx', input: { shape: [1, 3, 64, 64], layout: 'NCHW' }, outputShape: [1, 1000], latencyMs: { runs: 2 }, preprocessing: null, topk: 5 });
    const [result] = doc.results;
    expect(result.top).toHaveLength(5);
    expect(result.top[0].probability).toBeGreaterThanOrEqual(result.top[4].probability);
    expect(doc.labels).toEqual({ source: 'built-in ImageNet-1k class names (torchvision)', count: 1000 });
    expect(result.top[0].label).toEqual(expect.any(String));
    expect(result.logits).toHaveLength(1000);
    expect(result.probabilities).toHaveLength(1000);
  });

  it('a directory: TF.js and ONNX give every image the same top-5, in the same order', async () => {
    const photos = path.join(onnxDir, 'photos');
    mkdirSync(photos);
    await writeImage(photos, 'b-noise.png', 'noise', 120, 90);
    await writeImage(photos, 'a-wave.jpg', 'wave', 90, 120);
    await writeImage(photos, 'c-gradient.webp', 'gradient', 70, 70);
    const t = await cli('run', dir, '--input', photos, '--batch-size', '2', '--preprocess', 'torchvision', '--json');
    const o = await cli('run', onnxPath, '--input', photos, '--batch-size', '2', '--preprocess', 'torchvision', '--json');
    expect(t.code, t.err).toBe(0);
    expect(o.code, o.err).toBe(0);
    const [td, od] = [JSON.parse(t.out), JSON.parse(o.out)];
    expect(td.results.map((r: { input: string }) => path.basename(r.input))).toEqual(['a-wave.jpg', 'b-noise.png', 'c-gradient.webp']);
    const tops = (d: { results: { top: { index: number }[] }[] }) => d.results.map((r) => r.top.map((x) => x.index));
    expect(tops(td)).toEqual(tops(od));
    expect(td.throughput).toMatchObject({ images: 3, batches: 2, batchSize: 2 });
    expect(td.input.shape).toEqual([2, 64, 64, 3]);
  });

  it('compile --preprocess torchvision: both targets run with it by default, and say so', async () => {
    const out = path.join(onnxDir, 'tv');
    const c = await cli('compile', specPath('mobilenet-v2.effnet'), '--input-size', '64', '--target', 'all', '-o', out, '--seed', '9', '--preprocess', 'torchvision');
    expect(c.code, c.err).toBe(0);
    const image = await writeImage(onnxDir, 'wide.png', 'wave', 200, 100);
    const runs = [await cli('run', path.join(out, 'model.onnx'), '--input', image, '--runs', '1'), await cli('run', path.join(out, 'tfjs'), '--input', image, '--runs', '1')];
    for (const r of runs) {
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/preprocess: +torchvision \(from the model's metadata\): shorter side resized to 73 px, centre crop 64x64, bilinear .*mean \[0\.485, 0\.456, 0\.406\]\) \/ std \[0\.229, 0\.224, 0\.225\]/);
      expect(r.out).toMatch(/PNG 200x100 resized to 146x73, centre 64x64 cropped/);
    }
    const top = (s: string) => /top-5: +(.*)/.exec(s)![1]!.split(', ').map((x) => x.split(' ')[0]);
    expect(top(runs[0]!.out)).toEqual(top(runs[1]!.out));
    const none = await cli('run', path.join(out, 'model.onnx'), '--input', image, '--runs', '1', '--preprocess', 'none');
    expect(none.out).toMatch(/preprocess: +none \(from --preprocess\): stretched to 64x64/);
  });

  it('exits 2 on bad usage, naming the problem', async () => {
    expect((await cli('run', dir, '--runs', '0')).code).toBe(2);
    expect((await cli('run', dir, '--backend', 'gpu')).code).toBe(2);
    const tf = await cli('run', dir, '--backend', 'tensorflow');
    expect(tf.code).toBe(2);
    expect(tf.err).toMatch(/tfjs-node/);
    expect((await cli('run', path.join(dir, 'nope'))).err).toMatch(/no such file/);
    expect((await cli('run', dir, '--input', 'x.jpg')).err).toMatch(/cannot read x\.jpg: no such file/);
    expect((await cli('run', onnxPath, '--backend', 'wasm')).code).toBe(2);
  });
});
