/**
 * Every spec, as written and scaled, at full resolution, passes Debian's python3-onnx
 * `onnx.checker.check_model(full_check=True)` (which includes strict shape inference), at the default opset
 * and at the oldest supported one, folded and with --keep-bn. All files are checked in one python process.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_OPSET } from '../../../backends/onnx/opset.js';
import { compileSpec } from '../../helpers.js';
import { compile } from '../../../src/pipeline.js';
import { specCases, tinyV3 } from './cases.js';
import { checkModels, emitToFile, pythonOnnxAvailable, tempDir } from './onnx-helpers.js';

const dir = tempDir('checker');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CheckCase {
  readonly title: string;
  readonly file: string;
  readonly build: () => Promise<string>;
}

const cases: CheckCase[] = [
  ...specCases.map((c, i) => ({
    title: `${c.title} (opset 17, folded)`,
    file: `${i}.onnx`,
    build: () => emitToFile(compileSpec(c.file, c.options).graph, dir, `${i}.onnx`),
  })),
  { title: `EfficientNet-B0 (opset ${MIN_OPSET}, --keep-bn, --batch 4)`, file: 'b0-13.onnx', build: () => emitToFile(compileSpec('efficientnet-b0.effnet').graph, dir, 'b0-13.onnx', { opset: MIN_OPSET, keepBn: true, batch: 4 }) },
  { title: 'ResNet-18 (--keep-bn, --weights zeros)', file: 'r18-bn.onnx', build: () => emitToFile(compileSpec('resnet.effnet', { variant: 'resnet18' }).graph, dir, 'r18-bn.onnx', { keepBn: true, weights: 'zeros' }) },
  ...[MIN_OPSET, 17].map((opset) => ({
    title: `tiny MobileNetV3-like: HardSwish, HardSigmoid, AveragePool (opset ${opset})`,
    file: `tiny-${opset}.onnx`,
    build: () => emitToFile(compile('tiny-v3.effnet', tinyV3()).graph!, dir, `tiny-${opset}.onnx`, { opset }),
  })),
  { title: 'MobileNetV2 (--external-data)', file: 'mnv2-ext.onnx', build: () => emitToFile(compileSpec('mobilenet-v2.effnet').graph, dir, 'mnv2-ext.onnx', { externalData: true }) },
];

let results: Record<string, string> = {};

// Said on stderr when the oracle is missing locally; CI (.ci/run) installs it, and fails without it.
if (!pythonOnnxAvailable && !process.env.CI) console.warn('onnx.checker tests not run: python3-onnx is not installed (apt-get install python3-onnx)');

describe.runIf(pythonOnnxAvailable || process.env.CI)('onnx.checker.check_model(full_check=True)', () => {
  beforeAll(async () => {
    const paths = [];
    for (const c of cases) paths.push(await c.build());
    results = checkModels(paths);
  }, 600_000);

  it.each(cases)('$title passes', ({ file }) => {
    expect(results[path.join(dir, file)]).toBe('');
  });

  it('rejects a broken model (the checker is really running)', async () => {
    const bad = path.join(dir, 'bad.onnx');
    const { writeFileSync } = await import('node:fs');
    const { onnx } = await import('./onnx-helpers.js');
    writeFileSync(bad, onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ version: 17 }], graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }] } }).finish());
    expect(checkModels([bad])[bad]).toMatch(/x|input/i);
  });
});
