/** The CLI's window on the world, passed in so commands can be run (and tested) in-process. */
export interface Io {
  /** Results. */
  out(text: string): void;
  /** Diagnostics, logs, progress. */
  err(text: string): void;
  /** Raw bytes to standard output ('-o -'); resolves once they are handed over. */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  /** Colour on stderr: only on a TTY and never with NO_COLOR. */
  readonly color: boolean;
  /** Progress bars only make sense on a terminal. */
  readonly errIsTTY: boolean;
  /** Text shown on a terminal has its control characters escaped (fmt's output is the file's bytes otherwise). */
  readonly outIsTTY?: boolean;
}

export function processIo(): Io {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    writeBytes: (bytes) => new Promise<void>((resolve, reject) => {
      process.stdout.write(bytes, (e) => (e ? reject(e) : resolve()));
    }),
    color: !noColor && process.stderr.isTTY === true,
    errIsTTY: process.stderr.isTTY === true,
    outIsTTY: process.stdout.isTTY === true,
  };
}

/** Exit codes, documented in the README. */
export const ExitCode = { ok: 0, specError: 1, usage: 2 } as const;

/** A mistake in how the command was called (bad flag value, missing file): exit code 2. */
export class UsageError extends Error {}
