/**
 * For the benchmark only: tfjs-backend-wasm's multi-threaded build in Node 20, which TF.js itself does not
 * use there. Three things stand in the way, each found by trying:
 *
 * 1. WASM_HAS_MULTITHREAD_SUPPORT is false whenever IS_NODE (a TODO in tfjs, tfjs issue 3830): set it.
 * 2. The backend hands Emscripten its pthread worker script as a blob: URL, which Node's Worker refuses
 *    (ERR_WORKER_PATH), and posts the main script to each worker as a Blob, which the worker cannot
 *    importScripts. A global Worker that runs the package's own worker script (wasm-out/*.worker.js, the same
 *    text) with `eval: true` and posts the main script's path instead gets the workers to load.
 * 3. The backend caps its pool at os.cpus().length / 2 (it assumes two hyperthreads a core), 1 on a 2-vCPU
 *    machine: os.cpus() reports twice the cores while the backend initialises.
 *
 * This patches globals, so it lives here and runs in a child process of its own; effnet itself never does it.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import type * as TfModule from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

export async function useThreadedWasm(threads: number): Promise<{ tf: typeof TfModule; threads: number }> {
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The script is a template literal's value: its "\n" escapes became newlines inside string literals.
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (String(url).startsWith('blob:')) super(workerSource, { eval: true });
      else super(url, options);
    }
    override postMessage(message: unknown, transfer?: Parameters<NodeWorker['postMessage']>[1]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      super.postMessage(m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: mainScript } : message, transfer);
    }
  }
  // Emscripten assigns Worker = worker_threads.Worker when it starts; keep ours.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });

  const tf = (await import('@tensorflow/tfjs')) as typeof TfModule;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.join(pkg, 'dist') + '/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const cpus = os.cpus;
  os.cpus = () => [...cpus(), ...cpus()];
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not initialise');
    await tf.ready();
  } finally {
    os.cpus = cpus;
  }
  return { tf, threads: wasm.getThreadsCount() };
}
