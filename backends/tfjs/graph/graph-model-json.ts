/**
 * model.json of a graph model around a converted GraphDef: the nodes, a signature naming the input `input` and
 * the output `logits` (as in the ONNX file), and the weights manifest the caller wrote the shards for.
 */
import { version } from '../../../src/version.js';
import type { WeightsManifestGroup } from '../keras-format.js';
import { shapeJson, type GraphModelJson } from './graph-model-format.js';
import type { GraphDefModel } from './to-graph-def.js';

/** GraphDef.versions.producer as TF 2.x's converter writes it; ops here have had these semantics since TF 1.x. */
const PRODUCER_VERSION = 1395;

export function graphModelJson(def: GraphDefModel, weightsManifest: readonly WeightsManifestGroup[], userDefinedMetadata?: { readonly [key: string]: object }): GraphModelJson {
  return {
    format: 'graph-model',
    generatedBy: `effnet ${version}`,
    convertedBy: null,
    modelTopology: { node: def.nodes, library: {}, versions: { producer: PRODUCER_VERSION } },
    signature: {
      inputs: { input: { name: `${def.input.name}:0`, dtype: 'DT_FLOAT', tensorShape: shapeJson(def.input.shape) } },
      outputs: { logits: { name: `${def.output.name}:0`, dtype: 'DT_FLOAT', tensorShape: shapeJson(def.output.shape) } },
    },
    weightsManifest,
    ...(userDefinedMetadata ? { userDefinedMetadata } : {}),
  };
}
