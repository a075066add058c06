/**
 * A structure-only model (`effnet compile --init zeros`): every layer and every weight tensor's name, shape and
 * type, and no weight bytes. It is for looking at (Netron, `effnet report`-style tools, diffing two versions'
 * names), not for running, so it costs kilobytes instead of a file of zeros the size of the real model.
 *
 * - ONNX: every initializer is external data at ABSENT_DATA_LOCATION, a file that is never written, so a
 *   runtime that tries to load it fails on a name that says why.
 * - TF.js: model.json lists the weights in its manifest with no shard files (`paths: []`).
 * - PyTorch: model.py and load.py without model.safetensors; the module builds with PyTorch's own init.
 *
 * Each records WEIGHTS_METADATA_KEY = STRUCTURE_ONLY (ONNX metadata_props, model.json userDefinedMetadata),
 * which `effnet run` and `compile --verify` read to refuse the model before any runtime sees it.
 */
export const WEIGHTS_METADATA_KEY = 'effnet.weights';

/** The value of WEIGHTS_METADATA_KEY in a structure-only model. */
export const STRUCTURE_ONLY = 'none: structure only (--init zeros)';

/** Where a structure-only ONNX file says its tensors are: a name, not a file. */
export const ABSENT_DATA_LOCATION = 'structure-only.weights-not-included';
