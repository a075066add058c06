/**
 * Loads an effnet TF.js directory of either format, as its model.json says: a LayersModel
 * (`tf.loadLayersModel`) or a graph model (`tf.loadGraphModel`), and answers the questions a caller has of
 * both the same way: the input shape per sample (null where the model takes any size), the size it was
 * compiled at when it takes any (`effnet.input`), and one predict.
 */
import type * as TfModule from '@tensorflow/tfjs';
import { loadArtifacts } from './file-io-handler.js';

/** Where a model that takes any size records the size its spec declares (tfjs-backend.ts writes it). */
const INPUT_METADATA_KEY = 'effnet.input';

export interface LoadedTfjsModel {
  readonly format: 'layers-model' | 'graph-model';
  /** [height, width, channels]; null for a dimension the model does not fix. */
  readonly inputShape: readonly [number | null, number | null, number | null];
  /** The spec's size, recorded by a model compiled with --dynamic-size. */
  readonly declaredInput?: readonly [number, number, number];
  predict(x: TfModule.Tensor): TfModule.Tensor;
  dispose(): void;
}

const dimension = (d: number | null | undefined): number | null => (d == null || d < 0 ? null : d);

function declaredInput(metadata: unknown): [number, number, number] | undefined {
  const d = (metadata as Record<string, unknown> | undefined)?.[INPUT_METADATA_KEY] as { height?: unknown; width?: unknown; channels?: unknown } | undefined;
  if (!d) return undefined;
  const dims = [d.height, d.width, d.channels];
  return dims.every((v) => Number.isInteger(v) && (v as number) > 0) ? (dims as [number, number, number]) : undefined;
}

/** A TF.js directory, or the model's artifacts already in memory (--verify's float32 twin, never written). */
export async function loadTfjsModel(tf: typeof TfModule, source: string | TfModule.io.ModelArtifacts): Promise<LoadedTfjsModel> {
  const artifacts = typeof source === 'string' ? loadArtifacts(source) : source;
  const handler = { load: async () => artifacts };
  const declared = declaredInput(artifacts.userDefinedMetadata);
  if (artifacts.format === 'graph-model') {
    const model = await tf.loadGraphModel(handler);
    const s = model.inputs[0]?.shape ?? [];
    return {
      format: 'graph-model',
      inputShape: [dimension(s[1]), dimension(s[2]), dimension(s[3])],
      ...(declared ? { declaredInput: declared } : {}),
      predict: (x) => model.predict(x) as TfModule.Tensor,
      dispose: () => model.dispose(),
    };
  }
  const model = await tf.loadLayersModel(handler);
  const s = model.inputs[0]!.shape;
  return {
    format: 'layers-model',
    inputShape: [dimension(s[1]), dimension(s[2]), dimension(s[3])],
    ...(declared ? { declaredInput: declared } : {}),
    predict: (x) => model.predict(x) as TfModule.Tensor,
    dispose: () => model.dispose(),
  };
}
