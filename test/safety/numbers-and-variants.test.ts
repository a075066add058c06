/**
 * Numbers past what any network uses are refused where they are written, naming the field (a stride of 1e20
 * used to become ONNX stride 7766279631452241920); no message ever says "Infinity" or "undefined". A
 * variant's `operator` is checked against every row it replaces, and every shipped variant, written out by
 * `scale --emit`, compiles back to the same network.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printSpec } from '../../src/ir/print-spec.js';
import { compile } from '../../src/pipeline.js';
import { cli } from '../cli/run-cli.js';
import { repoRoot, specPath } from '../helpers.js';

const base = (edit: (t: string) => string) => edit(`model m {
  input 64x64x3
  classes 10
  stem conv channels 16 kernel 3 stride 2
  stages {
    mbconv 2 24 3 2 expand 6 se 0.25
    conv 1 32 3 1 groups 2
  }
  head conv channels 64 kernel 1
  classifier dropout 0.2
  scaling {
    divisor 8
  }
  variants {
    big width 2 depth 2 resolution 96
  }
}
`);

const codes = (text: string) => compile('m.effnet', text).diagnostics.map((d) => `${d.code} ${d.message}`);

describe('numbers too large for any network are refused where they are written', () => {
  it.each([
    ['a stage stride', (t: string) => t.replace('mbconv 2 24 3 2', 'mbconv 2 24 3 1e20'), /stride 1e20 is too large: the most it may be is 1,024/],
    ['a stage stride of 1e308', (t: string) => t.replace('mbconv 2 24 3 2', 'mbconv 2 24 3 1e308'), /stride 1e308 is too large/],
    ['a stride past the doubles (1e400)', (t: string) => t.replace('mbconv 2 24 3 2', 'mbconv 2 24 3 1e400'), /stride 1e400 is too large/],
    ['a kernel', (t: string) => t.replace('mbconv 2 24 3 2', 'mbconv 2 24 4294967297 2'), /kernel 4294967297 is too large: the most it may be is 1,024/],
    ['repeats', (t: string) => t.replace('mbconv 2 24', 'mbconv 3000000000 24'), /repeats 3000000000 is too large: the most it may be is 100,000/],
    ['channels', (t: string) => t.replace('mbconv 2 24', 'mbconv 2 99999999999'), /channels 99999999999 is too large: the most it may be is 1,048,576/],
    ['a stem kernel', (t: string) => t.replace('kernel 3 stride 2', 'kernel 1e9 stride 2'), /kernel 1e9 is too large/],
    ['groups', (t: string) => t.replace('groups 2', 'groups 1e12'), /groups 1e12 is too large/],
    ['expand', (t: string) => t.replace('expand 6', 'expand 1e300'), /expand must be between 1 and 1024, got 1e300/],
    ['the input size', (t: string) => t.replace('input 64x64x3', 'input 64x9999999999x3'), /input width 9999999999 is too large: the most it may be is 65,536/],
    ['the input channels', (t: string) => t.replace('input 64x64x3', 'input 64x64x99999999'), /input channels 99999999 is too large: the most it may be is 1,048,576/],
    ['classes', (t: string) => t.replace('classes 10', 'classes 1e30'), /classes 1e30 is too large/],
    ['a variant width', (t: string) => t.replace('width 2 depth 2', 'width 1e308 depth 2'), /width 1e308 is too large: the most it may be is 1,000/],
    ['a variant resolution', (t: string) => t.replace('resolution 96', 'resolution 1e15'), /resolution 1e15 is too large/],
    ['the scaling divisor', (t: string) => t.replace('divisor 8', 'divisor 1e40'), /divisor 1e40 is too large/],
  ])('%s', (_what, edit, message) => {
    const found = codes(base(edit));
    expect(found.join('\n')).toMatch(message);
    expect(found.join('\n')).not.toMatch(/Infinity|∞|undefined|NaN/);
  });

  it.each([
    ['--phi', '1e308', /--phi 1e308 is too large: the most it may be is 20/],
    ['--width', '1e308', /--width 1e308 is too large/],
    ['--resolution', 'Infinity', /--resolution Infinity is too large/],
    ['--input-size', '4294967297', /--input-size 4294967297 is too large: the most it may be is 65,536/],
    ['--alpha', '1e300', /--alpha 1e300 is too large/],
  ])('the flag %s %s', async (flag, value, message) => {
    const args = flag === '--alpha' ? [flag, value, '--phi', '1'] : [flag, value];
    const r = await cli('check', specPath('efficientnet-b0.effnet'), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("a variant's operator is checked against every row it replaces", () => {
  const withVariant = (rows: string, variant: string) => `model v {\n  input 64x64x3\n  classes 10\n  stem conv channels 16 kernel 3 stride 2\n  stages {\n${rows}\n  }\n  classifier dropout 0\n  variants {\n    ${variant}\n  }\n}\n`;
  it.each([
    ['an option the new operator does not take', '    mbconv 1 16 3 1 expand 6 se 0.25', 'x operator basic', ["E0321 variant 'x' makes stage 1 a basic, which takes no option 'expand'", "E0321 variant 'x' makes stage 1 a basic, which takes no option 'se'"]],
    ['a field the new operator needs', '    gap 1 - - -', 'x operator conv', ["E0321 variant 'x' makes stage 1 a conv, which needs a channels, and the row gives none", "E0321 variant 'x' makes stage 1 a conv, which needs a kernel, and the row gives none"]],
    ['a field the new operator does not use', '    conv 1 16 3 1', 'x operator dwconv', ["E0321 variant 'x' makes stage 1 a dwconv, which takes no channels, and the row gives one"]],
  ])('%s', (_what, rows, variant, expected) => {
    const c = compile('v.effnet', withVariant(rows, variant), { variant: 'x' });
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(expected);
    expect(c.diagnostics[0]!.property).toBe('operator');
  });

  it("a row without a kernel takes the new operator's default (basic: 3), not 1", () => {
    const text = withVariant('    bottleneck 1 16 - 1', 'x operator basic');
    const c = compile('v.effnet', text, { variant: 'x' });
    expect(c.diagnostics).toEqual([]);
    const conv = c.graph!.nodes.find((n) => n.name === 'block1a_1_conv')!;
    expect(conv.op.kind === 'conv' && conv.op.kernel).toBe(3);
  });
});

/** A graph as comparable data: names, ops and shapes, without source positions. */
const structure = (text: string, name: string, variant?: string) => {
  const c = compile(name, text, variant ? { variant } : {});
  expect(c.diagnostics.filter((d) => d.severity === 'error'), name).toEqual([]);
  return { nodes: c.graph!.nodes.map((n) => ({ name: n.name, op: n.op, shape: n.shape, inputs: n.inputs })), params: c.report!.total.params, macs: c.report!.total.macs, scaled: c.scaled! };
};

const shipped = readdirSync(path.join(repoRoot, 'specs')).filter((f) => f.endsWith('.effnet'));
const members = shipped.flatMap((file) => {
  const text = readFileSync(path.join(repoRoot, 'specs', file), 'utf8');
  const c = compile(file, text);
  return [[file, undefined] as const, ...c.spec!.variants.map((v) => [file, v.name] as const)];
});

describe('every shipped member, written out as a spec, compiles back to the same network', () => {
  it.each(members)('%s %s', (file, variant) => {
    const text = readFileSync(path.join(repoRoot, 'specs', file), 'utf8');
    const a = structure(text, file, variant);
    const emitted = printSpec(a.scaled);
    const b = structure(emitted, `${file}.emitted`);
    expect(b.params).toBe(a.params);
    expect(b.macs).toBe(a.macs);
    expect(b.nodes).toEqual(a.nodes);
  });
});
