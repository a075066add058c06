/**
 * --dynamic-size: an ONNX file with symbolic H and W, and TF.js models (both formats) whose input is
 * [null, null, null, C], compiled once at the spec's size and run at two others, each against a fixed-size
 * compile of that size (same seed: weights do not depend on the size). An even and an odd size, since TF
 * 'same' pads (0, 1) at stride 2 on even sizes and (1, 1) on odd ones.
 *
 * What is emitted: a TF 'same' window whose pads depend on the size (stride > 1, kernel > 1) pads at run time,
 * ONNX auto_pad SAME_UPPER, Keras and GraphDef 'same'; every other window (symmetric, valid, stride 1, 1x1)
 * pads the same at every size and keeps its explicit pads. The report, the metadata and --verify stay at the
 * spec's size.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../backends/agreement.js';
import { onnxBackend } from '../../backends/onnx/onnx-backend.js';
import { selectBackend } from '../../backends/tfjs/runtime/select-backend.js';
import { emitTfjs } from '../../backends/tfjs/tfjs-backend.js';
import type { Graph } from '../../src/ir/graph.js';
import { writeArtifact } from '../../src/cli/output/write-artifact.js';
import { compile, type CompileOptions } from '../../src/pipeline.js';
import { cli } from '../cli/run-cli.js';
import { compileSpec } from '../helpers.js';
import { tinyV3 } from './onnx/cases.js';
import { artifactBytes, checkModels, decode, pythonOnnxAvailable } from './onnx/onnx-helpers.js';
import { onnxOutput, randomInput, tempDir, tfjsOutput } from './tfjs/tfjs-helpers.js';

const work = tempDir('dynamic');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('wasm');
});

/** A spec compiled at `size` (a text spec by its source, a shipped one by file name). */
type Source = { readonly file: string; readonly options?: CompileOptions } | { readonly text: (size: number) => string };

function graphAt(source: Source, size: number): Graph {
  if ('text' in source) return compile('spec.effnet', source.text(size)).graph!;
  return compileSpec(source.file, { ...source.options, scaling: { inputSize: size } }).graph;
}

const strided = (k: number, s: number) => (size: number) => `model strided {\n  input ${size}x${size}x3\n  padding same\n  stem conv channels 8 kernel ${k} stride ${s}\n  stages {\n    conv 1 6 3 2\n  }\n}\n`;

/** [title, spec, declared size, the two sizes it runs at, which formats can take any size]. */
const cases: [string, Source, number, [number, number], readonly ('onnx' | 'layers' | 'graph')[]][] = [
  ["EfficientNet-B0 (padding same)", { file: 'efficientnet-b0.effnet' }, 64, [72, 57], ['onnx', 'layers', 'graph']],
  ['MobileNetV2 (padding symmetric)', { file: 'mobilenet-v2.effnet' }, 64, [96, 81], ['onnx', 'layers', 'graph']],
  ['ResNet-18 (symmetric, a max pool after ReLU)', { file: 'resnet.effnet', options: { variant: 'resnet18' } }, 64, [80, 71], ['onnx', 'layers', 'graph']],
  ['MobileNetV3-like (same, an avg pool, hard_swish)', { text: tinyV3 }, 48, [64, 53], ['onnx', 'layers', 'graph']],
  // kernel 2 < stride 3: tfjs-backend-wasm's 'same' conv gives zeros at sizes divisible by 3; ONNX only.
  ['kernel 2 stride 3 (ONNX only)', { text: strided(2, 3) }, 30, [36, 31], ['onnx']],
];

