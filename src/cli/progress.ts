/** A progress bar on stderr, drawn only when stderr is a terminal (logs and CI stay clean). */
import type { Io } from './io.js';

export interface Progress {
  tick(label?: string): void;
  done(): void;
}

export function progressBar(io: Io, total: number, title: string): Progress {
  if (!io.errIsTTY || total <= 1) return { tick: () => {}, done: () => {} };
  let n = 0;
  const draw = (label: string) => {
    const width = 30;
    const filled = Math.round((n / total) * width);
    process.stderr.write(`\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total} ${label}`.slice(0, (process.stderr.columns ?? 100) - 1).padEnd(Math.min(100, (process.stderr.columns ?? 100) - 1)));
  };
  draw('');
  return {
    tick: (label = '') => {
      n++;
      draw(label);
    },
    done: () => process.stderr.write('\n'),
  };
}

/**
 * A byte-count bar for writing a model whose size is known only roughly (weights are generated as they are
 * written); drawn at most every 100 ms, and only for outputs big enough to take a while.
 */
export function byteProgress(io: Io, expectedBytes: number, title: string): ((bytes: number) => void) & { done(): void } {
  let last = 0;
  const active = io.errIsTTY && expectedBytes >= 32e6;
  const update = Object.assign(
    (bytes: number) => {
      if (!active) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const ratio = Math.min(1, bytes / expectedBytes);
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(bytes / 1e6).toFixed(0)} / ~${(expectedBytes / 1e6).toFixed(0)} MB`);
    },
    { done: () => { if (active) process.stderr.write('\n'); } },
  );
  return update;
}
