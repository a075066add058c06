/**
 * The entry point: the format is detected from content; every bad or foreign input — truncated, malformed,
 * oversized, a zip bomb, a payload, a PNG, text, an empty file — is a CheckpointError that says what is wrong
 * (never another exception type, also under random corruption); paths to files and TF.js directories open
 * and close through openCheckpointPath, including a model written by effnet's own TF.js backend.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitTfjs } from '../../backends/tfjs/tfjs-backend.js';
import { onnxBackend } from '../../backends/onnx/onnx-backend.js';
import { bufferSource } from '../../src/checkpoint/byte-source.js';
import { CheckpointError, detectFormat, type Checkpoint } from '../../src/checkpoint/checkpoint.js';
import { openCheckpointPath, readCheckpoint } from '../../src/checkpoint/open-checkpoint.js';
import { compile } from '../../src/pipeline.js';
import { concat, expectCheckpointError, f32Bytes, safetensorsFile, safetensorsRaw, tempDir, u16Bytes, u64, utf8, zipFile } from './fixtures.js';

const tiny = `model tiny {
  input 32x32x3
  classes 10
  activation swish
  stem conv channels 8 kernel 3 stride 2
  stages {
    mbconv 1 8 3 1 expand 1 se 0.25
    mbconv 1 16 3 2 expand 4 se 0.25
  }
  head conv channels 32 kernel 1
  classifier dropout 0.2
}
`;
const tinyGraph = () => {
  const c = compile('tiny.effnet', tiny);
  if (!c.graph) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
  return c.graph;
};

const goodSafetensors = safetensorsFile([
  { name: 'w', dtype: 'F32', shape: [2, 2], bytes: f32Bytes([1, 2, 3, 4]) },
  { name: 'h', dtype: 'F16', shape: [2], bytes: u16Bytes([0x3c00, 0x4000]) },
], { format: 'pt' });

/** A hand-made torch.save-like archive: data.pkl maps 'w' to a 2x2 float tensor in storage '0'. */
const pickle = (...parts: (number | string)[]) => concat(parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : Uint8Array.from(p, (c) => c.charCodeAt(0)))));
const stateDictPickle = pickle(
  0x80, 2, '}', 'X', 1, 0, 0, 0, 'w', 'c', 'torch._utils\n_rebuild_tensor_v2\n',
  '(', '(', 'X', 7, 0, 0, 0, 'storage', 'c', 'torch\nFloatStorage\n', 'X', 1, 0, 0, 0, '0', 'X', 3, 0, 0, 0, 'cpu', 'K', 4, 't', 'Q',
  'K', 0, 'K', 2, 'K', 2, 0x86, 'K', 2, 'K', 1, 0x86, 0x89, '}', 't', 'R', 's', '.',
);
const goodZip = zipFile([
  { name: 'archive/data.pkl', data: stateDictPickle },
  { name: 'archive/version', data: utf8('3\n') },
  { name: 'archive/data/0', data: f32Bytes([1, 2, 3, 4]) },
]);
const payloadZip = zipFile([{ name: 'archive/data.pkl', data: pickle(0x80, 2, 'c', 'posix\nsystem\n', 'X', 4, 0, 0, 0, 'true', 0x85, 'R', '.') }]);
const bombZip = zipFile([{ name: 'archive/data.pkl', data: new Uint8Array(50 << 20), deflate: true, declaredSize: 100 }]);
const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52);
const legacyTorch = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e);
const modelJson = JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }] });

async function values(ckpt: Checkpoint, name: string): Promise<number[]> {
  return [...ckpt.tensors.get(name)!.toFloat32()];
}

describe('detectFormat', () => {
  it.each([
    ['a safetensors file', goodSafetensors, 'safetensors'],
    ['a torch.save zip', goodZip, 'pytorch'],
    ['a TF.js model.json', utf8(modelJson), 'tfjs-layers'],
    ['a TF.js model.json with a BOM and spaces', utf8(`\uFEFF  \n${modelJson}`), 'tfjs-layers'],
    ['a PNG', png, undefined],
    ['plain text', utf8('hello, world\n'), undefined],
    ['an empty file', new Uint8Array(0), undefined],
    ['an HF config.json', utf8('{"architectures": ["ResNet"], "num_labels": 10}'), undefined],
    ['a legacy torch pickle', legacyTorch, undefined],
  ])('%s', (_, bytes, format) => expect(detectFormat(bytes)).toBe(format));
});

