/**
 * The overwrite rule, applied before a single byte is generated. An output that exists is replaced only if it
 * is a regular file (for a file output), or a directory effnet wrote (for a directory output: it holds an
 * effnet manifest, and nothing the manifest does not list). Anything else is refused and left untouched: a
 * directory of the user's, a device node, a FIFO or a socket, or an output that is, or lies inside, one of the
 * command's inputs. A symbolic link is followed: the file it points at is what gets replaced, so a link stays
 * a link. `-` (or /dev/stdout) writes a single-file output to standard output.
 *
 * On macOS the same rules hold. On Windows, symbolic links need privileges to create and are rare, and a
 * file that another process holds open cannot be replaced: the rename fails and the old output stays.
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../io.js';
import { filesBelow, MANIFEST_NAME, readManifest } from './manifest.js';
import { cleanStaleTemporaries } from './temporaries.js';

export type OutputLayout = 'file' | 'directory';

export interface OutputTarget {
  /** The path as the user wrote it: what messages print. */
  readonly shown: string;
  /** Where the bytes go: the symlink's target when the path is a link, else the path itself. */
  readonly path: string;
  /** Write to standard output instead of a file. */
  readonly stdout: boolean;
  /** What is there now. */
  readonly existing: 'missing' | 'file' | 'directory';
  /** Permission bits to give the new output: the replaced file's, or undefined for the default. */
  readonly mode?: number;
}

const STDOUT_NAMES = new Set(['-', '/dev/stdout']);

function kindOfStats(s: Stats): string {
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The absolute, link-free path a (possibly missing) path would have: for comparing outputs with inputs. */
export function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

const inside = (child: string, parent: string) => child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/** Refuses an output that is an input, lies inside an input directory, or (a directory output) holds an input. */
export function checkNotAnInput(shown: string, output: string, layout: OutputLayout, inputs: readonly string[]): void {
  const out = canonicalPath(output);
  for (const input of inputs) {
    const inp = canonicalPath(input);
    if (out === inp) throw new UsageError(`cannot write ${shown}: it is the input ${input}; choose another output path`);
    if (inside(out, inp)) throw new UsageError(`cannot write ${shown}: it lies inside the input directory ${input}`);
    if (layout === 'directory' && inside(inp, out)) throw new UsageError(`cannot write ${shown}: the input ${input} lies inside it, and writing would replace it`);
  }
}

/** Why an existing directory may not be replaced, or undefined when it may. */
function foreignDirectory(dir: string): string | undefined {
  let present: string[];
  try {
    present = filesBelow(dir, 1000);
  } catch (e) {
    return `it cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  if (present.length === 0) return undefined; // an empty directory holds nothing to lose
  const manifest = readManifest(dir);
  if (!manifest) return `it is a directory effnet did not write (it has no ${MANIFEST_NAME}), and it is not empty`;
  const listed = new Set([...manifest.files, MANIFEST_NAME]);
  const extra = present.filter((f) => !listed.has(f));
  if (extra.length === 0) return undefined;
  const shownExtra = extra.slice(0, 5).join(', ') + (extra.length > 5 ? `, and ${extra.length - 5} more` : '');
  return `it holds files effnet did not write (${shownExtra}), which replacing it would delete`;
}

/** Resolves and checks an output path; throws UsageError (exit 2) when the rule refuses it. */
export function outputTarget(shown: string, layout: OutputLayout, inputs: readonly string[] = []): OutputTarget {
  if (STDOUT_NAMES.has(shown)) {
    if (layout === 'directory') throw new UsageError(`cannot write ${shown}: this output is a directory of files, not one stream; give a directory path`);
    return { shown, path: shown, stdout: true, existing: 'missing' };
  }
  // A run killed mid-swap may have moved the old output aside: put it back first, so the rule judges what is
  // really there (and remove dead runs' temporaries).
  cleanStaleTemporaries(shown);
  let link: Stats | undefined;
  try {
    link = lstatSync(shown);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UsageError(`cannot write ${shown}: a component of the path is not a directory`);
    if (code === 'EACCES') throw new UsageError(`cannot write ${shown}: permission denied`);
  }
  let path = shown;
  let st = link;
  if (link?.isSymbolicLink()) {
    try {
      path = realpathSync(shown);
      st = statSync(path);
    } catch {
      throw new UsageError(`cannot write ${shown}: it is a symbolic link to a missing file; remove the link or point it at a file`);
    }
  }
  checkNotAnInput(shown, path, layout, inputs);
  if (!st) return { shown, path, stdout: false, existing: 'missing' };
  if (layout === 'file') {
    if (st.isDirectory()) throw new UsageError(`cannot write ${shown}: is a directory`);
    if (!st.isFile()) throw new UsageError(`cannot write ${shown}: it is ${kindOfStats(st)}; effnet replaces only regular files (write '-o -' for standard output)`);
    return { shown, path, stdout: false, existing: 'file', mode: st.mode & 0o7777 };
  }
  if (st.isFile()) throw new UsageError(`cannot write ${shown}: it exists and is a file, not a directory`);
  if (!st.isDirectory()) throw new UsageError(`cannot write ${shown}: it is ${kindOfStats(st)}`);
  const why = foreignDirectory(path);
  if (why) throw new UsageError(`refusing to replace ${shown}: ${why}; choose a new output path, or remove it yourself`);
  return { shown, path, stdout: false, existing: 'directory', mode: st.mode & 0o7777 };
}
