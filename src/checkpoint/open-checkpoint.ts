/**
 * One entry point for every checkpoint format: readCheckpoint detects the format from the bytes (never from
 * the extension) and hands the source to its reader; anything else is refused with what the file looks like
 * and which formats are accepted.
 *
 * openCheckpointPath is the I/O edge the CLI calls: it stats the path, opens the file (or a TF.js
 * directory's model.json and its shards) as file sources, and prefixes errors with the path. Everything
 * below it is a pure function of the bytes.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { concatSources, fileSource, type ByteSource } from './byte-source.js';
import { CheckpointError, detectFormat, type Checkpoint } from './checkpoint.js';
import { readPytorch } from './pytorch-zip.js';
import { readSafetensors } from './safetensors.js';
import { readTfjsLayers, tfjsShardPaths } from './tfjs-layers.js';

/** model.json holds topology and manifest only; even very large models keep it to a few MB. */
export const MAX_MODEL_JSON_BYTES = 100_000_000;

export const acceptedFormats =
  'effnet reads safetensors files, PyTorch torch.save files (.pt, .pth, .bin; PyTorch 1.6 or later) and TF.js layers models (model.json with its weight shards)';

export interface ReadCheckpointOptions {
  /** Opens a TF.js weight shard named in model.json (relative to its directory); without it, model.json is refused. */
  readonly openShard?: (shard: string) => ByteSource;
}

/** Reads whichever checkpoint format `src` holds. */
export async function readCheckpoint(src: ByteSource, options: ReadCheckpointOptions = {}): Promise<Checkpoint> {
  const head = src.read(0, Math.min(src.size, 4096));
  switch (detectFormat(head, src.size)) {
    case 'safetensors':
      return readSafetensors(src);
    case 'pytorch':
      return readPytorch(src);
    case 'tfjs-layers': {
      if (src.size > MAX_MODEL_JSON_BYTES) throw new CheckpointError(`a TF.js model.json of ${src.size} bytes, more than the ${MAX_MODEL_JSON_BYTES} it may be`);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(src.read(0, src.size));
      } catch {
        throw new CheckpointError('TF.js model.json: not valid UTF-8');
      }
      const shards = tfjsShardPaths(text);
      if (!options.openShard) throw new CheckpointError('a TF.js model.json: its weights are in separate shard files, so it has to be opened by path');
      return readTfjsLayers(text, concatSources(shards.map(options.openShard)));
    }
    case undefined:
      throw new CheckpointError(`not a checkpoint: the file is ${describeBytes(head, src.size)}. ${acceptedFormats}`);
  }
}

/** What a file that is not a checkpoint looks like, from its first bytes. */
export function describeBytes(head: Uint8Array, size: number): string {
  const starts = (...bytes: number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
  const ascii = (s: string) => starts(...Array.from(s, (c) => c.charCodeAt(0)));
  if (size === 0) return 'empty';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (ascii('GIF8')) return 'a GIF image';
  if (starts(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)) return 'an HDF5 file (a Keras .h5 model?); convert it to a TF.js layers model or safetensors';
  // torch.save's legacy format: protocol 2, then the magic number 0x1950a86a20f9469cfc6c as a LONG1.
  if (starts(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)) {
    return 'a PyTorch file in the legacy format (before PyTorch 1.6, or saved with _use_new_zipfile_serialization=False); load and re-save it with torch.save in PyTorch 1.6 or later';
  }
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'a Python pickle, not a torch.save archive';
  if (starts(0x1f, 0x8b)) return 'gzip-compressed; decompress it first';
  if (starts(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)) return 'a NumPy .npy array';
  if (starts(0x50, 0x4b, 0x05, 0x06)) return 'an empty zip archive';
  if (starts(0x7f, 0x45, 0x4c, 0x46)) return 'an executable (ELF)';
  // ONNX ModelProto: field 1 (ir_version) as a small varint, then another field such as producer_name or graph.
  if (head[0] === 0x08 && head[1]! >= 1 && head[1]! <= 20 && [0x12, 0x1a, 0x22, 0x2a, 0x3a, 0x42].includes(head[2]!)) {
    return 'an ONNX model (effnet writes these; trained weights come from safetensors, PyTorch or TF.js files)';
  }
  // Text, unless something but a character cut off at the end of the sample fails to decode.
  const decoded = new TextDecoder('utf-8').decode(head.subarray(0, 512)).replace(/\uFFFD{1,3}$/, '');
  const text = decoded.includes('\uFFFD') ? undefined : decoded;
  if (text !== undefined && !/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) {
    if (/^\uFEFF?\s*[{[]/.test(text)) return 'a JSON file, but not a TF.js model.json (it names no modelTopology or weightsManifest near its start)';
    const line = text.trim().split(/\r?\n/)[0]!;
    const sample = line.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
    return `plain text ("${sample}${sample.length < text.trim().length ? '...' : ''}")`;
  }
  const first = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised binary data (first bytes ${first})`;
}

/** A checkpoint read from the file system; its tensors read from open files until close() is called. */
export interface OpenedCheckpoint extends Checkpoint {
  /** The file read: the path given, or a TF.js directory's model.json. */
  readonly path: string;
  close(): void;
}

const fsReasons: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
};

/** A file-system error as a CheckpointError in plain words; anything else passes through. */
function fsError(e: unknown, what: string): unknown {
  const reason = fsReasons[(e as NodeJS.ErrnoException)?.code ?? ''];
  return reason ? new CheckpointError(what === 'it' ? reason : `cannot open ${what}: ${reason}`) : e;
}

/**
 * Opens a checkpoint by path: a safetensors or torch.save file, a TF.js model.json, or a directory holding
 * model.json. Errors are CheckpointErrors whose message starts with the path. Call close() when done.
 */
export async function openCheckpointPath(target: string): Promise<OpenedCheckpoint> {
  const opened: { close(): void }[] = [];
  const close = () => {
    for (const s of opened.splice(0)) s.close();
  };
  const open = (file: string, what: string) => {
    try {
      const src = fileSource(file);
      opened.push(src);
      return src;
    } catch (e) {
      throw fsError(e, what);
    }
  };
  let file = target;
  try {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(target).isDirectory();
    } catch (e) {
      throw fsError(e, 'it');
    }
    if (isDirectory) {
      try {
        statSync(path.join(target, 'model.json'));
      } catch {
        throw new CheckpointError(`a directory without model.json; ${acceptedFormats}`);
      }
      file = path.join(target, 'model.json');
    }
    const dir = path.dirname(file);
    const ckpt = await readCheckpoint(open(file, 'it'), { openShard: (shard) => open(path.join(dir, shard), `weight shard ${shard}`) });
    return { ...ckpt, path: file, close };
  } catch (e) {
    close();
    if (e instanceof CheckpointError) throw new CheckpointError(`${file}: ${e.message}`);
    throw e;
  }
}
