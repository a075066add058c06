/**
 * The effnet library API: the compiler's stages, the reports and the backends, without the CLI's I/O.
 *
 *   import { compile, formatReport, onnxBackend } from 'effnet';
 *   const c = compile('b0.effnet', text, { variant: 'b3' });
 *   if (c.report) console.log(formatReport({ file: 'b0.effnet', spec: c.scaled!, graph: c.graph!, report: c.report }, { format: 'table' }));
 *   const artifact = onnxBackend.emit(c.graph!, { seed: 0, weights: 'random' }); // bytes: artifact.files[0].chunks()
 */
export { compile, instantiate, DEFAULT_MAX_PARAMS, type Compilation, type CompileOptions } from './pipeline.js';
export { decodeSource } from './source/decode.js';
export { makeSourceFile, lineColOf, type SourceFile } from './source/source-file.js';
export type { Span } from './source/span.js';
export { parse, type Parsed } from './syntax/parse.js';
export type * from './syntax/ast.js';
export { lower as check } from './ir/lower.js';
export type * from './ir/spec.js';
export type * from './ir/graph.js';
export { operators, operatorNames, optionTypes, optionDocs, type OpName } from './ir/ops.js';
export { activations, type Activation } from './ir/activations.js';
export { applyVariant } from './passes/apply-variant.js';
export { compoundScale, resolveMultipliers, type ScalingRequest, type Multipliers } from './passes/compound-scale.js';
export { makeDivisible, roundChannels, roundRepeats, roundResolution } from './passes/round-channels.js';
export { expandRepeats, type BlockInstance } from './passes/expand-repeats.js';
export { inferShapes as infer } from './passes/infer-shapes.js';
export { costReport as report, nodeCost, type Cost, type CostReport } from './report/cost.js';
export { formatDiagnostic, formatDiagnostics } from './diagnostics/format.js';
export type { Diagnostic } from './diagnostics/diagnostic.js';
export { messages, type Code } from './diagnostics/messages.js';
export { version } from './version.js';
export { formatReport, reportJson, reportFormats, REPORT_SCHEMA_VERSION, conventions, type ReportFormat, type ReportInput } from './report/format-report.js';
export { formatHtml } from './report/format-html.js';
export { compareText, compareJson, resolutionsText, resolutionsJson } from './report/compare-report.js';
export { formatSource as formatSpec } from './format/format-spec.js';
export { printSpec } from './ir/print-spec.js';
export { decodeBlockString, encodeBlockString } from './interop/timm-block-strings.js';
export { importTimm } from './interop/import-timm.js';
export { sweep, largestPhiWithin, gridCandidates, parsePhiRange } from './search/scaling-search.js';
export { gridDigest } from './search/grid-digest.js';
export { rankByScore } from './search/rank-candidates.js';
// Backends. None of these load onnxruntime or TF.js at import time.
export { BackendError, type Backend, type Artifact, type ArtifactFile, type ArtifactSummary, type CommonEmitOptions } from '../backends/backend.js';
export { onnxBackend, type OnnxEmitOptions } from '../backends/onnx/onnx-backend.js';
export { presetPreprocessing, parsePreprocessing, PREPROCESSING_METADATA_KEY, IMAGENET_MEAN, IMAGENET_STD, type Preprocessing, type PresetName, type Interpolation } from '../backends/preprocessing.js';
export { OnnxExportError } from '../backends/onnx/onnx-error.js';
export { tfjsBackend, emitTfjs, type TfjsEmitOptions } from '../backends/tfjs/tfjs-backend.js';
export { fileIOHandler, loadArtifacts, saveArtifacts } from '../backends/tfjs/runtime/file-io-handler.js';
export { selectBackend, type BackendChoice, type SelectedBackend } from '../backends/tfjs/runtime/select-backend.js';
export { TfjsExportError } from '../backends/tfjs/to-wire.js';
export type { LayersModelJson, KerasLayer } from '../backends/tfjs/keras-format.js';
// Trained weights: read a checkpoint, map it onto a graph, hand it to a backend as its WeightSource.
//   const ckpt = await openCheckpointPath('b0.pth');
//   const mapping = mapCheckpoint(graph, ckpt);           // mapping.diagnostics: every problem, at the spec's rows
//   onnxBackend.emit(graph, { seed: 0, weights: checkpointWeights(mapping, 'b0.pth') });
export { readCheckpoint, openCheckpointPath, type OpenedCheckpoint } from './checkpoint/open-checkpoint.js';
export { bufferSource, type ByteSource } from './checkpoint/byte-source.js';
export { CheckpointError, type Checkpoint, type CheckpointTensor } from './checkpoint/checkpoint.js';
export { mapCheckpoint, type WeightsMapping, type TensorBinding } from './weights/map-checkpoint.js';
export { checkpointWeights, WeightValueError } from './weights/checkpoint-weights.js';
export { conventions as weightConventions, conventionNames, detectConvention } from './weights/naming/conventions.js';
export { graphTensors, type GraphTensor } from './weights/graph-tensors.js';
export { modulePaths, stateDictKey, onnxInitializerName, tfjsWeightName } from './weights/naming/effnet-names.js';
export { seededWeights } from '../backends/seeded-weights.js';
export type { WeightSource, TensorRole } from '../backends/weight-source.js';
export { pytorchBackend, type PytorchEmitOptions } from '../backends/pytorch/pytorch-backend.js';
export { findTorchPython, runTorchArtifact, type TorchPython } from '../backends/pytorch/runtime/torch-python.js';