describe('a model compiled once takes other sizes and computes what a compile at that size computes', () => {
  it.each(cases.map(([title, ...rest]) => [`${title}: compiled at ${rest[1]}, run at ${rest[2].join(' and ')}`, ...rest] as const))('%s', async (title, source, declared, sizes, formats) => {
    const seed = 21;
    const options = { seed, weights: 'random' as const, randomBatchNorm: true, dynamicSize: true };
    const base = graphAt(source, declared);
    const tag = title.replace(/\W+/g, '-');
    const dynamicOnnx = path.join(work, `${tag}.onnx`);
    const layersDir = path.join(work, `${tag}-layers`);
    const graphDir = path.join(work, `${tag}-graph`);
    await writeArtifact(onnxBackend.emit(base, options), dynamicOnnx);
    if (formats.includes('layers')) await writeArtifact(emitTfjs(base, options), layersDir);
    if (formats.includes('graph')) await writeArtifact(emitTfjs(base, { ...options, tfjsFormat: 'graph' }), graphDir);
    for (const size of sizes) {
      const fixed = graphAt(source, size);
      const fixedOnnx = path.join(work, `${tag}-${size}.onnx`);
      await writeArtifact(onnxBackend.emit(fixed, { seed, weights: 'random', randomBatchNorm: true }), fixedOnnx);
      const shape = fixed.nodes[0]!.shape;
      const input = randomInput(shape, size);
      const reference = await onnxOutput(fixedOnnx, input, shape);
      expect(Math.max(...Array.from(reference, Math.abs)), 'outputs of order 1').toBeGreaterThan(1e-2);
      const outputs: [string, Float32Array][] = [['onnx', await onnxOutput(dynamicOnnx, input, shape)]];
      if (formats.includes('layers')) outputs.push(['tfjs layers', await tfjsOutput(layersDir, input, shape)]);
      if (formats.includes('graph')) outputs.push(['tfjs graph', await tfjsOutput(graphDir, input, shape)]);
      for (const [name, got] of outputs) {
        const a = compareOutputs(got, reference, 'cpu');
        expect(a.ok, `${name} at ${size}: ${a.summary}`).toBe(true);
      }
    }
  });
});

const decodeText = (s: string) => Buffer.from(s, 'base64').toString('utf8');

describe('what --dynamic-size emits', () => {
  const b0 = compileSpec('efficientnet-b0.effnet').graph;
  const v2 = compileSpec('mobilenet-v2.effnet').graph;
  const onnxOf = (g: Graph) => decode(artifactBytes(onnxBackend.emit(g, { seed: 0, weights: 'zeros', dynamicSize: true })));
  const modelJson = (g: Graph, tfjsFormat: 'layers' | 'graph') => JSON.parse(new TextDecoder().decode([...emitTfjs(g, { seed: 0, weights: 'zeros', dynamicSize: true, tfjsFormat }).files[0]!.chunks()][0]));
  /** Conv nodes of an ONNX model by how they pad: auto_pad SAME_UPPER or explicit pads. */
  const convPadding = (m: ReturnType<typeof onnxOf>) => {
    const convs = m.graph.node.filter((n) => n.opType === 'Conv') as unknown as { attribute: { name: string; s?: Uint8Array; ints?: unknown[] }[] }[];
    return {
      same: convs.filter((n) => n.attribute.some((a) => a.name === 'auto_pad' && new TextDecoder().decode(a.s) === 'SAME_UPPER')).length,
      explicit: convs.filter((n) => n.attribute.some((a) => a.name === 'pads')).length,
    };
  };

  it("ONNX: input [N, 3, H, W]; B0's strided convs (stem and the 4 downsampling depthwise) pad SAME_UPPER, the rest explicitly; MobileNetV2 (symmetric) never needs to", () => {
    const m = onnxOf(b0);
    expect(m.graph.input[0]!.type.tensorType.shape.dim.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 3, 'H', 'W']);
    expect(convPadding(m)).toEqual({ same: 5, explicit: 81 - 5 });
    expect(convPadding(onnxOf(v2)).same).toBe(0);
    // value_info keeps no spatial sizes that would hold only at 224.
    expect(m.graph.valueInfo.filter((v) => v.type.tensorType.shape.dim.length === 4)).toEqual([]);
  });

  it("the report stays at the spec's size: ONNX metadata and the TF.js models record 224 x 224", () => {
    const report = compileSpec('efficientnet-b0.effnet').report;
    const meta = Object.fromEntries(onnxOf(b0).metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta['effnet.scaling']!).input).toEqual([224, 224]);
    expect(Number(meta['effnet.macs'])).toBe(report.total.macs);
    expect(meta['effnet.dynamic_size']).toMatch(/symbolic/);
    for (const format of ['layers', 'graph'] as const) expect(modelJson(b0, format).userDefinedMetadata['effnet.input']).toEqual({ height: 224, width: 224, channels: 3 });
  });

  it("TF.js layers: input [null, null, null, 3], strided convs 'same', no ZeroPadding2D; graph: SAME and Mean instead of AvgPool", () => {
    const layers = modelJson(b0, 'layers').modelTopology.config.layers as { class_name: string; config: { batch_input_shape?: unknown; strides?: number[]; padding?: string } }[];
    expect(layers[0]!.config.batch_input_shape).toEqual([null, null, null, 3]);
    expect(layers.filter((l) => l.config.strides?.[0] === 2).map((l) => l.config.padding)).toEqual(Array(5).fill('same'));
    expect(layers.map((l) => l.class_name)).not.toContain('ZeroPadding2D');
    const nodes = modelJson(b0, 'graph').modelTopology.node as { op: string; attr?: { padding?: { s: string } } }[];
    expect(nodes.filter((n) => n.attr?.padding && decodeText(n.attr.padding.s) === 'SAME')).toHaveLength(5);
    expect(nodes.filter((n) => n.op === 'Mean')).toHaveLength(17);
    expect(nodes.filter((n) => n.op === 'AvgPool')).toHaveLength(0);
  });

  it.skipIf(!pythonOnnxAvailable)('the dynamic ONNX files pass onnx.checker with full_check', async () => {
    const files = [];
    for (const [name, g] of [['b0', b0], ['v2', v2]] as const) {
      const file = path.join(work, `checked-${name}.onnx`);
      await writeArtifact(onnxBackend.emit(g, { seed: 0, weights: 'zeros', dynamicSize: true }), file);
      files.push(file);
    }
    expect(Object.values(checkModels(files))).toEqual(['', '']);
  });
});

