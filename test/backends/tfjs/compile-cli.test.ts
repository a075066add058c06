/**
 * `effnet compile --target tfjs` and `--target all` write loadable TF.js directories through the atomic
 * writer (a failure while writing a shard leaves no directory behind), and the same --seed gives the
 * network the ONNX file holds.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emitTfjs } from '../../../backends/tfjs/tfjs-backend.js';
import { fileIOHandler } from '../../../backends/tfjs/runtime/file-io-handler.js';
import { runCli } from '../../../src/cli/main.js';
import { verifyOutputs } from '../../../src/cli/verify-outputs.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import { compileSpec, specPath } from '../../helpers.js';
import { tempDir } from './tfjs-helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, color: false, errIsTTY: false });
  return { code, out, err };
}

describe('effnet compile --target tfjs', () => {
  it('writes model.json and shards that tf.loadLayersModel reads; --target all writes both backends', async () => {
    const work = tempDir('cli');
    dirs.push(work);
    const out = path.join(work, 'b0');
    const r = await cli('compile', specPath('efficientnet-b0.effnet'), '--target', 'tfjs', '--input-size', '64', '--seed', '4', '-o', out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/5,288,548 params/);
    const files = readdirSync(out).sort();
    expect(files).toContain('model.json');
    expect(files.filter((f) => /^group1-shard\d+of\d+\.bin$/.test(f)).length).toBeGreaterThan(1);
    // Byte-identical to the backend's own output for the same seed.
    const c = compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } });
    const direct = emitTfjs(c.graph, { seed: 4, weights: 'random' });
    for (const f of direct.files) expect(readFileSync(path.join(out, f.path)).equals(Buffer.concat([...f.chunks()]))).toBe(true);
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(fileIOHandler(path.join(out, 'model.json')));
    expect(model.outputs[0]!.shape).toEqual([null, 1000]);
    model.dispose();

    const all = path.join(work, 'all');
    const a = await cli('compile', specPath('mobilenet-v2.effnet'), '--target', 'all', '--input-size', '64', '-o', all);
    expect(a.code, a.err).toBe(0);
    expect(existsSync(path.join(all, 'model.onnx'))).toBe(true);
    expect(existsSync(path.join(all, 'tfjs', 'model.json'))).toBe(true);
  });

  it('--fold-bn writes the inference export: no BatchNormalization layers, the same logits as the trainable model', async () => {
    const work = tempDir('fold');
    dirs.push(work);
    const args = [specPath('mobilenet-v2.effnet'), '--target', 'tfjs', '--input-size', '32', '--seed', '2'];
    const [kept, folded] = [path.join(work, 'kept'), path.join(work, 'folded')];
    expect((await cli('compile', ...args, '-o', kept)).code).toBe(0);
    const r = await cli('compile', ...args, '--fold-bn', '-o', folded);
    expect(r.code, r.err).toBe(0);
    const layers = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { class_name: string }[] } } }).modelTopology.config.layers;
    expect(layers(kept).filter((l) => l.class_name === 'BatchNormalization').length).toBeGreaterThan(0);
    expect(layers(folded).filter((l) => l.class_name === 'BatchNormalization')).toEqual([]);
    await tf.setBackend('cpu');
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5);
    const [a, b] = await Promise.all([kept, folded].map(async (d) => {
      const m = await tf.loadLayersModel(fileIOHandler(path.join(d, 'model.json')));
      const y = (m.predict(x) as tf.Tensor).dataSync();
      m.dispose();
      return y;
    }));
    const scale = Math.max(...Array.from(a!, Math.abs));
    expect(Math.max(...Array.from(a!, (v, i) => Math.abs(v - b![i]!))) / scale).toBeLessThan(1e-4);
    x.dispose();

    const both = await cli('compile', ...args, '--fold-bn', '--keep-bn', '-o', path.join(work, 'x'));
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--keep-bn and --fold-bn contradict/);
  });

  it('a model one target cannot express: E0601 at its line, and --target all writes nothing at all', async () => {
    const work = tempDir('padded-pool');
    dirs.push(work);
    const spec = path.join(work, 'pooled.effnet');
    // An average pool over zero padding that must not be counted: Keras's AveragePooling2D cannot say that.
    writeFileSync(spec, 'model pooled {\n  input 32x32x3\n  classes 10\n  padding symmetric\n  stem conv channels 16 kernel 3 stride 2\n  stages {\n    avgpool 1 - 3 2\n  }\n  head gap\n}\n');
    const out = path.join(work, 'out');
    const r = await cli('compile', spec, '--target', 'all', '-o', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${spec}:7:5: error[E0601]: the tfjs backend cannot express block1a_pool: avg pool with padding`);
    expect(r.err).toContain('    avgpool 1 - 3 2\n    |     ^^^^');
    expect(r.err).toContain('nothing written');
    expect(existsSync(out)).toBe(false); // not even the ONNX file, which on its own would compile
    expect((await cli('compile', spec, '--target', 'onnx', '-o', path.join(work, 'g.onnx'))).code).toBe(0);
    const j = await cli('compile', spec, '--target', 'all', '-o', out, '--json');
    expect(JSON.parse(j.out)).toMatchObject({ schemaVersion: 1, ok: false, files: [{ file: spec, diagnostics: [{ code: 'E0601', line: 7, column: 5 }] }] });
  });

  it('a grouped convolution: written as a dense Conv2D, with a warning that says what it costs', async () => {
    const work = tempDir('grouped');
    dirs.push(work);
    const spec = path.join(work, 'grouped.effnet');
    writeFileSync(spec, 'model grouped {\n  input 32x32x3\n  classes 10\n  stem conv channels 16 kernel 3 stride 2\n  stages {\n    conv 2 32 3 1 groups 4\n  }\n  head gap\n}\n');
    const r = await cli('compile', spec, '--target', 'tfjs', '-o', path.join(work, 'out'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`${spec}:6:5: warning[W0602]: the tfjs backend writes block1a_conv as a dense Conv2D whose kernel is zero outside its 4 groups`);
    expect(r.err).toContain('hint: the same outputs at 4x this layer\'s MACs; training in TF.js would fill the zeros and lose the grouping');
    expect(r.err).toContain('1 more layer written the same way (block1b_conv)');
    expect(existsSync(path.join(work, 'out', 'model.json'))).toBe(true);
  });

  it('--json: what was written, per target, with the figures and no timings', async () => {
    const work = tempDir('json');
    dirs.push(work);
    const out = path.join(work, 'all');
    const r = await cli('compile', specPath('mobilenet-v2.effnet'), '--target', 'all', '--input-size', '32', '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, model: 'mobilenet-v2', params: 3_504_872 });
    expect(doc.outputs.map((o: { target: string; path: string }) => [o.target, o.path])).toEqual([['onnx', path.join(out, 'model.onnx')], ['tfjs', path.join(out, 'tfjs')], ['pytorch', path.join(out, 'pytorch')]]);
    expect(doc.outputs[0]).toMatchObject({ opset: 17, params: 3_504_872 - 34_112 / 2, files: [path.join(out, 'model.onnx')] });
    expect(doc.outputs[1].files).toContain(path.join(out, 'tfjs', 'model.json'));
    expect(r.out).not.toMatch(/"(\w*Ms|\w*[tT]ime|seconds|elapsed)":/);
  });

  it('--shard-mb sets the largest shard: 1 MiB gives more files, 64 MiB one', async () => {
    const work = tempDir('shards');
    dirs.push(work);
    const args = [specPath('mobilenet-v2.effnet'), '--target', 'tfjs', '--input-size', '32'];
    const shards = async (mb: string) => {
      const out = path.join(work, mb);
      expect((await cli('compile', ...args, '--shard-mb', mb, '-o', out)).code).toBe(0);
      return readdirSync(out).filter((f) => f.endsWith('.bin')).map((f) => statSync(path.join(out, f)).size);
    };
    const small = await shards('1');
    const total = small.reduce((a, b) => a + b, 0);
    expect(small).toHaveLength(Math.ceil(total / 2 ** 20));
    expect(Math.max(...small)).toBe(2 ** 20);
    expect(await shards('64')).toEqual([total]);
    expect((await cli('compile', ...args, '--shard-mb', '0', '-o', path.join(work, 'x'))).code).toBe(2);
  });

  it('--verify runs what was written: shapes, finite values, and ONNX and TF.js agreeing', async () => {
    const work = tempDir('verify');
    dirs.push(work);
    const out = path.join(work, 'all');
    const r = await cli('compile', specPath('mobilenet-v2.effnet'), '--target', 'all', '--input-size', '32', '--verify', '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/verify: onnx on onnxruntime-node .*: output \[1, 1000\], finite/);
    expect(r.err).toMatch(/verify: tfjs on TF\.js .*: output \[1, 1000\], finite/);
    const verify = JSON.parse(r.out).verify;
    expect(verify).toMatchObject({ ok: true, problems: [] });
    expect(verify.relativeDifference).toBeLessThan(1e-4);
  });

  it('verification fails when the two files do not hold the same network (different seeds)', async () => {
    const work = tempDir('verify-bad');
    dirs.push(work);
    const c = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 32 } });
    const { onnxBackend } = await import('../../../backends/onnx/onnx-backend.js');
    await writeArtifact(onnxBackend.emit(c.graph, { seed: 1, weights: 'random' }), path.join(work, 'm.onnx'));
    await writeArtifact(emitTfjs(c.graph, { seed: 2, weights: 'random' }), path.join(work, 'tfjs'));
    const v = await verifyOutputs([{ target: 'onnx', path: path.join(work, 'm.onnx') }, { target: 'tfjs', path: path.join(work, 'tfjs') }], [1000], 0);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatch(/onnx and tfjs disagree/);
    const shape = await verifyOutputs([{ target: 'onnx', path: path.join(work, 'm.onnx') }], [10], 0);
    expect(shape.problems).toEqual(['onnx: output shape [1, 1000] does not hold [10] per sample']);
  });

  it.each([
    ['tfjs', ['--batch', '4'], '--batch applies to --target onnx'],
    ['tfjs', ['--opset', '13'], '--opset applies to --target onnx'],
    ['tfjs', ['--keep-bn', '--external-data'], '--keep-bn, --external-data apply to --target onnx'],
    ['onnx', ['--shard-mb', '8'], '--shard-mb applies to --target tfjs'],
    ['onnx', ['--fold-bn'], '--fold-bn applies to --target tfjs'],
    ['onnx', ['--tfjs-format', 'graph'], '--tfjs-format applies to --target tfjs'],
    ['pytorch', ['--dynamic-size'], '--dynamic-size applies to --target onnx or tfjs'],
  ])('a flag for the other target is refused, not ignored (--target %s %j)', async (target, flags, message) => {
    const r = await cli('compile', specPath('mobilenet-v2.effnet'), '--target', target, ...flags, '-o', path.join(tempDir('flags'), 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('--tfjs-format graph writes a graph model that --verify, effnet run and tf.loadGraphModel accept, and the weights importer refuses by name', async () => {
    const work = tempDir('graph-cli');
    dirs.push(work);
    const out = path.join(work, 'b0-graph');
    const r = await cli('compile', specPath('efficientnet-b0.effnet'), '--target', 'tfjs', '--tfjs-format', 'graph', '--input-size', '64', '-o', out, '--verify', '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.outputs[0].format).toBe('tfjs graph-model');
    expect(doc.verify.ok).toBe(true);
    expect(r.err).toMatch(/params after folding BN, 5,288,548 before/);
    expect(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).format).toBe('graph-model');
    await tf.setBackend('cpu');
    const model = await tf.loadGraphModel(fileIOHandler(out));
    expect(model.inputs[0]!.shape).toEqual([-1, 64, 64, 3]);
    model.dispose();

    const run = await cli('run', out, '--runs', '1');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/model: +.*b0-graph \(TF.js graph model\)/);
    expect(run.out).toMatch(/output shape: \[1, 1000\]/);

    const imported = await cli('compile', specPath('efficientnet-b0.effnet'), '--input-size', '64', '--weights', out, '-o', path.join(work, 'x.onnx'));
    expect(imported.code).toBe(2);
    expect(imported.err).toMatch(/graph-model/);
  });

  it('a failure while writing a shard leaves no directory, and no temporary behind', async () => {
    const work = tempDir('atomic');
    dirs.push(work);
    const c = compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 32 } });
    const good = emitTfjs(c.graph, { seed: 1, weights: 'random' });
    const broken = {
      ...good,
      files: good.files.map((f, i) => (i === 3 ? { path: f.path, *chunks() { yield new Uint8Array(8); throw new Error('disk on fire'); } } : f)),
    };
    const out = path.join(work, 'model');
    await expect(writeArtifact(broken, out)).rejects.toThrow('disk on fire');
    expect(readdirSync(work)).toEqual([]);
  });
});
