/**
 * The emit option `preprocessing`: written by the ONNX backend as metadata_props `effnet.preprocessing` and by
 * the TF.js backend as model.json userDefinedMetadata, read back by the CLI (the ONNX side by a scanner that
 * skips the graph and reads the file in bounded windows), and recorded by `compile --preprocess`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_METADATA_ENTRY, MetadataScanError, scanMetadataProps, type ReadAt } from '../../backends/onnx/metadata-scanner.js';
import { onnxBackend } from '../../backends/onnx/onnx-backend.js';
import { encodeVarint, lengthPrefix } from '../../backends/onnx/protobuf-wire.js';
import { parsePreprocessing, PREPROCESSING_METADATA_KEY, presetPreprocessing, type Preprocessing } from '../../backends/preprocessing.js';
import { emitTfjs } from '../../backends/tfjs/tfjs-backend.js';
import { fileIOHandler } from '../../backends/tfjs/runtime/file-io-handler.js';
import { recordedPreprocessing } from '../../src/cli/recorded-preprocessing.js';
import { cli } from '../cli/run-cli.js';
import { compileSpec, specPath } from '../helpers.js';
import { artifactBytes, decode, onnx, tempDir } from './onnx/onnx-helpers.js';
import { writeArtifact } from './tfjs/tfjs-helpers.js';

const dir = tempDir('preprocessing-meta');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 64 } });
const torchvision64 = presetPreprocessing('torchvision', 64, 64);

/** A ReadAt over bytes that records each read, to check the scanner's window and how much it read. */
function recordingReader(bytes: Uint8Array): { readAt: ReadAt; reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    readAt: (buffer, position) => {
      const n = Math.max(0, Math.min(buffer.length, bytes.length - position));
      buffer.set(bytes.subarray(position, position + n));
      reads.push(buffer.length);
      return n;
    },
  };
}
const scan = (bytes: Uint8Array) => scanMetadataProps(recordingReader(bytes).readAt, bytes.length);

