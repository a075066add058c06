import { Option, type Command } from 'commander';
import { compareJson, compareText, resolutionsJson, resolutionsText, type AtResolution } from '../../report/compare-report.js';
import { formatCompareHtml } from '../../report/compare-html.js';
import { formatHtml } from '../../report/format-html.js';
import { formatResolutionsHtml } from '../../report/resolutions-html.js';
import { diagnosticJson } from '../../diagnostics/diagnostic-json.js';
import { formatReport, reportFormats, type ReportFormat, type ReportInput } from '../../report/format-report.js';
import { UsageError } from '../io.js';
import type { Register } from '../main.js';
import { failureJson, type FailedFile } from '../json-failure.js';
import { loadSpec } from '../load-spec.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';
import { writeTextOutput } from '../output/write-text.js';

interface ReportFlags extends ScalingFlags {
  perLayer?: boolean;
  perBlock?: boolean;
  format: ReportFormat;
  json?: boolean;
  html?: string;
  compare?: string;
  resolutions?: string;
}

export const registerReport: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('report')
      .description('parameters, BN statistics and MACs per stage (or per layer) and in total; two files side by side')
      .argument('<files...>', 'one .effnet spec, or two to compare')
      .option('--per-layer', 'one row per layer, with stage subtotals')
      .option('--per-block', 'one row per block (block2a, block2b, ...)')
      .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('table'))
      .option('--json', 'same as --format json')
      .option('--html <out.html>', 'write a self-contained HTML page: the network diagram, settings, stage bars, per-layer table; with two specs or --resolutions, those side by side')
      .option('--compare <file>', 'compare with a second spec, stage by stage (same as giving two files)')
      .option('--resolutions <list>', 'one table over input sizes, e.g. 160,224,320')
      .addHelpText('after', [
        '',
        'Examples:',
        '  $ effnet report specs/efficientnet-b0.effnet',
        '  $ effnet report specs/efficientnet-b0.effnet --variant b3 --per-layer',
        '  $ effnet report specs/resnet.effnet --variant resnet101 --format markdown',
        '  $ effnet report specs/mobilenet-v2.effnet specs/efficientnet-b0.effnet',
        '  $ effnet report specs/efficientnet-b0.effnet --resolutions 160,224,320',
        '  $ effnet report specs/efficientnet-b0.effnet --variant b3 --html b3.html',
        '  $ effnet report specs/mobilenet-v2.effnet --compare specs/efficientnet-b0.effnet --html compare.html',
      ].join('\n')),
  ).action(async (files: string[], flags: ReportFlags, command: Command) => {
    if (flags.json && command.getOptionValueSource('format') === 'cli' && flags.format !== 'json') throw new UsageError(`--json and --format ${flags.format} ask for two formats: choose one`);
    const all = flags.compare ? [...files, flags.compare] : files;
    if (all.length > 2) throw new UsageError('report takes one spec, or two to compare');
    if (all.length === 2 && flags.resolutions) throw new UsageError('--resolutions works on one spec');
    // The side-by-side tables come as text, JSON or a page; say so rather than ignore a flag.
    const mode = all.length === 2 ? 'comparing two specs' : flags.resolutions ? '--resolutions' : undefined;
    if (mode && (flags.perLayer || flags.perBlock)) throw new UsageError(`--per-${flags.perLayer ? 'layer' : 'block'} cannot be combined with ${mode}`);
    if (flags.perLayer && flags.perBlock) throw new UsageError('--per-layer and --per-block ask for two tables: choose one');
    if (mode && !flags.json && flags.format !== 'table' && flags.format !== 'json') throw new UsageError(`${mode} prints a table or JSON, not ${flags.format}`);
    const options = compileOptions(flags);
    const format = flags.json ? 'json' : flags.format;
    // A script asking for JSON gets JSON on failure too (check --json's shape): what went wrong, where.
    const failures: FailedFile[] = [];
    /**
     * Writes the page when --html was given; true when that is all there is to do. The page is a side output:
     * stdout still gets the report when a format was asked for.
     */
    const html = async (page: () => string): Promise<boolean> => {
      if (!flags.html) return false;
      await writeTextOutput(flags.html, page(), { inputs: all, io: ctx.io });
      ctx.io.err(`wrote ${flags.html}`);
      return !flags.json && command.getOptionValueSource('format') !== 'cli';
    };
    const failed = () => {
      if (format === 'json') ctx.io.out(failureJson(failures));
    };
    const load = (file: string, extra = {}, note?: string): ReportInput | undefined => {
      const { compilation, exitCode } = loadSpec(file, { ...options, ...extra }, ctx.io, note);
      if (exitCode !== 0) {
        ctx.setExit(exitCode);
        failures.push({ file, source: compilation.file, diagnostics: compilation.diagnostics, dropped: compilation.diagnosticsDropped ?? 0 });
        return undefined;
      }
      const diagnostics = compilation.diagnostics.map((d) => diagnosticJson(d, compilation.file));
      return { file, spec: compilation.scaled!, graph: compilation.graph!, report: compilation.report!, diagnostics };
    };

    if (flags.resolutions) {
      const sizes = flags.resolutions.split(',').map((s) => s.trim());
      if (!sizes.every((s) => /^\d+$/.test(s) && Number(s) >= 1)) throw new UsageError(`--resolutions expects sizes in pixels such as 160,224,320; got '${flags.resolutions}'`);
      if (options.scaling?.resolution !== undefined || options.scaling?.inputSize !== undefined || options.scaling?.phi !== undefined) throw new UsageError('--resolutions sets the input size itself; drop --resolution, --input-size and --phi');
      const rows: AtResolution[] = [];
      for (const size of sizes.map(Number)) {
        // Each size compiles on its own: its warnings say which size they belong to.
        const input = load(all[0]!, { scaling: { ...options.scaling, inputSize: size } }, `at input ${size}x${size} (--resolutions ${flags.resolutions})`);
        if (!input) return failed();
        rows.push({ size, input });
      }
      if (await html(() => formatResolutionsHtml(rows))) return;
      ctx.io.out(format === 'json' ? JSON.stringify(resolutionsJson(rows), null, 2) : resolutionsText(rows));
      return;
    }

    const inputs = all.map((f) => load(f));
    if (inputs.some((i) => !i)) return failed();
    if (inputs.length === 2) {
      if (await html(() => formatCompareHtml(inputs[0]!, inputs[1]!))) return;
      ctx.io.out(format === 'json' ? JSON.stringify(compareJson(inputs[0]!, inputs[1]!), null, 2) : compareText(inputs[0]!, inputs[1]!));
      return;
    }
    const input = inputs[0]!;
    if (await html(() => formatHtml(input))) return;
    ctx.io.out(formatReport(input, { format, perLayer: flags.perLayer ?? false, perBlock: flags.perBlock ?? false }));
  });
};
