/** Builds a complete .effnet model from timm / TF-official block strings (`effnet import --timm`). */
import { formatSource } from '../format/format-spec.js';
import { makeSourceFile } from '../source/source-file.js';
import { BlockStringError, decodeBlockString, type DecodedStage } from './timm-block-strings.js';

/** Stem, head and classifier around the imported stages; EfficientNet-B0's by default. */
export interface ImportFrame {
  readonly name: string;
  readonly input: string;
  readonly classes: number;
  readonly activation: string;
  readonly stemChannels: number;
  readonly headChannels: number;
  readonly dropout: number;
  readonly dropConnect: number;
  readonly seBase: 'input' | 'expanded';
}

export const efficientNetFrame: ImportFrame = {
  name: 'imported',
  input: '224x224x3',
  classes: 1000,
  activation: 'swish',
  stemChannels: 32,
  headChannels: 1280,
  dropout: 0.2,
  dropConnect: 0.2,
  seBase: 'input',
};

function rowText(s: DecodedStage, seBase: string): string {
  const fields = [s.op, s.repeats, s.channels, s.kernel, s.stride].join(' ');
  const opts: string[] = [];
  if (s.expand !== undefined) opts.push(`expand ${s.expand}`);
  if (s.se !== undefined) opts.push(`se ${s.se}`, ...(seBase !== 'input' ? [`se_base ${seBase}`] : []));
  if (s.act) opts.push(`act ${s.act}`);
  if (!s.skip && s.op !== 'dwsep' && s.op !== 'conv') opts.push('skip off');
  return [fields, ...opts].join(' ');
}

/** Throws BlockStringError for a bad string; the text it returns is formatted and parses. */
export function importTimm(blockStrings: string, frame: ImportFrame): string {
  const strings = blockStrings.split(/[,;\s]+/).filter(Boolean);
  if (strings.length === 0) throw new BlockStringError(blockStrings, 'no block strings: give one per stage, separated by commas');
  const stages = strings.map(decodeBlockString);
  // TF official strings state each stage's input channels: they must chain from the stem through the stages.
  stages.forEach((st, k) => {
    const from = k === 0 ? frame.stemChannels : stages[k - 1]!.channels;
    if (st.inputChannels !== undefined && st.inputChannels !== from) {
      throw new BlockStringError(strings[k]!, `input channels i${st.inputChannels} do not match the ${from} channels ${k === 0 ? 'of the stem' : 'the stage before outputs'}`);
    }
  });
  const text = [
    `# Imported from block strings by effnet import --timm:`,
    ...blockStrings.split(/[,;\s]+/).filter(Boolean).map((b) => `#   ${b}`),
    `model ${frame.name} {`,
    `input ${frame.input}`,
    `classes ${frame.classes}`,
    `activation ${frame.activation}`,
    ...(frame.dropConnect > 0 ? [`drop_connect ${frame.dropConnect}`] : []),
    '',
    `stem conv channels ${frame.stemChannels} kernel 3 stride 2`,
    '',
    'stages {',
    '# operator, repeats, channels, kernel, stride, options',
    ...stages.map((s) => rowText(s, frame.seBase)),
    '}',
    '',
    `head conv channels ${frame.headChannels} kernel 1`,
    `classifier dropout ${frame.dropout}`,
    '}',
    '',
  ].join('\n');
  return formatSource(makeSourceFile('imported.effnet', text)).value!;
}
