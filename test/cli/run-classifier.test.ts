/**
 * `effnet run` as a classifier, end to end on ONNX models whose logits are known: a hand-built graph,
 * GlobalAveragePool -> Flatten -> Gemm, so the logits of a flat image of colour (r, g, b) are exactly
 * W^T ((rgb / 255 - mean) / std) + bias. That pins the labels to their indices, the preprocessing's mean and
 * std (and which preprocessing ran: flag, model metadata or default), per-image results in directory order,
 * batching (a fixed-batch file pads its last batch), the JSON schema, and each bad input's exit 2.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, PREPROCESSING_METADATA_KEY, presetPreprocessing } from '../../backends/preprocessing.js';
import { MAX_DIRECTORY_IMAGES } from '../../src/cli/image-directory.js';
import { onnx, tempDir } from '../backends/onnx/onnx-helpers.js';
import { cli } from './run-cli.js';

const dir = tempDir('run-classifier');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIDE = 8;

/** GlobalAveragePool -> Flatten -> Gemm(W [3, classes], bias): logits linear in the mean colour. */
function linearModel(file: string, w: number[][], bias: number[], options: { batch?: number; metadata?: Record<string, string> } = {}): string {
  const classes = bias.length;
  const tensor = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) });
  const info = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const n = options.batch ?? 'N';
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'a test',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'linear',
      node: [
        { opType: 'GlobalAveragePool', input: ['input'], output: ['pooled'], name: 'pool' },
        { opType: 'Flatten', input: ['pooled'], output: ['flat'], name: 'flatten', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
        { opType: 'Gemm', input: ['flat', 'W', 'bias'], output: ['logits'], name: 'dense' },
      ],
      initializer: [tensor('W', [3, classes], w.flat()), tensor('bias', [classes], bias)],
      input: [info('input', [n, 3, SIDE, SIDE])],
      output: [info('logits', [n, classes])],
    },
    // After the graph, as torch.onnx.export writes it: effnet's scanner must find it there too.
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  }).finish();
  const p = path.join(dir, file);
  writeFileSync(p, bytes);
  return p;
}

/** A flat image of one colour; the extension picks PNG or JPEG (quality 100). */
async function flat(file: string, rgb: [number, number, number], width = 40, height = 30): Promise<string> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  const p = path.join(dir, file);
  writeFileSync(p, await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 100 })).toBuffer());
  return p;
}

