import { Option } from 'commander';
import { formatReport, reportFormats, type ReportFormat } from '../../report/format-report.js';
import type { Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';

export const registerReport: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('report')
      .description('parameters, BN statistics and MACs per stage (or per layer) and in total')
      .argument('<file>', '.effnet spec file')
      .option('--per-layer', 'one row per layer, with stage subtotals')
      .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('table'))
      .option('--json', 'same as --format json')
      .addHelpText('after', '\nExamples:\n  $ effnet report specs/efficientnet-b0.effnet\n  $ effnet report specs/efficientnet-b0.effnet --variant b3 --per-layer\n  $ effnet report specs/resnet.effnet --variant resnet101 --format markdown'),
  ).action((file: string, flags: ScalingFlags & { perLayer?: boolean; format: ReportFormat; json?: boolean }) => {
    const { compilation, exitCode } = loadSpec(file, compileOptions(flags), ctx.io);
    if (exitCode !== 0) return ctx.setExit(exitCode);
    const input = { file, spec: compilation.scaled!, graph: compilation.graph!, report: compilation.report! };
    ctx.io.out(formatReport(input, { format: flags.json ? 'json' : flags.format, perLayer: flags.perLayer ?? false }));
  });
};
