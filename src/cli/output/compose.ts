/**
 * `--target all` writes one directory holding every target's artifact (OUT/model.onnx, OUT/tfjs/, ...), as one
 * directory artifact: the whole set appears at once or not at all, never a new model.onnx beside an old tfjs/.
 * A directory part keeps its own manifest, so the part alone (OUT/tfjs) is recognised as effnet's too.
 */
import type { Artifact, ArtifactFile } from '../../../backends/backend.js';
import { manifestBytes, MANIFEST_NAME } from './manifest.js';

export interface Part {
  /** For a file artifact, its file name in the directory; for a directory artifact, the subdirectory. */
  readonly name: string;
  readonly artifact: Artifact;
}

/** Bytes each part wrote, filled in as the composed artifact is written. */
export type PartBytes = Map<string, number>;

export function composeDirectory(parts: readonly Part[]): { artifact: Artifact; bytes: PartBytes; paths: Map<string, string[]> } {
  const bytes: PartBytes = new Map(parts.map((p) => [p.name, 0]));
  const paths = new Map<string, string[]>(parts.map((p) => [p.name, []]));
  const files: ArtifactFile[] = [];
  for (const { name, artifact } of parts) {
    const prefix = artifact.layout === 'directory' ? `${name}/` : '';
    const counted = (inner: ArtifactFile): ArtifactFile => ({
      // A getter, so a content-addressed file's name is read after its bytes, as the writer expects.
      get path() {
        return artifact.layout === 'file' && inner.path === '' ? name : prefix + inner.path;
      },
      *chunks() {
        for (const c of inner.chunks()) {
          bytes.set(name, bytes.get(name)! + c.byteLength);
          yield c;
        }
        paths.get(name)!.push(this.path);
      },
    });
    files.push(...artifact.files.map(counted));
    if (artifact.layout === 'directory') {
      // Listed after the part's files, so their names are final when it is produced.
      files.push({ path: `${prefix}${MANIFEST_NAME}`, *chunks() { yield manifestBytes(artifact.files.map((f) => f.path)); } });
    }
  }
  return { artifact: { layout: 'directory', files, summary: {} }, bytes, paths };
}
