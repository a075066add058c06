/** Compound scaling by phi, its checks, and the refusals that come before any work. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile, MAX_LAYERS } from '../../src/pipeline.js';
import { estimateSize } from '../../src/passes/estimate-size.js';
import { compileSpec, specPath } from '../helpers.js';

const b0 = readFileSync(specPath('efficientnet-b0.effnet'));
const codes = (c: { diagnostics: readonly { code: string }[] }) => c.diagnostics.map((d) => d.code);

describe('phi = 1 by the formula (architectures.md section 2.3)', () => {
  const c = compileSpec('efficientnet-b0.effnet', { scaling: { phi: 1 } });
  it('gives depth 1.2, width 1.1, resolution 1.15', () => {
    expect(c.scaled.applied).toMatchObject({ phi: 1, depth: 1.2, width: 1.1, resolution: 1.15 });
  });
  it('stem 32, stage widths 16 24 48 88 120 208 352, head 1408, input 258', () => {
    expect(c.scaled.stem[0]!.channels).toBe(32);
    expect(c.scaled.stages.map((s) => s.channels)).toEqual([16, 24, 48, 88, 120, 208, 352]);
    expect(c.scaled.head[0]!.channels).toBe(1408);
    expect(c.scaled.input.height).toBe(258);
  });
  it('repeats 2 3 3 4 4 5 2', () => expect(c.scaled.stages.map((s) => s.repeats)).toEqual([2, 3, 3, 4, 4, 5, 2]));
});

describe('MACs grow about (alpha beta^2 gamma^2)^phi', () => {
  it.each([1, 2, 3, 4, 5, 6, 7])('phi %i: within 35 %% of the rule', (phi) => {
    const base = compileSpec('efficientnet-b0.effnet').report.total.macs;
    const macs = compileSpec('efficientnet-b0.effnet', { scaling: { phi } }).report.total.macs;
    const ideal = (1.2 * 1.1 ** 2 * 1.15 ** 2) ** phi;
    expect(macs / base / ideal).toBeGreaterThan(0.95);
    expect(macs / base / ideal).toBeLessThan(1.35); // rounding up of repeats and channels only adds
  });
});

describe('checks', () => {
  it('alpha, beta or gamma below 1 is an error', () => {
    const c = compile('b0', b0, { scaling: { phi: 2, alpha: 0.9, beta: 1.1, gamma: 1.15 } });
    expect(codes(c)).toEqual(['E0501']);
    expect(c.report).toBeUndefined();
  });
  it('a product far from 2 is a warning, and the model still compiles', () => {
    const c = compile('b0', b0, { scaling: { phi: 1, alpha: 2, beta: 1.5, gamma: 1.5 } });
    expect(codes(c)).toEqual(['W0502']);
    expect(c.report).toBeDefined();
  });
  it('a model over the parameter ceiling is refused', () => {
    const c = compile('b0', b0, { scaling: { phi: 3 }, maxParams: 10e6 });
    expect(codes(c)).toEqual(['E0503']);
    expect(c.report).toBeUndefined();
  });
  it('a model far over the ceiling is refused from its estimate, without unrolling its blocks', () => {
    const c = compile('b0', b0, { scaling: { depth: 100_000 } }); // unrolled, this runs out of memory
    expect(codes(c)).toEqual(['E0503']);
    expect(c.diagnostics[0]!.message).toContain('493,443,954,112 parameters');
    expect(c.graph).toBeUndefined(); // nothing was built
  });
  it('a deep model whose tensors are too big is refused from its cut-down copy, without unrolling', () => {
    const c = compile('b0', b0, { scaling: { phi: 100 } }); // unrolled, this runs out of memory
    expect(codes(c)).toEqual(['E0405']);
    expect(c.graph).toBeUndefined();
    const huge = 'model huge {\n input 60000x60000x3\n classes 10\n stem conv channels 8 kernel 3\n stages {\n  mbconv 90000 8 3 1 expand 1\n }\n}\n';
    expect(codes(compile('huge.effnet', huge))).toEqual(['E0405']);
  });
  it('a model under the ceiling but with more layers than the limit is refused too', () => {
    const deep = 'model deep {\n input 32x32x3\n classes 10\n stem conv channels 8 kernel 3\n stages {\n  conv 90000 8 3 1\n  conv 90000 8 3 1\n }\n}\n';
    const c = compile('deep.effnet', deep);
    expect(codes(c)).toEqual(['E0506']);
    expect(c.diagnostics[0]!.message).toContain(`over the limit of ${MAX_LAYERS.toLocaleString('en-US')}`);
  });
  it('a tensor of more than 2^31 elements is refused before any work', () => {
    const c = compile('b0', b0, { scaling: { resolution: 50 } });
    expect(codes(c)).toContain('E0405');
    expect(c.report).toBeUndefined();
  });
  it('a variant with its own scaling cannot be combined with scaling flags', () => {
    const c = compile('b0', b0, { variant: 'b3', scaling: { phi: 1 } });
    expect(codes(c)).toEqual(['E0505']);
  });
  it('a structural variant combines with scaling flags (ResNet-101 at double width)', () => {
    const c = compileSpec('resnet.effnet', { variant: 'resnet101', scaling: { width: 2 } });
    expect(c.scaled.stages.map((s) => [s.op, s.repeats, s.channels])).toEqual([['bottleneck', 3, 128], ['bottleneck', 4, 256], ['bottleneck', 23, 512], ['bottleneck', 3, 1024]]);
  });
  it('layers marked fixed or grow keep their width (MobileNetV2 head at width 0.5 and 1.4)', () => {
    expect(compileSpec('mobilenet-v2.effnet', { variant: 'w050' }).scaled.head[0]!.channels).toBe(1280);
    expect(compileSpec('mobilenet-v2.effnet', { variant: 'w140' }).scaled.head[0]!.channels).toBe(1792);
  });
});

// The estimate behind those refusals is exact: a stage's blocks after the first repeat one shape.
describe('size estimate before unrolling equals the built model', () => {
  it.each([
    ['efficientnet-b0.effnet', {}],
    ['efficientnet-b0.effnet', { variant: 'b7' }],
    ['efficientnet-b0.effnet', { scaling: { depth: 7.3, width: 1.3 } }],
    ['mobilenet-v1.effnet', {}],
    ['mobilenet-v2.effnet', { scaling: { depth: 4 } }],
    ['mobilenet-v3-large.effnet', {}],
    ['mnasnet.effnet', {}],
    ['resnet.effnet', { variant: 'resnet152' }],
    ['resnet.effnet', { variant: 'resnet18', scaling: { depth: 3 } }],
  ] as const)('%s %j', (name, options) => {
    const c = compileSpec(name, options);
    expect(estimateSize(c.scaled)).toEqual({ params: c.report.total.params, layers: c.report.layers.length });
  });
});
