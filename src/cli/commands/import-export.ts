/** `effnet import --timm` and `effnet export --timm`: block strings in, block strings out. */
import { formatDiagnostics } from '../../diagnostics/format.js';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { efficientNetFrame, importTimm } from '../../interop/import-timm.js';
import { exportTimm, TimmExportError } from '../../interop/export-timm.js';
import { BlockStringError } from '../../interop/timm-block-strings.js';
import { scaledModelName } from '../../ir/scaled-name.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { failureJson } from '../json-failure.js';
import { activationNamed, activations } from '../../ir/activations.js';
import { nearestName } from '../../diagnostics/nearest-name.js';
import { compile } from '../../pipeline.js';
import { isName } from '../../syntax/parse.js';
import { UsageError } from '../io.js';
import type { Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';
import { writeTextOutput } from '../output/write-text.js';

interface ImportFlags {
  timm?: string;
  name: string;
  input: string;
  classes: string;
  activation: string;
  stemChannels: string;
  headChannels: string;
  dropout: string;
  dropConnect: string;
  seBase: string;
  output?: string;
}

const positiveInt = (v: string, flag: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag} expects a positive integer, got '${v}'`);
  return Number(v);
};

const rate = (v: string, flag: string) => {
  const x = v.trim() === '' ? NaN : Number(v);
  if (!(x >= 0 && x < 1)) throw new UsageError(`${flag} expects a rate from 0 up to (not including) 1, got '${v}'`);
  return x;
};

const hintFor = (name: string, valid: readonly string[]) => {
  const near = nearestName(name, valid);
  return near ? ` (did you mean '${near}'?)` : '';
};

export const registerImport: Register = (program, ctx) => {
  const f = efficientNetFrame;
  program
    .command('import')
    .description('build a .effnet model from timm or TF-official EfficientNet block strings')
    .requiredOption('--timm <strings>', 'comma-separated block strings, one per stage (ir_r2_k3_s2_e6_c24_se0.25,...)')
    .option('--name <name>', 'model name', f.name)
    .option('--input <HxWxC>', 'input size', f.input)
    .option('--classes <n>', 'classifier outputs', String(f.classes))
    .option('--activation <act>', 'model activation', f.activation)
    .option('--stem-channels <n>', 'stem conv channels', String(f.stemChannels))
    .option('--head-channels <n>', 'head conv channels', String(f.headChannels))
    .option('--dropout <rate>', 'classifier dropout', String(f.dropout))
    .option('--drop-connect <rate>', 'stochastic depth rate of the last block', String(f.dropConnect))
    .option('--se-base <base>', "what SE ratios multiply: 'input' (EfficientNet) or 'expanded' (MobileNetV3)", f.seBase)
    .option('-o, --output <file>', 'write the spec here instead of stdout')
    .addHelpText('after', [
      '',
      'Example (EfficientNet-B0):',
      '  $ effnet import --timm "ds_r1_k3_s1_e1_c16_se0.25,ir_r2_k3_s2_e6_c24_se0.25,ir_r2_k5_s2_e6_c40_se0.25,ir_r3_k3_s2_e6_c80_se0.25,ir_r3_k5_s1_e6_c112_se0.25,ir_r4_k5_s2_e6_c192_se0.25,ir_r1_k3_s1_e6_c320_se0.25" --name b0',
    ].join('\n'))
    .action(async (flags: ImportFlags) => {
      if (!isName(flags.name)) throw new UsageError(`--name must be a name (letters, digits and _, with inner single '-'; not a keyword such as 'model'), got '${flags.name}'`);
      if (flags.seBase !== 'input' && flags.seBase !== 'expanded') throw new UsageError(`--se-base expects 'input' or 'expanded', got '${flags.seBase}'`);
      // Flag values are checked here, so their mistakes are usage errors (exit 2) rather than diagnostics
      // pointing into a generated file the user never saw.
      if (!activationNamed(flags.activation)) throw new UsageError(`--activation expects one of ${activations.join(', ')}, got '${flags.activation}'${hintFor(flags.activation, activations)}`);
      // As the spec's input setting takes it: a square size (224), HxW, or HxWxC, each at least 1.
      if (!/^\d+(x\d+){0,2}$/.test(flags.input) || flags.input.split('x').some((d) => Number(d) < 1)) throw new UsageError(`--input expects a size such as 224, 224x224 or 224x224x3 (each at least 1), got '${flags.input}'`);
      let text: string;
      try {
        text = importTimm(flags.timm!, {
          name: flags.name,
          input: flags.input,
          classes: positiveInt(flags.classes, '--classes'),
          activation: flags.activation,
          stemChannels: positiveInt(flags.stemChannels, '--stem-channels'),
          headChannels: positiveInt(flags.headChannels, '--head-channels'),
          dropout: rate(flags.dropout, '--dropout'),
          dropConnect: rate(flags.dropConnect, '--drop-connect'),
          seBase: flags.seBase,
        });
      } catch (e) {
        if (e instanceof BlockStringError) throw new UsageError(e.message);
        throw e;
      }
      // The result must compile; a bad --input or --activation shows up here with a diagnostic.
      const c = compile('(spec generated from --timm)', text);
      if (hasErrors(c.diagnostics)) {
        ctx.io.err(formatDiagnostics(c.diagnostics, c.file, { color: ctx.io.color }));
        return ctx.setExit(1);
      }
      if (flags.output) {
        await writeTextOutput(flags.output, text, { io: ctx.io });
        ctx.io.err(`wrote ${flags.output} (${c.report!.total.params.toLocaleString('en-US')} params)`);
      } else {
        ctx.io.out(text);
      }
    });
};

export const registerExport: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('export')
      .description("print a spec's stage table as timm block strings")
      .argument('<file>', '.effnet spec file')
      .requiredOption('--timm', 'timm block strings (the only export format)')
      .option('--json', 'the strings, the stem and head widths and the import flags that rebuild the model, as JSON')
      .addHelpText('after', '\nThe strings go to stdout; the stem and head widths, which timm keeps outside them, to stderr as the\neffnet import --timm flags that rebuild the model.\n\nExample:\n  $ effnet export --timm specs/efficientnet-b0.effnet --variant b3'),
  ).action((file: string, flags: ScalingFlags & { json?: boolean }) => {
    const { compilation, exitCode } = loadSpec(file, compileOptions(flags), ctx.io);
    if (exitCode !== 0) {
      if (flags.json) ctx.io.out(failureJson([{ file, source: compilation.file, diagnostics: compilation.diagnostics, dropped: compilation.diagnosticsDropped ?? 0 }]));
      return ctx.setExit(exitCode);
    }
    const spec = compilation.scaled!;
    let exported;
    try {
      exported = exportTimm(spec);
    } catch (e) {
      if (!(e instanceof BlockStringError || e instanceof TimmExportError)) throw e;
      ctx.io.err(`effnet: error: ${e.message}`);
      if (flags.json) ctx.io.out(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ok: false, file, error: e.message }, null, 2));
      return ctx.setExit(1);
    }
    const strings = exported.blockStrings.join(',');
    if (flags.json) {
      const { blockStrings, stemChannels, headChannels, seBase, importFlags, rebuilds, notes } = exported;
      ctx.io.out(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ok: true, file, model: scaledModelName(spec), blockStrings, stemChannels, ...(headChannels !== undefined ? { headChannels } : {}), seBase, importFlags, rebuilds, notes }, null, 2));
      return;
    }
    ctx.io.out(strings);
    const widths = `stem ${exported.stemChannels} channels${exported.headChannels !== undefined ? `, head ${exported.headChannels}` : ''}`;
    ctx.io.err(`note: ${widths}: ${exported.rebuilds ? 'rebuild with' : 'the nearest import is'} effnet import --timm STRINGS ${exported.importFlags.join(' ')}`);
    for (const n of exported.notes) ctx.io.err(`note: ${n}`);
  });
};
