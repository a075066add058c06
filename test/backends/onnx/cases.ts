/**
 * The models every ONNX test runs over: each spec in specs/ as written, and one scaled variant of it. The
 * specs named below get a hand-picked variant; any other file in specs/ joins automatically with phi = 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { compile, type CompileOptions } from '../../../src/pipeline.js';
import { specPath } from '../../helpers.js';

export interface SpecCase {
  readonly title: string;
  readonly file: string;
  /** Full-size options (structure checks). */
  readonly options: CompileOptions;
  /** The same model at 64x64 (runtime checks; variants with their own scaling are spelled out explicitly). */
  readonly small: CompileOptions;
}

const named: readonly SpecCase[] = [
  { title: 'EfficientNet-B0', file: 'efficientnet-b0.effnet', options: {}, small: { scaling: { inputSize: 64 } } },
  { title: 'EfficientNet-B1', file: 'efficientnet-b0.effnet', options: { variant: 'b1' }, small: { scaling: { width: 1.0, depth: 1.1, inputSize: 64 } } },
  { title: 'MobileNetV1', file: 'mobilenet-v1.effnet', options: {}, small: { scaling: { inputSize: 64 } } },
  { title: 'MobileNetV1 phi=1', file: 'mobilenet-v1.effnet', options: { scaling: { phi: 1 } }, small: { scaling: { width: 1.1, depth: 1.2, inputSize: 64 } } },
  { title: 'MobileNetV2', file: 'mobilenet-v2.effnet', options: {}, small: { scaling: { inputSize: 64 } } },
  { title: 'MobileNetV2 1.4', file: 'mobilenet-v2.effnet', options: { variant: 'w140' }, small: { scaling: { width: 1.4, inputSize: 64 } } },
  { title: 'ResNet-50', file: 'resnet.effnet', options: {}, small: { scaling: { inputSize: 64 } } },
  { title: 'ResNet-18', file: 'resnet.effnet', options: { variant: 'resnet18' }, small: { variant: 'resnet18', scaling: { inputSize: 64 } } },
];

export const specFiles = readdirSync(specPath('')).filter((f) => f.endsWith('.effnet')).sort();

/** Specs not named above: as written, and phi = 1 (at 64x64: the same depth and width multipliers, explicitly). */
function automatic(file: string): SpecCase[] {
  const scaling = compile(file, readFileSync(specPath(file))).spec?.scaling;
  const alpha = scaling?.alpha ?? 1.2;
  const beta = scaling?.beta ?? 1.1;
  return [
    { title: file, file, options: {}, small: { scaling: { inputSize: 64 } } },
    { title: `${file} phi=1`, file, options: { scaling: { phi: 1 } }, small: { scaling: { width: beta, depth: alpha, inputSize: 64 } } },
  ];
}

export const specCases: readonly SpecCase[] = [
  ...named,
  ...specFiles.filter((f) => !named.some((c) => c.file === f)).flatMap(automatic),
];

/** A MobileNetV3-like spec: hard_swish, SE with a hard_sigmoid gate, an average pool, TF-SAME padding, a dense head. */
export const tinyV3 = (size = 48): string => `model tiny-v3 {
  input      ${size}x${size}x3
  classes    10
  activation hard_swish
  norm       batchnorm eps 1e-3 momentum 0.99
  padding    same
  stem {
    conv    channels 16 kernel 3 stride 2
    avgpool kernel 3 stride 2
  }
  stages {
    mbconv 1 16 3 1 expand 1 se 0.25 se_gate hard_sigmoid
    mbconv 2 24 5 2 expand 4 se 0.25 se_gate hard_sigmoid
  }
  head {
    conv  channels 64 kernel 1
    gap
    dense channels 32 act hard_swish
  }
  classifier dropout 0.2
}
`;
