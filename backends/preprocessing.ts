/**
 * The preprocessing a model expects of an image: how it is resized and cropped to the model's input, and the
 * mean and standard deviation that normalise it. A model can carry it in its metadata (the emit option
 * `preprocessing`: ONNX metadata_props, TF.js model.json userDefinedMetadata, both under the key
 * `effnet.preprocessing` as JSON), so that `effnet run` feeds a trained model what it was trained on without
 * being told. This file is the one definition of the record, its presets and its checks; applying it to
 * pixels is the CLI's (src/cli/preprocess-image.ts, with sharp).
 */

/** The key under which both backends record the preprocessing (ONNX metadata_props, TF.js userDefinedMetadata). */
export const PREPROCESSING_METADATA_KEY = 'effnet.preprocessing';

export const interpolations = ['bilinear', 'bicubic', 'nearest'] as const;
/** The resampling filter, named as torchvision and PIL name them (src/cli/preprocess-image.ts says which sharp operation does each). */
export type Interpolation = (typeof interpolations)[number];

export const presetNames = ['torchvision', 'keras', 'none'] as const;
export type PresetName = (typeof presetNames)[number];

export type Rgb = readonly [number, number, number];

export interface Preprocessing {
  /** The preset this record was made from, when it was (flags may have changed fields since). */
  readonly preset?: PresetName;
  /**
   * A number: the image's shorter side is resized to this many pixels, keeping the aspect ratio (the longer
   * side becomes floor(resize * long / short), as torchvision's Resize(int) computes it), then the centre crop
   * is cut out. 'stretch': the image is resized straight to the crop size, ignoring its aspect ratio.
   */
  readonly resize: number | 'stretch';
  /** [height, width] of the centre crop, which is the model's input size. */
  readonly crop: readonly [number, number];
  readonly interpolation: Interpolation;
  /** Per-channel mean, subtracted from RGB scaled to [0, 1]. */
  readonly mean: Rgb;
  /** Per-channel standard deviation the mean-subtracted RGB is divided by; every value above 0. */
  readonly std: Rgb;
}

/** ImageNet's channel statistics as torchvision (and Keras's "torch" mode) normalise with them. */
export const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
export const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];

/** torchvision's evaluation transforms crop 87.5% of the resized image: Resize(256) then CenterCrop(224). */
const TORCHVISION_CROP_FRACTION = 0.875;

/**
 * A preset for a model whose input is height x width.
 *
 * - torchvision: Resize(round(input / 0.875)) (256 for 224), CenterCrop(input), bilinear, ToTensor, Normalize
 *   with ImageNet's mean and std: the evaluation transforms of torchvision's classification weights.
 * - keras: Keras's "tf" mode of preprocess_input, x / 127.5 - 1 on [0, 255] pixels, which is mean 0.5 and std
 *   0.5 on [0, 1]; the image is stretched to the input with bilinear filtering, as
 *   keras.utils.image_dataset_from_directory and keras.layers.Resizing do by default. Keras's MobileNetV2
 *   expects exactly this. Keras's EfficientNet instead normalises inside the model (Rescaling 1/255, then
 *   Normalization with ImageNet's mean and std), so its preprocess_input passes [0, 255] pixels through; an
 *   effnet graph has no such layers, so weights taken from it need ImageNet's mean and std applied outside:
 *   `--preprocess keras --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225`.
 * - none: stretched to the input (bilinear), RGB in [0, 1], no normalisation.
 */
export function presetPreprocessing(name: PresetName, height: number, width: number): Preprocessing {
  const crop = [height, width] as const;
  switch (name) {
    case 'torchvision':
      // The crop must fit the resized image's shorter side, so a non-square input scales from its longer side.
      return { preset: name, resize: Math.round(Math.max(height, width) / TORCHVISION_CROP_FRACTION), crop, interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD };
    case 'keras':
      return { preset: name, resize: 'stretch', crop, interpolation: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    case 'none':
      return { preset: name, resize: 'stretch', crop, interpolation: 'bilinear', mean: [0, 0, 0], std: [1, 1, 1] };
  }
}

/** The largest resize or crop side accepted, far past any model input (B7 takes 600). */
export const MAX_PREPROCESS_SIDE = 16384;

const isSide = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_PREPROCESS_SIDE;
const isRgb = (v: unknown): v is Rgb => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Why the crop cannot be cut from the resized image, or undefined when it can. */
export function cropProblem(p: Pick<Preprocessing, 'resize' | 'crop'>): string | undefined {
  if (p.resize === 'stretch') return undefined;
  const [h, w] = p.crop;
  if (Math.max(h, w) > p.resize) return `the centre crop ${h}x${w} is larger than the resized image's shorter side, ${p.resize} px`;
  return undefined;
}

/**
 * Checks a record read back from a model's metadata (any JSON value) and returns it typed, or throws an Error
 * saying which field is wrong. Unknown fields are ignored, so a later effnet may add some.
 */
export function parsePreprocessing(json: unknown): Preprocessing {
  const bad = (why: string) => new Error(why);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('it is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.preset !== undefined && !presetNames.includes(o.preset as PresetName)) throw bad(`preset ${JSON.stringify(o.preset)} is not one of ${presetNames.join(', ')}`);
  if (o.resize !== 'stretch' && !isSide(o.resize)) throw bad(`resize ${JSON.stringify(o.resize)} is neither 'stretch' nor a whole number of pixels from 1 to ${MAX_PREPROCESS_SIDE}`);
  if (!Array.isArray(o.crop) || o.crop.length !== 2 || !o.crop.every(isSide)) throw bad(`crop ${JSON.stringify(o.crop)} is not [height, width] in whole pixels from 1 to ${MAX_PREPROCESS_SIDE}`);
  if (!interpolations.includes(o.interpolation as Interpolation)) throw bad(`interpolation ${JSON.stringify(o.interpolation)} is not one of ${interpolations.join(', ')}`);
  if (!isRgb(o.mean)) throw bad(`mean ${JSON.stringify(o.mean)} is not three numbers`);
  if (!isRgb(o.std) || !o.std.every((s) => s > 0)) throw bad(`std ${JSON.stringify(o.std)} is not three numbers above 0`);
  const p: Preprocessing = {
    ...(o.preset !== undefined ? { preset: o.preset as PresetName } : {}),
    resize: o.resize as number | 'stretch',
    crop: [o.crop[0] as number, o.crop[1] as number],
    interpolation: o.interpolation as Interpolation,
    mean: [o.mean[0], o.mean[1], o.mean[2]],
    std: [o.std[0], o.std[1], o.std[2]],
  };
  const problem = cropProblem(p);
  if (problem) throw bad(problem);
  return p;
}

/** The record as written into a model: the fields in a fixed order, so the same record gives the same bytes. */
export function preprocessingJson(p: Preprocessing): string {
  const checked = parsePreprocessing(p);
  return JSON.stringify({
    ...(checked.preset !== undefined ? { preset: checked.preset } : {}),
    resize: checked.resize,
    crop: checked.crop,
    interpolation: checked.interpolation,
    mean: checked.mean,
    std: checked.std,
  });
}
