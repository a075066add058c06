/** `effnet fmt`: print the canonical form; --check for CI, --write to rewrite in place. */
import { formatDiagnostics } from '../../diagnostics/format.js';
import { formatSource } from '../../format/format-spec.js';
import { decodeSource } from '../../source/decode.js';
import type { Register } from '../main.js';
import { readSpec } from '../load-spec.js';
import { UsageError } from '../io.js';
import { writeTextOutput } from '../output/write-text.js';
import { inputName, STDIN } from '../read-input.js';

export const registerFmt: Register = (program, ctx) => {
  program
    .command('fmt')
    .description('format specs: aligned stage-table columns, comments kept; idempotent')
    .argument('<files...>', ".effnet spec files ('-' reads standard input)")
    .option('--check', 'print nothing, list the files that are not formatted, exit 1 if any')
    .option('--write', 'rewrite the files in place')
    .addHelpText('after', '\nExamples:\n  $ effnet fmt specs/efficientnet-b0.effnet\n  $ effnet fmt --check specs/*.effnet\n  $ effnet fmt --write my.effnet\n  $ cat my.effnet | effnet fmt -     # stdin to stdout, for editors')
    .action(async (files: string[], flags: { check?: boolean; write?: boolean }) => {
      if (flags.check && flags.write) throw new UsageError('--check only reports and --write rewrites: choose one');
      if (flags.write && files.includes(STDIN)) throw new UsageError("--write rewrites files in place; standard input ('-') has no file to rewrite");
      for (const path of files) {
        const decoded = decodeSource(inputName(path), readSpec(path));
        const formatted = decoded.value ? formatSource(decoded.value) : { diagnostics: decoded.diagnostics };
        if (formatted.value === undefined) {
          ctx.io.err(formatDiagnostics(formatted.diagnostics, decoded.file, { color: ctx.io.color }) + '\n');
          ctx.setExit(1);
          continue;
        }
        if (flags.check) {
          if (formatted.value !== decoded.file.text) {
            ctx.io.err(`${path}: not formatted (run effnet fmt --write ${path})`);
            ctx.setExit(1);
          }
        } else if (flags.write) {
          if (formatted.value !== decoded.file.text) {
            // A symlinked spec: the file it points at is rewritten, keeping its mode; the link stays a link.
            await writeTextOutput(path, formatted.value);
            ctx.io.err(`formatted ${path}`);
          }
        } else {
          ctx.io.out(formatted.value);
        }
      }
    });
};
