/**
 * The models the PyTorch tests run: every spec in specs/ and one scaled variant of each (the ONNX tests' own
 * list, at 64x64), and specs that between them use every operator and padding case the backend writes.
 */
import { compile, type Compilation } from '../../../src/pipeline.js';
import { compileSpec } from '../../helpers.js';
import { specCases, tinyV3 } from '../onnx/cases.js';

export interface TorchCase {
  readonly title: string;
  readonly compile: () => Required<Pick<Compilation, 'graph' | 'report'>> & Compilation;
}

function inline(name: string, text: string): TorchCase['compile'] {
  return () => {
    const c = compile(`${name}.effnet`, text);
    const errors = c.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || !c.graph || !c.report) throw new Error(`${name} did not compile: ${errors.map((d) => d.message).join('; ')}`);
    return c as ReturnType<TorchCase['compile']>;
  };
}

/**
 * Every operator, with TF "same" padding on odd and even sizes (asymmetric pads on convs and on a max pool,
 * whose padding must be -inf after a swish that goes negative), an even kernel, grouped and biased convs,
 * `norm off`, fused blocks with and without expansion, projected and identity shortcuts under drop-connect.
 */
export const kitchenSink = (padding: 'same' | 'symmetric', classifier: boolean) => `model kitchen-sink {
  input         68x62x3
  ${classifier ? 'classes       7\n  ' : ''}activation    swish
  norm          batchnorm eps 1e-3 momentum 0.9
  padding       ${padding}
  drop_connect  0.3

  stem {
    conv    channels 16 kernel 3 stride 2 bias on
    maxpool kernel 3 stride 2
    dwconv  kernel 3 act relu6
  }

  stages {
    fused_mbconv  2  16  3  1  expand 1 se 0.25
    fused_mbconv  2  24  3  2  expand 4 se 0.25 se_act relu
    conv          1  32  3  1  groups 4 bias on norm off act sigmoid
    basic         2  32  ${padding === 'same' ? 4 : 3}  2
    bottleneck    2  16  3  2
    avgpool       1  -   2  1  pad valid
    dwsep         1  48  3  1  act hard_swish
    mbconv        1  48  3  1  expand 1 skip off
  }

  head conv channels 64 kernel 1
${classifier ? '  classifier dropout 0.1\n' : ''}}
`;

/** No batch norm anywhere: batch_norm() is the identity and blocks keep their structure. */
const PLAIN = `model plain {
  input       32x32x3
  classes     10
  activation  relu
  norm        none
  padding     symmetric
  stem conv channels 16 kernel 3 stride 2 bias on
  stages {
    dwsep   1  32  3  2
    mbconv  2  32  3  1  expand 4 se 0.25
    basic   1  32  3  1
  }
  head conv channels 64 kernel 1
  classifier dropout 0.1
}
`;

export const torchCases: readonly TorchCase[] = [
  ...specCases.map((c) => ({ title: c.title, compile: () => compileSpec(c.file, c.small) })),
  { title: 'tiny-v3 (asymmetric avg pool, hard-sigmoid SE, dense head)', compile: inline('tiny-v3', tinyV3(48)) },
  { title: 'kitchen sink, same padding', compile: inline('kitchen-sink', kitchenSink('same', true)) },
  { title: 'kitchen sink, symmetric padding, feature-map output', compile: inline('kitchen-sink', kitchenSink('symmetric', false)) },
  { title: 'norm none', compile: inline('plain', PLAIN) },
];
