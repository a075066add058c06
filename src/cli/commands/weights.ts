/**
 * `effnet weights SPEC FILE`: how a checkpoint maps onto a spec, before anything is compiled: each layer's
 * tensor, the spec line it comes from, the checkpoint key and shape it is read from, and every problem, as
 * diagnostics at the spec's rows. Every tensor is read once, so NaN and infinities are found here too.
 */
import { hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { diagnosticJson } from '../../diagnostics/diagnostic-json.js';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { lineColOf } from '../../source/source-file.js';
import { bindingValues, weightValueDiagnostic, WeightValueError } from '../../weights/checkpoint-weights.js';
import { conventionNames } from '../../weights/naming/conventions.js';
import { Option } from 'commander';
import { compileWithWeights, openWeights } from '../checkpoint-input.js';
import type { Register } from '../main.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';
import { withSeparators } from '../../report/units.js';

interface WeightsCommandFlags extends ScalingFlags {
  weightsConvention?: string;
  matchWeights?: boolean;
  json?: boolean;
}

export const registerWeights: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('weights')
      .description('show how a checkpoint maps onto a spec: each layer, its line, the checkpoint key and shape, and every problem')
      .argument('<spec>', '.effnet spec file')
      .argument('<checkpoint>', 'safetensors file, PyTorch .pt/.pth, or TF.js model directory')
      .addOption(new Option('--weights-convention <name>', "the checkpoint's names (default: detected from its keys)").choices(conventionNames))
      .option('--match-weights', "build the spec with the padding and BN epsilon the checkpoint's convention implies")
      .option('--json', 'the mapping as JSON on stdout')
      .addHelpText('after', '\nExamples:\n  $ effnet weights specs/efficientnet-b0.effnet efficientnet_b0.pth --match-weights\n  $ effnet weights specs/resnet.effnet resnet50.safetensors --variant resnet50 --json'),
  ).action(async (spec: string, file: string, flags: WeightsCommandFlags) => {
    const checkpoint = await openWeights(file);
    try {
      const loaded = compileWithWeights(spec, compileOptions(flags), checkpoint, { path: file, ...(flags.weightsConvention ? { convention: flags.weightsConvention } : {}), ...(flags.matchWeights ? { match: true } : {}) }, ctx.io);
      const { compilation, mapping } = loaded;
      // Every value read once: a NaN anywhere is a problem now, not halfway through a compile.
      const values: Diagnostic[] = [];
      for (const b of mapping?.bindings ?? []) {
        try {
          bindingValues(b);
        } catch (e) {
          if (!(e instanceof WeightValueError)) throw e;
          values.push(weightValueDiagnostic(e));
        }
      }
      if (values.length) ctx.io.err(formatDiagnostics(values, compilation.file, { color: ctx.io.color }) + '\n');
      const problems = [...(mapping?.diagnostics ?? []), ...values];
      ctx.setExit(loaded.exitCode || (hasErrors(values) ? 1 : 0));
      const rows = (mapping?.bindings ?? []).map((b) => ({
        layer: b.tensor.node.name,
        role: b.tensor.role,
        line: lineColOf(compilation.file, b.tensor.node.span.start).line,
        key: b.key,
        shape: b.source.shape,
        dtype: b.source.dtype,
        layout: b.layout,
      }));
      const params = (mapping?.bindings ?? []).filter((b) => b.tensor.trainable).reduce((n, b) => n + b.tensor.shape.reduce((x, y) => x * y, 1), 0);
      const c = mapping?.convention;
      if (flags.json) {
        ctx.io.out(JSON.stringify({
          schemaVersion: REPORT_SCHEMA_VERSION,
          ok: loaded.exitCode === 0 && !hasErrors(values),
          spec,
          checkpoint: file,
          format: checkpoint.format,
          ...(c ? { convention: c.name, ...(c.layout ? { layout: c.layout } : {}) } : {}),
          ...(mapping?.prefix ? { strippedPrefix: mapping.prefix } : {}),
          tensors: rows,
          params,
          ignored: mapping?.ignored ?? [],
          unused: mapping?.unused ?? [],
          diagnostics: [...compilation.diagnostics, ...problems].map((d) => diagnosticJson(d, compilation.file)),
        }, null, 2));
        return;
      }
      if (!mapping || !compilation.graph) return;
      const table = [['layer', 'tensor', 'line', 'checkpoint key', 'shape', 'layout'], ...rows.map((r) => [r.layer, r.role, String(r.line), r.key, `[${r.shape.join(', ')}] ${r.dtype}`, r.layout])];
      const w = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
      const line = (r: string[]) => r.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd();
      ctx.io.out([
        `${checkpoint.path}: ${checkpoint.format}, ${c ? `${c.name}${c.layout ? ` (${c.layout})` : ''} names` : 'names not recognised'}${mapping.prefix ? `, prefix '${mapping.prefix}' stripped` : ''}`,
        '',
        line(table[0]!),
        w.map((n) => '-'.repeat(n)).join('  '),
        ...table.slice(1).map(line),
        '',
        `mapped:  ${rows.length} tensors (${withSeparators(params)} params), ${mapping.ignored.length} ignored (${mapping.ignored.length ? 'num_batches_tracked' : 'none'}), ${mapping.unused.length} unused`,
        `status:  ${problems.some((d) => d.severity === 'error') || loaded.exitCode !== 0 ? `${problems.filter((d) => d.severity === 'error').length} problems (above); nothing would be written` : 'complete: effnet compile --weights writes it'}`,
      ].join('\n'));
    } finally {
      checkpoint.close();
    }
  });
};
