/**
 * `effnet scale`: compound scaling made visible. One scaling (old -> new channels and repeats per stage),
 * a sweep over phi (with an SVG plot), or the largest phi within a MACs or parameter budget.
 */
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { printSpec } from '../../ir/print-spec.js';
import { instantiate } from '../../pipeline.js';
import { applyVariant } from '../../passes/apply-variant.js';
import { largestPhiWithin, MIN_PHI, parsePhiRange, sweep, variantPoints, type SearchBase } from '../../search/scaling-search.js';
import { scaledModelName } from '../../ir/scaled-name.js';
import { sweepPlotSvg } from '../../report/sweep-plot.js';
import { scaleJson, scaleText, sweepJson, sweepText } from '../../report/scaling-report.js';
import { count, withSeparators } from '../../report/units.js';
import { UsageError } from '../io.js';
import type { CliContext, Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { addScalingFlags, compileOptions, parseAmount, type ScalingFlags } from '../scaling-flags.js';
import { writeTextOutput } from '../output/write-text.js';

interface ScaleFlags extends ScalingFlags {
  sweep?: string;
  plot?: string;
  targetMacs?: string;
  targetParams?: string;
  emit?: string;
  json?: boolean;
}

function printIssues(ctx: CliContext, c: { diagnostics: readonly import('../../diagnostics/diagnostic.js').Diagnostic[]; file: import('../../source/source-file.js').SourceFile }): boolean {
  if (c.diagnostics.length) ctx.io.err(formatDiagnostics(c.diagnostics, c.file, { color: ctx.io.color }) + '\n');
  return hasErrors(c.diagnostics);
}

export const registerScale: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('scale')
      .description('scale a spec by compound scaling and show what changed; sweep phi; fit a budget')
      .argument('<file>', '.effnet spec file')
      .option('--sweep <range>', 'a table over phi: 0..7, 0..3:0.5 or 0,1,2')
      .option('--plot <out.svg>', 'with --sweep: draw MACs and params against phi (log scale) as an SVG')
      .option('--target-macs <n>', 'the largest phi (to 0.01) whose model has at most this many MACs (e.g. 1.8G)')
      .option('--target-params <n>', 'the largest phi (to 0.01) whose model has at most this many parameters (e.g. 12M)')
      .option('--emit <out.effnet>', 'write the scaled model as a new .effnet spec')
      .option('--json', 'JSON instead of a table')
      .addHelpText('after', [
        '',
        'Examples:',
        '  $ effnet scale specs/efficientnet-b0.effnet --phi 3',
        '  $ effnet scale specs/resnet.effnet --variant resnet50 --depth 4',
        '  $ effnet scale specs/efficientnet-b0.effnet --sweep 0..7 --plot sweep.svg',
        '  $ effnet scale specs/efficientnet-b0.effnet --target-macs 1.8G --emit b0-1.8g.effnet',
      ].join('\n')),
  ).action(async (file: string, flags: ScaleFlags) => {
    const options = compileOptions(flags);
    if (flags.plot && !flags.sweep) throw new UsageError('--plot needs --sweep');
    const searching = flags.sweep !== undefined || flags.targetMacs !== undefined || flags.targetParams !== undefined;
    if (searching && options.scaling && (options.scaling.phi !== undefined || options.scaling.width !== undefined || options.scaling.depth !== undefined || options.scaling.resolution !== undefined || options.scaling.inputSize !== undefined)) {
      throw new UsageError('--sweep and --target-* choose phi themselves; give only --alpha/--beta/--gamma with them');
    }
    if (flags.sweep !== undefined && (flags.targetMacs ?? flags.targetParams) !== undefined) throw new UsageError('use either --sweep or --target-macs/--target-params');
    // A sweep is many models: there is no one spec to write.
    if (flags.sweep !== undefined && flags.emit !== undefined) throw new UsageError('--emit writes one scaled spec and --sweep makes many: pick a phi from the sweep and run scale --phi P --emit FILE');
    if (!searching && !options.scaling && !options.variant) throw new UsageError('say how to scale: --phi, --width/--depth/--resolution, --variant, --sweep or --target-macs/--target-params');

    // The spec as the variant leaves it (structure only) is the "before" of every comparison.
    const { compilation: base, exitCode } = loadSpec(file, { ...(options.variant ? { variant: options.variant } : {}), ...(options.maxParams ? { maxParams: options.maxParams } : {}) }, ctx.io);
    if (exitCode !== 0) return ctx.setExit(exitCode);
    const spec = base.spec!;
    const req = options.scaling ?? {};
    const searchBase: SearchBase = {
      spec,
      file: base.file,
      options: { ...(options.variant ? { variant: options.variant } : {}), ...(options.maxParams ? { maxParams: options.maxParams } : {}) },
      ...(req.alpha !== undefined ? { alpha: req.alpha } : {}),
      ...(req.beta !== undefined ? { beta: req.beta } : {}),
      ...(req.gamma !== undefined ? { gamma: req.gamma } : {}),
    };

    if (flags.sweep !== undefined) {
      const phis = parsePhiRange(flags.sweep);
      if (!phis) throw new UsageError(`--sweep expects a range such as 0..7, 0..3:0.5 or 0,1,2; got '${flags.sweep}'`);
      const result = sweep(searchBase, phis);
      if (printIssues(ctx, { diagnostics: result.diagnostics, file: base.file }) || !result.value) return ctx.setExit(1);
      ctx.io.out(flags.json ? JSON.stringify(sweepJson(spec.name, result.value), null, 2) : sweepText(spec.name, result.value));
      if (flags.plot) {
        const variants = variantPoints(searchBase);
        if (printIssues(ctx, { diagnostics: variants.diagnostics, file: base.file }) || !variants.value) return ctx.setExit(1);
        const svg = sweepPlotSvg({
          model: spec.name,
          alpha: req.alpha ?? spec.scaling.alpha,
          beta: req.beta ?? spec.scaling.beta,
          gamma: req.gamma ?? spec.scaling.gamma,
          rows: result.value,
          variants: variants.value,
        });
        await writeTextOutput(flags.plot, svg, { inputs: [file], io: ctx.io });
        ctx.io.err(`wrote ${flags.plot}`);
      }
      return;
    }

    let scaled;
    if (flags.targetMacs !== undefined || flags.targetParams !== undefined) {
      const budget = {
        ...(flags.targetMacs !== undefined ? { macs: parseAmount(flags.targetMacs, '--target-macs') } : {}),
        ...(flags.targetParams !== undefined ? { params: parseAmount(flags.targetParams, '--target-params') } : {}),
      };
      const found = largestPhiWithin(searchBase, budget);
      if (!found.value) {
        const smallest = found.smallest?.report?.total;
        if (!printIssues(ctx, { diagnostics: found.diagnostics, file: base.file })) ctx.io.err(`effnet: error: even phi = ${MIN_PHI} exceeds the budget (${smallest ? `${withSeparators(smallest.params)} params, ${count(smallest.macs)} MACs` : 'no report'}): channels stop at the divisor and repeats at 1; make the spec itself smaller (fewer stages or channels)`);
        return ctx.setExit(1);
      }
      const limit = found.value.limitedBy;
      const down = found.value.phi < 0 ? ', below the spec as written: phi < 0 scales it down' : '';
      if (limit === 'maxPhi') ctx.io.err(`largest phi searched: ${found.value.phi}, and it is still within the budget (${found.value.evaluations} models costed)`);
      else if (limit) ctx.io.err(`largest phi allowed: ${found.value.phi}; the budget is not reached, phi ${(found.value.phi + 0.01).toFixed(2)} is refused: ${limit.message} (${found.value.evaluations} models costed)`);
      else ctx.io.err(`largest phi within the budget: ${found.value.phi}${down} (${found.value.evaluations} models costed)`);
      scaled = found.value.compilation;
    } else {
      scaled = instantiate(spec, options, base.file);
      if (printIssues(ctx, scaled)) return ctx.setExit(1);
    }
    // "Before" is the variant's structure (operator, repeats) without its scaling.
    const structure = applyVariant(spec, options.variant).value!.spec;
    const before = instantiate(structure, {}, base.file);
    const beforeSpec = before.scaled!;
    const after = scaled.scaled!;
    const a = after.applied;
    const ideal = a.phi !== undefined ? (a.alpha! * a.beta! ** 2 * a.gamma! ** 2) ** a.phi : undefined;
    ctx.io.out(flags.json
      ? JSON.stringify(scaleJson(beforeSpec, after, before.report!.total, scaled.report!.total), null, 2)
      : scaleText(beforeSpec, after, before.report!.total, scaled.report!.total, ideal));
    if (flags.emit) {
      const how = a.phi !== undefined ? `phi ${a.phi} (alpha ${a.alpha}, beta ${a.beta}, gamma ${a.gamma})` : `width ${a.width}, depth ${a.depth}, resolution ${a.resolution}`;
      // The written model is named for its scaling (efficientnet-b3, efficientnet-b0-phi1_5), not its base.
      await writeTextOutput(flags.emit, printSpec({ ...after, name: scaledModelName(after) }, [`Generated by effnet scale from ${file}${a.variant ? ` variant ${a.variant}` : ''}: ${how}.`, `${withSeparators(scaled.report!.total.params)} params, ${count(scaled.report!.total.macs)} MACs.`]), { inputs: [file], io: ctx.io });
      ctx.io.err(`wrote ${flags.emit}`);
    }
  });
};
