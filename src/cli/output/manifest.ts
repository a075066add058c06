/**
 * Every directory effnet writes holds `effnet-manifest.json`, listing the files it wrote. It is how a later
 * run knows the directory is effnet's to replace: a directory without one (a project folder, a model a user
 * saved with model.save) is never replaced, nor is one holding files the manifest does not list.
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { version } from '../../version.js';

export const MANIFEST_NAME = 'effnet-manifest.json';

export interface Manifest {
  readonly generatedBy: string;
  /** Paths relative to the directory, '/'-separated, the manifest itself not included. */
  readonly files: readonly string[];
}

export function manifestBytes(files: readonly string[]): Uint8Array {
  const m: Manifest = { generatedBy: `effnet ${version}`, files: [...files].sort() };
  return new TextEncoder().encode(JSON.stringify(m, null, 2) + '\n');
}

/** The manifest of a directory, or undefined when there is none or it is not effnet's. */
export function readManifest(dir: string): Manifest | undefined {
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(join(dir, MANIFEST_NAME), 'utf8'));
  } catch {
    return undefined;
  }
  const files = (m as Manifest)?.files;
  if (typeof (m as Manifest)?.generatedBy !== 'string' || !(m as Manifest).generatedBy.startsWith('effnet') || !Array.isArray(files) || !files.every((f) => typeof f === 'string')) return undefined;
  return m as Manifest;
}

/** Every file (and symlink, and special file) below dir, as '/'-separated relative paths; directories are walked. */
export function filesBelow(dir: string, limit = 100_000): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }) as Dirent[]) {
      if (out.length >= limit) return;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}
