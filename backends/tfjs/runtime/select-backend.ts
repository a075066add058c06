/**
 * Picks the fastest TF.js backend present: @tensorflow/tfjs-node-gpu (CUDA), else @tensorflow/tfjs-node
 * (libtensorflow on the CPU), else @tensorflow/tfjs-backend-wasm, else the pure-JS cpu backend. The two node
 * packages download libtensorflow when installed, so effnet does not depend on them: they are found at run
 * time by dynamic import and used when a user has installed them. The caller is told which backend runs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';
import { importOptional, MissingPackageError } from '../../optional-package.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface SelectedBackend {
  /** The TF.js namespace to use (tfjs-node's when it was loaded, since it registers its backend on its own core). */
  readonly tf: typeof TfModule;
  /** TF.js's backend name: 'tensorflow', 'wasm' or 'cpu'. */
  readonly backend: string;
  /** For humans: which package, and why the faster ones were not used. */
  readonly description: string;
}

/** The packages are optional: importing them by a computed name keeps TypeScript and bundlers from requiring them. */
async function tryImport(name: string): Promise<typeof TfModule | undefined> {
  try {
    return (await import(name)) as typeof TfModule;
  } catch {
    return undefined;
  }
}

/** The directory holding tfjs-backend-wasm's .wasm files, which the backend fetches (reads, in Node) at init. */
export function wasmDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

async function useWasm(tf: typeof TfModule): Promise<'ok' | 'missing' | 'failed'> {
  try {
    const wasm = await importOptional('@tensorflow/tfjs-backend-wasm', 'the TF.js wasm backend', () => import('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(wasmDirectory());
    return (await tf.setBackend('wasm')) ? 'ok' : 'failed';
  } catch (e) {
    return e instanceof MissingPackageError ? 'missing' : 'failed';
  }
}

export async function selectBackend(choice: BackendChoice = 'auto'): Promise<SelectedBackend> {
  const skipped: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const tf = await tryImport(pkg);
      if (tf && (await tf.setBackend('tensorflow'))) {
        await tf.ready();
        return { tf, backend: 'tensorflow', description: `tensorflow (${pkg})` };
      }
      skipped.push(tf ? `${pkg} failed to initialise` : `${pkg} not installed`);
    }
    if (choice === 'tensorflow') {
      throw new Error(`--backend tensorflow needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (${skipped.join('; ')}); install one with npm`);
    }
  }
  const tf = (await importOptional('@tensorflow/tfjs', 'running TF.js models', () => import('@tensorflow/tfjs'))) as typeof TfModule;
  if (choice === 'auto' || choice === 'wasm') {
    const wasm = await useWasm(tf);
    if (wasm === 'ok') {
      await tf.ready();
      return { tf, backend: 'wasm', description: `wasm (@tensorflow/tfjs-backend-wasm${skipped.length ? `; ${skipped.join(', ')}` : ''})` };
    }
    if (choice === 'wasm' && wasm === 'missing') throw new MissingPackageError('@tensorflow/tfjs-backend-wasm', '--backend wasm');
    if (choice === 'wasm') throw new Error('--backend wasm: @tensorflow/tfjs-backend-wasm failed to initialise');
    skipped.push(wasm === 'missing' ? '@tensorflow/tfjs-backend-wasm not installed' : 'wasm failed to initialise');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu', description: `cpu (pure JavaScript${skipped.length ? `; ${skipped.join(', ')}` : ''})` };
}
