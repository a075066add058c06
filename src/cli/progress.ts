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