describe('presets', () => {
  it.each([
    ['torchvision', 224, 224, { resize: 256, crop: [224, 224], interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }],
    ['torchvision', 240, 240, { resize: 274, crop: [240, 240] }],
    ['torchvision', 600, 600, { resize: 686, crop: [600, 600] }],
    ['keras', 224, 224, { resize: 'stretch', crop: [224, 224], interpolation: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }],
    ['none', 64, 48, { resize: 'stretch', crop: [64, 48], mean: [0, 0, 0], std: [1, 1, 1] }],
  ] as const)('%s at %dx%d', (name, h, w, expected) => {
    expect(presetPreprocessing(name, h, w)).toMatchObject({ preset: name, ...expected });
  });

  it.each([
    [[], /not a JSON object/],
    [{ ...torchvision64, resize: 0 }, /resize 0 is neither/],
    [{ ...torchvision64, crop: [64] }, /crop \[64\] is not \[height, width\]/],
    [{ ...torchvision64, interpolation: 'lanczos' }, /interpolation "lanczos"/],
    [{ ...torchvision64, mean: [0.5, 0.5] }, /mean \[0.5,0.5\] is not three numbers/],
    [{ ...torchvision64, std: [1, 0, 1] }, /std \[1,0,1\] is not three numbers above 0/],
    [{ ...torchvision64, resize: 32 }, /centre crop 64x64 is larger than the resized image's shorter side, 32 px/],
  ])('a bad record is refused: %j', (record, message) => {
    expect(() => parsePreprocessing(record)).toThrow(message);
  });
});

describe('ONNX: metadata_props effnet.preprocessing, read by the scanner', () => {
  const bytes = artifactBytes(onnxBackend.emit(small.graph, { seed: 0, weights: 'random', preprocessing: torchvision64 }));

  it('writes the record as JSON and the scanner finds every key onnx-proto decodes', () => {
    const decoded = Object.fromEntries(decode(bytes).metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(decoded[PREPROCESSING_METADATA_KEY]!)).toEqual(torchvision64);
    expect(Object.fromEntries(scan(bytes))).toEqual(decoded);
  });

  it('writes nothing when the option is absent', () => {
    const plain = artifactBytes(onnxBackend.emit(small.graph, { seed: 0, weights: 'random' }));
    expect(scan(plain).has(PREPROCESSING_METADATA_KEY)).toBe(false);
    expect(scan(plain).get('effnet.spec')).toBe('mobilenet-v2');
  });

  it('jumps over the graph: a 21 MB B0 is read in a few windows of at most 64 KiB', () => {
    const b0 = artifactBytes(onnxBackend.emit(compileSpec('efficientnet-b0.effnet').graph, { seed: 0, weights: 'random', preprocessing: presetPreprocessing('torchvision', 224, 224) }));
    const { readAt, reads } = recordingReader(b0);
    const props = scanMetadataProps(readAt, b0.length);
    expect(parsePreprocessing(JSON.parse(props.get(PREPROCESSING_METADATA_KEY)!))).toMatchObject({ resize: 256, crop: [224, 224] });
    expect(b0.length).toBeGreaterThan(20e6);
    expect(Math.max(...reads)).toBeLessThanOrEqual(64 * 1024);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(256 * 1024);
  });

  it('finds metadata written after the graph, as torch.onnx.export places it', () => {
    const model = onnx.ModelProto.decode(bytes);
    const withoutMeta = onnx.ModelProto.encode({ ...model, metadataProps: [] }).finish();
    const meta = onnx.ModelProto.encode({ metadataProps: [{ key: PREPROCESSING_METADATA_KEY, value: '{"x":1}' }] }).finish();
    const moved = new Uint8Array([...withoutMeta, ...meta]);
    expect(Object.fromEntries(scan(moved))).toEqual({ [PREPROCESSING_METADATA_KEY]: '{"x":1}' });
  });

  const field = (n: number, wire: number, body: number[]) => [...encodeVarint(n * 8 + wire), ...body];
  it.each([
    ['a truncated file', () => bytes.subarray(0, 200), /ends|past the end/],
    ['a group (wire type 3)', () => new Uint8Array(field(2, 3, [])), /wire type 3 .*not an ONNX model/],
    ['field number 0', () => new Uint8Array([0, 0]), /field number 0/],
    ['a 2 MiB metadata entry', () => new Uint8Array([...lengthPrefix(14, 2 * 1024 * 1024)]), new RegExp(`more than the ${MAX_METADATA_ENTRY} effnet reads`)],
    ['a varint of 11 bytes', () => new Uint8Array(new Array(11).fill(0xff)), /runs past 10 bytes/],
    ['metadata that is not UTF-8', () => new Uint8Array([...lengthPrefix(14, 4), ...lengthPrefix(1, 2), 0xc3, 0x28]), /not valid UTF-8/],
  ])('%s is a clear error', (_what, make, message) => {
    const b = make();
    expect(() => scan(b)).toThrow(MetadataScanError);
    expect(() => scan(b)).toThrow(message);
  });

  it('recordedPreprocessing reads it from the file; a malformed record is a usage error', () => {
    const file = path.join(dir, 'tv.onnx');
    writeFileSync(file, bytes);
    expect(recordedPreprocessing('onnx', file)).toEqual(torchvision64);
    const bad = path.join(dir, 'bad.onnx');
    const model = onnx.ModelProto.decode(bytes);
    writeFileSync(bad, onnx.ModelProto.encode({ ...model, metadataProps: [{ key: PREPROCESSING_METADATA_KEY, value: '{"resize": 256}' }] }).finish());
    expect(() => recordedPreprocessing('onnx', bad)).toThrow(/bad\.onnx: its effnet\.preprocessing metadata is not valid: crop undefined is not \[height, width\]/);
  });
});

describe('TF.js: model.json userDefinedMetadata', () => {
  const keras: Preprocessing = presetPreprocessing('keras', 64, 64);
  const modelDir = writeArtifact(emitTfjs(small.graph, { seed: 0, weights: 'random', preprocessing: keras }), path.join(dir, 'tfjs'));

  it('writes the record under userDefinedMetadata, which TF.js loads and effnet reads back', async () => {
    const json = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata).toEqual({ [PREPROCESSING_METADATA_KEY]: keras });
    expect(recordedPreprocessing('tfjs', modelDir)).toEqual(keras);
    // TF.js's cpu backend greets Node users with an install hint; effnet run silences it the same way.
    (tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined)!.firstUse = false;
    const model = await tf.loadLayersModel(fileIOHandler(modelDir));
    expect(model.getUserDefinedMetadata()).toEqual({ [PREPROCESSING_METADATA_KEY]: keras });
    // and a save keeps it
    const saved = path.join(dir, 'tfjs-saved');
    await model.save(fileIOHandler(saved));
    expect(recordedPreprocessing('tfjs', saved)).toEqual(keras);
    model.dispose();
  });

  it('writes nothing when the option is absent', () => {
    const plain = emitTfjs(small.graph, { seed: 0, weights: 'random' });
    const json = JSON.parse(new TextDecoder().decode([...plain.files[0]!.chunks()][0]));
    expect(json).not.toHaveProperty('userDefinedMetadata');
  });
});

describe('effnet compile --preprocess', () => {
  it.each(['onnx', 'tfjs'] as const)('records the preset in the %s model', async (target) => {
    const out = path.join(dir, `c-${target}${target === 'onnx' ? '.onnx' : ''}`);
    const r = await cli('compile', specPath('mobilenet-v2.effnet'), '--input-size', '96', '--target', target, '-o', out, '--preprocess', 'torchvision', '--json');
    expect(r.code, r.stderr).toBe(0);
    const expected = presetPreprocessing('torchvision', 96, 96);
    expect(expected).toMatchObject({ resize: 110, crop: [96, 96] });
    expect(JSON.parse(r.stdout).preprocessing).toEqual(expected);
    expect(recordedPreprocessing(target, out)).toEqual(expected);
  });

  it('refuses an unknown preset', async () => {
    const r = await cli('compile', specPath('mobilenet-v2.effnet'), '-o', path.join(dir, 'x.onnx'), '--preprocess', 'imagenet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are torchvision, keras, none/);
  });
});