describe('readCheckpoint', () => {
  it('reads safetensors and torch.save archives from their content', async () => {
    const s = await readCheckpoint(bufferSource(goodSafetensors));
    expect([s.format, await values(s, 'w'), await values(s, 'h')]).toEqual(['safetensors', [1, 2, 3, 4], [1, 2]]);
    const p = await readCheckpoint(bufferSource(goodZip));
    expect([p.format, p.tensors.get('w')!.shape, await values(p, 'w'), p.metadata]).toEqual(['pytorch', [2, 2], [1, 2, 3, 4], { archive: 'archive', version: '3' }]);
  });

  it('reads a TF.js model.json through openShard', async () => {
    const opened: string[] = [];
    const ckpt = await readCheckpoint(bufferSource(utf8(modelJson)), { openShard: (p) => (opened.push(p), bufferSource(f32Bytes([5, 6]))) });
    expect([opened, ckpt.format, await values(ckpt, 'w')]).toEqual([['w.bin'], 'tfjs-layers', [5, 6]]);
  });

  const onnx = () => {
    const chunks = [...onnxBackend.emit(tinyGraph(), { seed: 0, weights: 'zeros' }).files[0]!.chunks()];
    return concat(chunks).subarray(0, 4096);
  };
  const acceptedPattern = /effnet reads safetensors files, PyTorch torch\.save files .* and TF\.js layers models/;

  it.each([
    ['a truncated safetensors file', () => goodSafetensors.subarray(0, goodSafetensors.length - 3), /safetensors: tensor 'h': data_offsets \[16, 20\] run past the end of the data section, which holds 17 bytes/],
    ['a safetensors header length past the end', () => concat([u64(1000), utf8('{}')]), /header length at byte 0 says 1000 bytes, but only 2 bytes follow it/],
    ['a declared header of 100 MB+', () => concat([u64(200_000_000), utf8('{"a":1}')]), /says 200000000 bytes, more than the format's limit of 100000000 \(100 MB\); refusing to read it/],
    ['overlapping tensors', () => safetensorsRaw('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}', new Uint8Array(6)), /tensors 'a' \[0, 4\] and 'b' \[2, 6\] overlap/],
    ['out-of-range offsets', () => safetensorsRaw('{"a":{"dtype":"U8","shape":[9],"data_offsets":[0,9]}}', new Uint8Array(4)), /data_offsets \[0, 9\] run past the end of the data section, which holds 4 bytes/],
    ['an unknown dtype', () => safetensorsRaw('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), /tensor 'a': dtype F8_E4M3 is not supported/],
    ['a zip entry that inflates far past its declared size', () => bombZip, /zip entry archive\/data\.pkl inflates to more than the 100 bytes its header declares/],
    ['a pickle calling os.system', () => payloadZip, /archive\/data\.pkl byte 2: loading this file would run code: global posix\.system is not allowed; effnet loads only state_dicts of tensors/],
    ['a truncated torch.save archive', () => goodZip.subarray(0, goodZip.length - 10), /not a readable zip archive/],
    ['a PNG', () => png, /not a checkpoint: the file is a PNG image\. effnet reads safetensors files/],
    ['plain text', () => utf8('weights: see the README\n'), /not a checkpoint: the file is plain text \("weights: see the README"\)\./],
    ['an empty file', () => new Uint8Array(0), /not a checkpoint: the file is empty\./],
    ['an ONNX model', onnx, /not a checkpoint: the file is an ONNX model/],
    ['a legacy torch.save file', () => legacyTorch, /the file is a PyTorch file in the legacy format .* re-save it with torch\.save in PyTorch 1\.6 or later/],
    ['a JSON file that is not model.json', () => utf8('{"num_labels": 10}'), /a JSON file, but not a TF\.js model\.json/],
    ['random binary data', () => Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe, 0x00, 0x01, 0x02), /unrecognised binary data \(first bytes de ad be ef ff fe 00 01\)/],
    ['a model.json without a way to open its shards', () => utf8(modelJson), /a TF\.js model\.json: its weights are in separate shard files, so it has to be opened by path/],
  ])('refuses %s with a CheckpointError', async (_, bytes, message) => {
    const e = await expectCheckpointError(() => readCheckpoint(bufferSource(bytes())), message);
    if (e.message.startsWith('not a checkpoint')) expect(e.message).toMatch(acceptedPattern);
  });

  it('never throws anything but a CheckpointError, whatever the corruption', async () => {
    const files = [goodSafetensors, goodZip, utf8(modelJson)];
    const shard = f32Bytes([5, 6]);
    const corruption = fc.record({
      file: fc.nat(files.length - 1),
      edits: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(corruption, async ({ file, edits, cut }) => {
      let bytes = files[file]!.slice();
      for (const e of edits) bytes[e.at % bytes.length] = e.byte;
      if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
      try {
        const ckpt = await readCheckpoint(bufferSource(bytes), { openShard: () => bufferSource(shard) });
        for (const t of ckpt.tensors.values()) {
          try {
            t.toFloat32();
          } catch (e) {
            if (!(e instanceof CheckpointError)) throw e;
          }
        }
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw e;
      }
    }), { numRuns: 500 });
  });
});

describe('openCheckpointPath', () => {
  it('opens a file by path, reads tensors until closed, then refuses', async () => {
    const file = path.join(tempDir('open'), 'weights.bin');
    writeFileSync(file, goodSafetensors);
    const ckpt = await openCheckpointPath(file);
    expect([ckpt.path, ckpt.format, await values(ckpt, 'w')]).toEqual([file, 'safetensors', [1, 2, 3, 4]]);
    ckpt.close();
    await expectCheckpointError(() => ckpt.tensors.get('w')!.toFloat32(), /read after it was closed/);
  });

  it('opens a TF.js model written by effnet (directory or model.json), shards concatenated in order', async () => {
    const dir = tempDir('open-tfjs');
    const artifact = emitTfjs(tinyGraph(), { seed: 7, weights: 'random', shardBytes: 4096 });
    for (const f of artifact.files) writeFileSync(path.join(dir, f.path), concat([...f.chunks()]));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
    const paths = manifest.weightsManifest[0]!.paths;
    expect(paths.length).toBeGreaterThan(1);
    const all = concat(paths.map((p) => readFileSync(path.join(dir, p))));
    const reference = tf.io.decodeWeights(all.slice().buffer as ArrayBuffer, manifest.weightsManifest[0]!.weights);
    for (const target of [dir, path.join(dir, 'model.json')]) {
      const ckpt = await openCheckpointPath(target);
      try {
        expect(ckpt.path).toBe(path.join(dir, 'model.json'));
        expect(ckpt.metadata.generatedBy).toMatch(/^effnet /);
        expect([...ckpt.tensors.keys()]).toEqual(manifest.weightsManifest[0]!.weights.map((w) => w.name));
        for (const [name, t] of ckpt.tensors) expect([...t.toFloat32()], name).toEqual([...reference[name]!.dataSync()]);
      } finally {
        ckpt.close();
      }
    }
  });

  it.each([
    ['a missing file', (dir: string) => path.join(dir, 'nope.safetensors'), /nope\.safetensors: no such file or directory/],
    ['a directory without model.json', (dir: string) => (mkdirSync(path.join(dir, 'empty')), path.join(dir, 'empty')), /empty: a directory without model\.json; effnet reads/],
    ['a missing shard', (dir: string) => (writeFileSync(path.join(dir, 'model.json'), modelJson), dir), /model\.json: cannot open weight shard w\.bin: no such file or directory/],
    ['a PNG named .pth', (dir: string) => (writeFileSync(path.join(dir, 'model.pth'), png), path.join(dir, 'model.pth')), /model\.pth: not a checkpoint: the file is a PNG image/],
  ])('refuses %s, naming the path', async (_, make, message) => {
    await expectCheckpointError(() => openCheckpointPath(make(tempDir('open-bad'))), message);
  });
});