describe('--dynamic-size on the command line', () => {
  it('TF.js refuses a same-padded kernel smaller than its stride (wasm computes zeros there), at its line; ONNX writes it', async () => {
    const spec = path.join(work, 'k2s3.effnet');
    writeFileSync(spec, strided(2, 3)(30));
    for (const format of ['layers', 'graph']) {
      const r = await cli('compile', spec, '--target', 'tfjs', '--tfjs-format', format, '--dynamic-size', '-o', path.join(work, `k2s3-${format}`));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/k2s3\.effnet:4:\d+: error\[E0601\]: the tfjs backend cannot express stem_conv: with --dynamic-size .* kernel of 2 pads nothing/);
    }
    const ok = await cli('compile', spec, '--dynamic-size', '-o', path.join(work, 'k2s3.onnx'));
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('is refused for PyTorch alone; with --target all, --verify runs every target at the spec size', async () => {
    const spec = 'specs/mobilenet-v2.effnet';
    const refused = await cli('compile', spec, '--target', 'pytorch', '--dynamic-size', '-o', path.join(work, 'pt'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--dynamic-size applies to --target onnx or tfjs \(or all\), not pytorch/);
    const out = path.join(work, 'all');
    const r = await cli('compile', spec, '--target', 'all', '--dynamic-size', '--input-size', '64', '--tfjs-format', 'graph', '-o', out, '--verify');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: --dynamic-size applies to the ONNX file and the TF.js model/);
    expect(r.stderr).toMatch(/outputs of onnx and tfjs differ by .* \(tolerance 0.0001\)/);
  });

  it('effnet run feeds a dynamic model the size it was compiled at, and says so', async () => {
    const file = path.join(work, 'run.onnx');
    const compiled = await cli('compile', 'specs/mobilenet-v2.effnet', '--input-size', '64', '--dynamic-size', '-o', file);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.stderr).toMatch(/opset 17; any input size, costed at 64x64\)/);
    const r = await cli('run', file, '--runs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.dynamicSize).toBe(true);
    expect(doc.format).toBe('onnx');
    const text = await cli('run', file, '--runs', '1');
    expect(text.stdout).toMatch(/input: +\[1, 3, 64, 64\] NCHW.*\(the model takes any size; fed the size it was compiled at\)/);
  });
});
