/**
 * The `effnet` command line. Results go to stdout, diagnostics and progress to stderr; exit codes are
 * 0 ok, 1 spec or compile error, 2 usage error. Every command lives in its own file under commands/.
 */
import { Command, CommanderError } from 'commander';
import { REPORT_SCHEMA_VERSION } from '../report/format-report.js';
import { version } from '../version.js';
import { registerCheck } from './commands/check.js';
import { registerCompile } from './commands/compile.js';
import { registerReport } from './commands/report.js';
import { registerScale } from './commands/scale.js';
import { registerGrid } from './commands/grid.js';
import { registerFmt } from './commands/fmt.js';
import { registerExport, registerImport } from './commands/import-export.js';
import { registerRun } from './commands/run.js';
import { registerWeights } from './commands/weights.js';
import { registerLsp } from './commands/lsp.js';
import { MissingPackageError } from '../../backends/optional-package.js';
import { escapeControlsJsonSafe, escapeForStderr } from '../diagnostics/control-characters.js';
import { ExitCode, processIo, UsageError, type Io } from './io.js';
import { IoError, reasonOf } from './output/fs-errors.js';

/** What a command gets: where to print, and setExit to report its exit code (the highest one wins). */
export interface CliContext {
  readonly io: Io;
  setExit(code: number): void;
}

export type Register = (program: Command, ctx: CliContext) => void;

// One entry per command, each defined in its own file under commands/.
const commands: readonly Register[] = [registerCheck, registerReport, registerScale, registerGrid, registerFmt, registerImport, registerExport, registerCompile, registerWeights, registerRun, registerLsp];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('effnet')
    .description('Compile .effnet network specs: check, report parameters and MACs, scale, and emit ONNX or TF.js.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride()
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ effnet report specs/efficientnet-b0.effnet --variant b3',
      '  $ effnet scale specs/efficientnet-b0.effnet --target-macs 1.8G --emit mine.effnet',
      '  $ effnet compile mine.effnet --target all -o out/ --verify',
      '',
      'Exit codes: 0 ok, 1 spec or compile error, 2 usage error. Run effnet COMMAND --help for each command.',
    ].join('\n'));
  for (const register of commands) register(program, ctx);
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) }).showHelpAfterError('(run with --help for usage)');
  }
  return program;
}

/**
 * The Io every command gets: control characters in anything printed to stderr (a file name, a flag value, a
 * block string echoed back) are escaped, so no input can send the terminal escape sequences; effnet's own
 * colours pass. On a terminal, stdout is escaped too (fmt prints a file's comments); piped, it stays exact.
 */
function terminalSafe(io: Io): Io {
  return {
    ...io,
    out: io.outIsTTY ? (t) => io.out(escapeControlsJsonSafe(t)) : (t) => io.out(t),
    err: (t) => io.err(escapeForStderr(t, io.color)),
  };
}

/** "cannot open x.onnx: no space left on device" for an errno error that escaped a command, else undefined. */
function fileSystemMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || typeof err.syscall !== 'string') return undefined;
  const reason = reasonOf(err.code) ?? err.code;
  return err.path ? `cannot ${err.syscall} ${err.path}: ${reason}` : `${err.syscall} failed: ${reason}`;
}

/** Runs the CLI and returns the exit code; never throws and never prints a stack trace. */
export async function runCli(argv: readonly string[], rawIo: Io = processIo()): Promise<number> {
  const io = terminalSafe(rawIo);
  let exit: number = ExitCode.ok;
  const ctx: CliContext = { io, setExit: (code) => { exit = Math.max(exit, code); } };
  const program = buildProgram(ctx);
  try {
    if (argv.length === 0) {
      io.err(program.helpInformation());
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (e) {
    // A script that asked for JSON reads stdout: give it a document for usage errors too.
    const jsonError = (message: string, exitCode: number = ExitCode.usage) => {
      if (argv.includes('--json')) io.out(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ok: false, exitCode, error: message }, null, 2));
    };
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; parse errors were already printed by commander.
      if (e.exitCode === 0) return ExitCode.ok;
      jsonError(e.message.replace(/^error: /, ''));
      return ExitCode.usage;
    }
    if (e instanceof UsageError || e instanceof MissingPackageError) {
      io.err(`effnet: error: ${e.message}`);
      jsonError(e.message, ExitCode.usage);
      return ExitCode.usage;
    }
    // A disk that filled up, a race lost to another process, or any file-system failure not already named:
    // the path and the reason, exit 1, never "internal error".
    const io1 = e instanceof IoError ? e.message : fileSystemMessage(e);
    if (io1) {
      io.err(`effnet: error: ${io1}`);
      jsonError(io1, ExitCode.specError);
      return ExitCode.specError;
    }
    io.err(`effnet: internal error: ${e instanceof Error ? e.message : String(e)}\nThis is a bug in effnet; please report it with the spec that caused it.`);
    return ExitCode.specError;
  }
}
