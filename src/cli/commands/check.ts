import { hasErrors } from '../../diagnostics/diagnostic.js';
import { REPORT_SCHEMA_VERSION } from '../../report/format-report.js';
import { count } from '../../report/units.js';
import { diagnosticJson } from '../../diagnostics/diagnostic-json.js';
import { ExitCode, UsageError } from '../io.js';
import type { Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { inputName } from '../read-input.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';

export const registerCheck: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('check')
      .description('parse and validate specs; prints every problem found, with file:line:col')
      .argument('<files...>', '.effnet spec files')
      .option('--json', 'diagnostics as JSON on stdout (they still go to stderr as text)')
      .addHelpText('after', '\nExamples:\n  $ effnet check specs/*.effnet\n  $ effnet check specs/resnet.effnet --variant resnet101\n  $ effnet check my.effnet --json'),
  ).action((files: string[], flags: ScalingFlags & { json?: boolean }) => {
    const options = compileOptions(flags);
    const results = [];
    for (const file of files) {
      let loaded;
      try {
        loaded = loadSpec(file, options, ctx.io);
      } catch (e) {
        // An unreadable file is reported and skipped, so the other files are still checked.
        if (!(e instanceof UsageError)) throw e;
        ctx.io.err(`effnet: error: ${e.message}`);
        ctx.setExit(ExitCode.usage);
        results.push({ file, ok: false, error: e.message, diagnostics: [] });
        continue;
      }
      const { exitCode, compilation } = loaded;
      ctx.setExit(exitCode);
      const r = compilation.report;
      if (exitCode === 0 && r) ctx.io.err(`${inputName(file)}: ok (${r.total.params.toLocaleString('en-US')} params, ${count(r.total.macs)} MACs)`);
      results.push({
        file,
        ok: !hasErrors(compilation.diagnostics),
        ...(r ? { params: r.total.params, macs: r.total.macs } : {}),
        diagnostics: compilation.diagnostics.map((d) => diagnosticJson(d, compilation.file)),
        // The list stops at MAX_DIAGNOSTICS; this says how many more there were.
        ...(compilation.diagnosticsDropped ? { diagnosticsDropped: compilation.diagnosticsDropped } : {}),
      });
    }
    if (flags.json) ctx.io.out(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ok: results.every((r) => r.ok), files: results }, null, 2));
  });
};
