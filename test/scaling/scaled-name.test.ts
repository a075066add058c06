/**
 * A scaled model is named for what it is (efficientnet-b3), in `scale --emit`, the ONNX graph and the TF.js
 * model, while the ONNX metadata keeps the spec it came from.
 */
import { describe, expect, it } from 'vitest';
import { tfjsBackend } from '../../backends/tfjs/tfjs-backend.js';
import { scaledModelName } from '../../src/ir/scaled-name.js';
import type { CompileOptions } from '../../src/pipeline.js';
import { compile } from '../../src/pipeline.js';
import { decode, emitBytes } from '../backends/onnx/onnx-helpers.js';
import { compileSpec } from '../helpers.js';

describe('scaledModelName', () => {
  it.each([
    // spec                        options                                                  name
    ['efficientnet-b0.effnet',     {},                                                      'efficientnet-b0'],
    ['efficientnet-b0.effnet',     { variant: 'b3' },                                       'efficientnet-b3'],
    ['efficientnet-b0.effnet',     { variant: 'b3', scaling: { inputSize: 224 } },          'efficientnet-b3-224px'],
    ['efficientnet-b0.effnet',     { scaling: { phi: 1.5 } },                               'efficientnet-b0-phi1_5'],
    ['efficientnet-b0.effnet',     { scaling: { phi: -0.25 } },                             'efficientnet-b0-phim0_25'],
    ['efficientnet-b0.effnet',     { scaling: { width: 1.2, depth: 1.4, inputSize: 300 } }, 'efficientnet-b0-w1_2-d1_4-300px'],
    ['resnet.effnet',              { variant: 'resnet101' },                                'resnet101'],
    ['resnet.effnet',              { variant: 'resnet101', scaling: { width: 2 } },         'resnet101-w2'],
    ['mobilenet-v2.effnet',        { variant: 'w035' },                                     'mobilenet-v2-w035'],
    ['mnasnet.effnet',             { variant: 'mnasnet0_5' },                               'mnasnet0_5'],
  ] as const)('%s %j -> %s', (spec, options, name) => {
    expect(scaledModelName(compileSpec(spec, options as CompileOptions).scaled)).toBe(name);
  });

  it('is a name the language reads back', () => {
    const name = scaledModelName(compileSpec('efficientnet-b0.effnet', { scaling: { phi: -0.25 } }).scaled);
    const c = compile('x.effnet', `model ${name} {\n  input 32x32x3\n  stages {\n    conv 1 8 3 1\n  }\n}\n`);
    expect(c.diagnostics).toEqual([]);
    expect(c.spec!.name).toBe(name);
  });
});

describe('the name in compiled models', () => {
  const b3 = compileSpec('efficientnet-b0.effnet', { variant: 'b3', scaling: { inputSize: 64 } });

  it('ONNX: the graph is named for the variant; effnet.spec keeps the spec', () => {
    const model = decode(emitBytes(b3.graph));
    expect(model.graph.name).toBe('efficientnet-b3-64px');
    expect((model as unknown as { docString: string }).docString).toMatch(/^efficientnet-b3-64px, compiled by effnet .* from efficientnet-b0$/);
    expect(model.metadataProps.find((p) => p.key === 'effnet.spec')!.value).toBe('efficientnet-b0');
  });

  it('TF.js: the model is named for the variant', () => {
    const artifact = tfjsBackend.emit(b3.graph, { seed: 0, weights: 'zeros' });
    const json = JSON.parse(new TextDecoder().decode([...artifact.files.find((f) => f.path === 'model.json')!.chunks()][0]!));
    expect(json.modelTopology.config.name).toBe('efficientnet-b3-64px');
  });
});
