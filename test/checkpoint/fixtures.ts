/**
 * Fixture builders for the checkpoint tests: safetensors files and zip archives written byte by byte, and the
 * Debian python3 with torch that writes real torch.save files. Everything is built during the test run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/checkpoint.js';

export const python = '/usr/bin/python3';

/** Why the torch-backed tests cannot run here, or undefined when they can. */
export const torchMissing: string | undefined = (() => {
  if (!existsSync(python)) return `${python} does not exist`;
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${python} cannot import torch (apt-get install python3-torch)`;
  }
})();
if (torchMissing) console.warn(`checkpoint tests backed by PyTorch are skipped: ${torchMissing}`);

/** Runs a Python script with arguments; returns its stdout. */
export function runPython(script: string, ...args: string[]): string {
  return execFileSync(python, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

export function tempDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `effnet-checkpoint-${tag}-`));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

export function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

export const f32Bytes = (values: readonly number[]) => new Uint8Array(new Float32Array(values).buffer);
export const f64Bytes = (values: readonly number[]) => new Uint8Array(new Float64Array(values).buffer);
export const u16Bytes = (values: readonly number[]) => new Uint8Array(new Uint16Array(values).buffer);
export const i64Bytes = (values: readonly bigint[]) => new Uint8Array(new BigInt64Array(values).buffer);

/** A safetensors file from a raw JSON header (exactly as given) and the data section. */
export function safetensorsRaw(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = utf8(header);
  return concat([u64(h.byteLength), h, data]);
}

export interface TensorFixture {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** A well-formed safetensors file: tensors laid out in order, header padded to 8 bytes as the reference does. */
export function safetensorsFile(tensors: readonly TensorFixture[], metadata?: Record<string, string>): Uint8Array {
  // Written member by member: JSON.stringify of an object would move integer-like names to the front.
  const members = metadata ? [`"__metadata__":${JSON.stringify(metadata)}`] : [];
  let at = 0;
  for (const t of tensors) {
    members.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.bytes.byteLength] })}`);
    at += t.bytes.byteLength;
  }
  let json = `{${members.join(',')}}`;
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  return safetensorsRaw(json, concat(tensors.map((t) => t.bytes)));
}

export interface ZipEntryFixture {
  readonly name: string;
  readonly data: Uint8Array;
  /** Deflate the entry (default: stored, as torch.save writes). */
  readonly deflate?: boolean;
  /** Lie in both headers about the inflated size (zip bombs). */
  readonly declaredSize?: number;
}

/** A minimal zip archive (no CRCs: yauzl does not check them, and neither do the readers). */
export function zipFile(entries: readonly ZipEntryFixture[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = utf8(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const size = e.declaredSize ?? e.data.byteLength;
    const local = new Uint8Array(30 + name.byteLength);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.deflate ? 8 : 0, true);
    lv.setUint32(18, body.byteLength, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.byteLength, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.byteLength);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.deflate ? 8 : 0, true);
    cv.setUint32(20, body.byteLength, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.byteLength, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.byteLength + body.byteLength;
  }
  const directory = concat(centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directory.byteLength, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, directory, end]);
}

/** Runs `body` and expects a CheckpointError (never another exception type) whose message matches. */
export async function expectCheckpointError(body: () => unknown, message: RegExp): Promise<CheckpointError> {
  let thrown: unknown;
  try {
    await body();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  expect((thrown as Error).message).toMatch(message);
  return thrown as CheckpointError;
}
