/**
 * Side files of a single-file artifact (ONNX external data) are named after their content:
 * `OUT.<first 16 hex digits of the sha256 of the bytes>.<ext>`. The model file names the side file it was
 * written with, so a reader never pairs a new model with old data or the reverse, even when a write is killed
 * between the two renames; the writer removes superseded side files once the new model is in place.
 */
import { createHash } from 'node:crypto';
import type { ArtifactFile } from './backend.js';

export const DIGEST_CHARS = 16;

/** Names `OUT.<digest>.<ext>` (the pattern the writer uses to find superseded side files). */
export const sideFileName = (out: string, digest: string, ext: string) => `${out}.${digest}.${ext}`;
export const sideFilePattern = (out: string) => new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{${DIGEST_CHARS}}\\.[a-z]+$`);

/** A placeholder of the digest's length: names computed from it have the final length. */
export const PENDING_DIGEST = '0'.repeat(DIGEST_CHARS);

export interface ContentAddressedFile extends ArtifactFile {
  /** The digest, once chunks() has been consumed to the end. */
  digest(): string;
}

/** Wraps a chunk producer: hashes the bytes as they go, and knows its name once they are all out. */
export function contentAddressedFile(out: string, ext: string, produce: () => Iterable<Uint8Array>): ContentAddressedFile {
  let digest: string | undefined;
  return {
    get path(): string {
      if (digest === undefined) throw new Error('internal: a content-addressed file is named only after its bytes are produced');
      return sideFileName(out, digest, ext);
    },
    *chunks() {
      const hash = createHash('sha256');
      for (const chunk of produce()) {
        hash.update(chunk);
        yield chunk;
      }
      digest = hash.digest('hex').slice(0, DIGEST_CHARS);
    },
    digest() {
      if (digest === undefined) throw new Error('internal: the side file must be produced before the file that names it');
      return digest;
    },
  };
}