const eye = (scale: number) => [[scale, 0, 0], [0, scale, 0], [0, 0, scale]];
const json = async (...argv: string[]) => {
  const r = await cli(...argv, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

let rgbModel: string; // 3 classes: red, green, blue
let imagenetModel: string; // 1000 classes: red -> 207, green -> 281, blue -> 999
let torchvisionModel: string; // records the torchvision preset in its metadata
let fixedModel: string; // batch fixed to 2
let photos: string;
let labels: string;

beforeAll(async () => {
  rgbModel = linearModel('rgb.onnx', eye(10), [0, 0, 0]);
  const w = [0, 1, 2].map(() => new Array(1000).fill(0));
  w[0]![207] = 10;
  w[1]![281] = 10;
  w[2]![999] = 10;
  imagenetModel = linearModel('imagenet.onnx', w, new Array(1000).fill(0));
  torchvisionModel = linearModel('tv.onnx', eye(1), [0, 0, 0], { metadata: { [PREPROCESSING_METADATA_KEY]: JSON.stringify(presetPreprocessing('torchvision', SIDE, SIDE)) } });
  fixedModel = linearModel('fixed.onnx', eye(10), [0, 0, 0], { batch: 2 });
  photos = path.join(dir, 'photos');
  mkdirSync(photos);
  await flat('photos/c-green.png', [0, 255, 0]);
  await flat('photos/a-red.png', [255, 0, 0], 500, 375);
  await flat('photos/b-blue.jpg', [0, 0, 255], 375, 500);
  await flat('photos/d-red.jpg', [250, 10, 10]);
  await flat('photos/e-blue.png', [0, 0, 200], 9, 7);
  writeFileSync(path.join(photos, 'notes.txt'), 'not an image');
  labels = path.join(dir, 'rgb.txt');
  writeFileSync(labels, 'red\ngreen\nblue\n');
});

describe('labels line up with class indices', () => {
  it('--labels FILE names the classes; probabilities are the softmax of the logits', async () => {
    const red = await flat('red.png', [255, 0, 0]);
    const r = await cli('run', rgbModel, '--input', red, '--labels', labels, '--topk', '3', '--runs', '1');
    expect(r.code, r.stderr).toBe(0);
    // logits [10, 0, 0]: p(red) = e^10 / (e^10 + 2)
    expect(r.stdout).toMatch(/labels: +.*rgb\.txt \(3 names\)/);
    expect(r.stdout).toMatch(/top-3: +0 red 99\.99%, 1 green 0\.00454%, 2 blue 0\.00454%/);
  });

  it('the built-in ImageNet names by default for 1000 classes', async () => {
    const cases: [string, [number, number, number], number, string][] = [
      ['r.png', [255, 0, 0], 207, 'golden retriever'],
      ['g.png', [0, 255, 0], 281, 'tabby'],
      ['b.png', [0, 0, 255], 999, 'toilet tissue'],
    ];
    for (const [file, rgb, index, label] of cases) {
      const r = await cli('run', imagenetModel, '--input', await flat(file, rgb), '--runs', '1', '--topk', '1');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/labels: +built-in ImageNet-1k class names \(torchvision\)/);
      expect(r.stdout).toContain(`top-1:        ${index} ${label} `);
    }
  });

  it('no labels for another class count unless given', async () => {
    const r = await cli('run', rgbModel, '--runs', '1');
    expect(r.stdout).toMatch(/labels: +none \(the model has 3 classes; --labels FILE names them/);
    expect(r.stdout).toMatch(/top-3: +\d \d/); // --topk 5 shows the 3 there are
  });
});

describe('where the preprocessing comes from: flag, model metadata, or default', () => {
  // A flat image of (r, g, b): the pooled input is exactly the preprocessed colour, so are the logits (W = I).
  const colour: [number, number, number] = [200, 100, 50];
  const normalised = colour.map((v, c) => (v / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!);

  it.each([
    ['the model records torchvision', () => torchvisionModel, [], 'model metadata', "torchvision (from the model's metadata)", normalised],
    ['--preprocess none overrides it', () => torchvisionModel, ['--preprocess', 'none'], 'flag', 'none (from --preprocess)', colour.map((v) => v / 255)],
    ['--preprocess keras', () => rgbModel, ['--preprocess', 'keras'], 'flag', 'keras (from --preprocess)', colour.map((v) => 10 * (v / 255 - 0.5) / 0.5)],
    ['a model without a record gets the default', () => rgbModel, [], 'default', 'none (the default)', colour.map((v) => (10 * v) / 255)],
    ['--mean and --std replace those fields only', () => torchvisionModel, ['--mean', '0.5,0.5,0.5', '--std', '0.25,0.5,1'], 'model metadata', "torchvision (from the model's metadata; --mean, --std from flags)", colour.map((v, c) => (v / 255 - 0.5) / [0.25, 0.5, 1][c]!)],
  ])('%s', async (_what, model, flags, source, text, logits) => {
    const image = await flat('colour.png', colour, 50, 40);
    const r = await cli('run', model(), '--input', image, '--runs', '1', ...flags);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`preprocess:   ${text}`);
    const doc = await json('run', model(), '--input', image, '--runs', '1', ...flags);
    expect(doc.preprocessing.source).toBe(source);
    for (let i = 0; i < 3; i++) expect(doc.results[0].logits[i]).toBeCloseTo(logits[i]!, 5);
  });

  it('the torchvision preset of an 8x8 model resizes the shorter side to 9 and crops 8x8', async () => {
    const doc = await json('run', torchvisionModel, '--input', await flat('wide.png', [1, 2, 3], 50, 40), '--runs', '1');
    expect(doc.preprocessing).toMatchObject({ preset: 'torchvision', resize: 9, crop: [8, 8], interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD, sharp: expect.stringMatching(/kernel 'linear'/) });
    expect(doc.input.source).toMatch(/PNG 50x40 resized to 11x9, centre 8x8 cropped/);
  });
});

describe('a directory of images, in batches', () => {
  it('classifies every image in name order and prints the throughput', async () => {
    const r = await cli('run', rgbModel, '--input', photos, '--labels', labels, '--batch-size', '2', '--topk', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/input: +\[2, 3, 8, 8\] NCHW, 5 images in .*photos, 3 batches of 2/);
    expect(r.stdout).toMatch(/throughput: +[\d.]+ images\/s inference \(3 batches, after one warm-up batch\), [\d.]+ images\/s with decoding and preprocessing/);
    const rows = r.stdout.split('top-1 per image:\n')[1]!.trimEnd().split('\n');
    expect(rows.map((l) => l.trim().replace(/ +/g, ' ').replace(/ [\d.]+%$/, ''))).toEqual([
      'a-red.png 0 red', 'b-blue.jpg 2 blue', 'c-green.png 1 green', 'd-red.jpg 0 red', 'e-blue.png 2 blue',
    ]);
  });

  it('--json: schemaVersion, per-image results in order with all logits and probabilities, the throughput', async () => {
    const doc = await json('run', rgbModel, '--input', photos, '--batch-size', '3');
    expect(doc).toMatchObject({
      schemaVersion: 1,
      format: 'onnx',
      input: { shape: [3, 3, 8, 8], layout: 'NCHW', directory: photos },
      preprocessing: { source: 'default', preset: 'none', resize: 'stretch' },
      labels: null,
      outputShape: [3, 3],
      topk: 5,
      throughput: { images: 5, batches: 2, batchSize: 3 },
    });
    expect(doc.throughput.imagesPerSecond).toBeGreaterThan(0);
    expect(doc.throughput.imagesPerSecondWithDecoding).toBeGreaterThan(0);
    expect(doc.results.map((r: { input: string }) => path.basename(r.input))).toEqual(['a-red.png', 'b-blue.jpg', 'c-green.png', 'd-red.jpg', 'e-blue.png']);
    const first = doc.results[0];
    expect(first).toMatchObject({ width: 500, height: 375, format: 'png' });
    expect(first.logits).toHaveLength(3);
    expect(first.logits[0]).toBeCloseTo(10, 5);
    expect(first.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    expect(first.top.map((t: { index: number }) => t.index)).toEqual([0, 1, 2]);
    expect(first.top[0]).toEqual({ index: 0, probability: first.probabilities[0], logit: first.logits[0] });
  });

  it('an ONNX file compiled with a fixed batch runs in that batch, its last batch padded', async () => {
    const doc = await json('run', fixedModel, '--input', photos, '--topk', '1');
    expect(doc.input.shape).toEqual([2, 3, 8, 8]);
    expect(doc.throughput).toMatchObject({ batches: 3, batchSize: 2 });
    expect(doc.results.map((r: { top: { index: number }[] }) => r.top[0]!.index)).toEqual([0, 2, 1, 0, 2]);
    const r = await cli('run', fixedModel, '--input', photos, '--batch-size', '4');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/compiled for batches of exactly 2 .*--batch-size 4 cannot apply/);
  });
});

describe('bad inputs exit 2 with a clear message', () => {
  let empty: string;
  beforeAll(() => {
    empty = path.join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, 'readme.txt'), 'no images here');
  });

  it.each([
    ['--labels with the wrong count', () => ['--input', photos, '--labels', path.join(dir, 'two.txt')], /--labels .*two\.txt has 2 names, but the model has 3 classes/],
    ['a directory with no images', () => ['--input', empty], /empty holds no JPEG, PNG or WebP images/],
    ['--topk 0', () => ['--topk', '0'], /--topk expects a positive integer .*got '0'/],
    ['--mean with two values', () => ['--input', photos, '--mean', '0.5,0.5'], /--mean expects three numbers R,G,B .*got '0\.5,0\.5' \(2 values\)/],
    ['--std with a zero', () => ['--input', photos, '--std', '1,0,1'], /--std values divide the image, so each must be above 0/],
    ['--mean on the 0-255 scale', () => ['--input', photos, '--mean', '123.68,116.78,103.94'], /each value lies in \[0, 1\].*divide by 255/],
    ['--crop larger than --resize', () => ['--input', photos, '--resize', '6', '--crop', '8'], /--crop 8 is larger than --resize 6: the centre crop must fit inside the resized image/],
    ['--resize smaller than the model input', () => ['--input', photos, '--resize', '6'], /centre crop 8x8 is larger than the resized image's shorter side, 6 px/],
    ['--crop other than the model input', () => ['--input', photos, '--crop', '7'], /--crop 7 does not match the model's input, 8x8/],
    ['an unknown preset', () => ['--input', photos, '--preprocess', 'imagenet'], /Allowed choices are torchvision, keras, none/],
    ['an unknown interpolation', () => ['--input', photos, '--interpolation', 'lanczos'], /Allowed choices are bilinear, bicubic, nearest/],
    ['preprocessing flags with a random input', () => ['--resize', '9'], /--resize applies to image inputs/],
    ['--runs with a directory', () => ['--input', photos, '--runs', '3'], /--runs times one input/],
    ['--batch-size with one image', () => ['--input', path.join(photos, 'a-red.png'), '--batch-size', '4'], /--batch-size applies to a directory/],
    ['--batch-size 0', () => ['--input', photos, '--batch-size', '0'], /--batch-size expects an integer from 1 to 256/],
  ])('%s', async (_what, args, message) => {
    writeFileSync(path.join(dir, 'two.txt'), 'red\ngreen\n');
    const r = await cli('run', rgbModel, ...args());
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it(`a directory of more than ${MAX_DIRECTORY_IMAGES} images is refused before any is read`, async () => {
    const many = path.join(dir, 'many');
    mkdirSync(many);
    // Empty files: they are counted by name, so none is ever opened.
    for (let i = 0; i <= MAX_DIRECTORY_IMAGES; i++) writeFileSync(path.join(many, `${i}.png`), '');
    const r = await cli('run', rgbModel, '--input', many);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds 4,097 images, more than the 4,096 one effnet run classifies/);
  });

  it('an unreadable image in a directory names the file', async () => {
    const broken = path.join(dir, 'broken');
    mkdirSync(broken);
    await flat('broken/a.png', [1, 2, 3]);
    writeFileSync(path.join(broken, 'b.jpg'), 'not a jpeg');
    const r = await cli('run', rgbModel, '--input', broken);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*b\.jpg as an image/);
  });
});
