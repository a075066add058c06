/**
 * The runtimes effnet needs only to run a model (onnxruntime-node, TF.js and its wasm backend) are optional
 * peer dependencies: a project that installs effnet to compile and report never downloads them, and never
 * runs onnxruntime-node's install script (which fetches CUDA binaries where it finds nvcc, and fails
 * offline). They are imported on first use, and a missing one is named, with the command that installs it.
 */

/** A runtime package that is not installed; the CLI reports it as a usage error (exit 2). */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';
  constructor(readonly packageName: string, readonly purpose: string) {
    super(`${purpose} needs the optional package ${packageName}, which is not installed: npm install ${packageName}`);
  }
}

/** Whether an import failed because `name` itself (not one of its own imports) is missing. */
function isMissing(e: unknown, name: string): boolean {
  const err = e as NodeJS.ErrnoException;
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'MODULE_NOT_FOUND') return false;
  return typeof err.message === 'string' && err.message.includes(`'${name}'`);
}

/**
 * `load` is the literal `() => import('pkg')`, so TypeScript keeps the package's types; `name` and `purpose`
 * make the message ("running ONNX files needs the optional package onnxruntime-node ...").
 */
export async function importOptional<T>(name: string, purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isMissing(e, name)) throw new MissingPackageError(name, purpose);
    throw e;
  }
}
