/**
 * Reading an input file, bounded. Whatever the path names (a file, a pipe such as `<(generate)`, standard
 * input as `-`, a link to /dev/zero), at most `limit` bytes are read; an input that does not end by then is
 * refused, so no input can make effnet read without end or hold more than a few MB.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { escapeControls } from '../diagnostics/control-characters.js';
import { reasonOf } from './output/fs-errors.js';
import { UsageError } from './io.js';

/** The most effnet reads from a spec (specs are a few KB). */
export const SPEC_LIMIT = 4 * 1024 * 1024;

export const STDIN = '-';
/** How diagnostics name standard input. */
export const STDIN_NAME = '<stdin>';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** readSync that waits out EAGAIN: standard input may be a non-blocking pipe. */
function readBlocking(fd: number, buf: Uint8Array, at: number): number {
  for (let tries = 0; ; tries++) {
    try {
      return readSync(fd, buf, at, buf.length - at, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN' || tries > 60_000) throw e;
      Atomics.wait(sleeper, 0, 0, 5);
    }
  }
}

export const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n / 1024} KiB`);

/** Reads a whole input of at most `limit` bytes; `what` names it in messages ('spec', 'labels file'). */
export function readInput(path: string, limit: number = SPEC_LIMIT, what = 'file'): Uint8Array {
  const shown = escapeControls(path);
  const cannot = (why: string) => new UsageError(`cannot read ${shown}: ${why}`);
  let fd: number;
  if (path === STDIN) fd = 0;
  else {
    try {
      if (statSync(path).isDirectory()) throw cannot('is a directory');
      fd = openSync(path, 'r');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw cannot(code === 'ENOENT' ? 'no such file' : reasonOf(code) ?? String(code ?? e));
    }
  }
  try {
    // One byte more than the limit tells a file of exactly `limit` bytes from a longer one.
    let buf = new Uint8Array(Math.min(limit + 1, 64 * 1024));
    let size = 0;
    for (;;) {
      if (size === buf.length) {
        if (buf.length > limit) break;
        const bigger = new Uint8Array(Math.min(limit + 1, buf.length * 4));
        bigger.set(buf);
        buf = bigger;
      }
      const n = readBlocking(fd, buf, size);
      if (n === 0) break;
      size += n;
    }
    if (size > limit) throw cannot(`the ${what} is larger than ${formatBytes(limit)}, the most effnet reads from one; check that the path names the right file`);
    return buf.subarray(0, size);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw cannot(code === 'EISDIR' ? 'is a directory' : reasonOf(code) ?? String(code ?? e));
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/** The name diagnostics use for an input path. */
export const inputName = (path: string) => (path === STDIN ? STDIN_NAME : path);
