/**
 * Helpers for the PyTorch backend tests: write an artifact to a temporary directory, and run Python scripts
 * against it in the interpreter the backend's runtime picks (EFFNET_PYTHON, /usr/bin/python3, python3).
 * Without a Python that has torch the torch tests skip and say why, as the ONNX checker tests do.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Artifact } from '../../../backends/backend.js';
import { pytorchBackend, type PytorchEmitOptions } from '../../../backends/pytorch/pytorch-backend.js';
import { findTorchPython } from '../../../backends/pytorch/runtime/torch-python.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import type { Graph } from '../../../src/ir/graph.js';

export const torchLookup = findTorchPython();
export const hasTorch = torchLookup.ok;
export const noTorchReason = torchLookup.ok ? '' : torchLookup.why;

export function tempDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `effnet-pytorch-${tag}-`));
}

export const defaults: PytorchEmitOptions = { seed: 0, weights: 'random' };

export function emitPytorch(graph: Graph, options: Partial<PytorchEmitOptions> = {}): Artifact {
  return pytorchBackend.emit(graph, { ...defaults, ...options });
}

/** Writes the artifact into `dir` (created by the writer) and returns it. */
export async function writePytorch(graph: Graph, dir: string, options: Partial<PytorchEmitOptions> = {}): Promise<string> {
  await writeArtifact(emitPytorch(graph, options), dir);
  return dir;
}

/** The bytes of one of the artifact's files, by path. */
export function fileBytes(artifact: Artifact, name: string): Buffer {
  const f = artifact.files.find((x) => x.path === name);
  if (!f) throw new Error(`the artifact has no ${name}`);
  return Buffer.concat([...f.chunks()].map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

/**
 * Python the test scripts share: load an artifact directory's model.py and load.py as modules (unique names,
 * so one process can hold many models), build the class and load its weights with strict=True.
 */
export const PRELUDE = `import importlib.util, json, os, struct, sys, time
import torch


def load_artifact(directory, tag):
    modules = []
    for name in ('model', 'load'):
        spec = importlib.util.spec_from_file_location(f'{tag}_{name}', os.path.join(directory, name + '.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # so pickling (torch.save of a model, DDP) finds its classes
        spec.loader.exec_module(module)
        modules.append(module)
    model_py, load_py = modules
    return getattr(model_py, model_py.__all__[0]), load_py


def build(directory, tag):
    cls, load_py = load_artifact(directory, tag)
    model = cls()
    model.load_state_dict(load_py.read_safetensors(os.path.join(directory, 'model.safetensors')), strict=True)
    return model


def read_f32(path, shape):
    with open(path, 'rb') as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)


def write_f32(path, tensor):
    values = tensor.detach().contiguous().flatten().tolist()
    with open(path, 'wb') as f:
        f.write(struct.pack('<%df' % len(values), *values))
`;

export interface PythonRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Writes `script` (after the prelude) to `dir`/name and runs it with `args`; rejects with its stderr on failure. */
export function runPython(dir: string, name: string, script: string, args: readonly string[] = [], timeoutMs = 300_000): Promise<PythonRun> {
  if (!torchLookup.ok) throw new Error(noTorchReason);
  const file = path.join(dir, name);
  writeFileSync(file, `${PRELUDE}\n\n${script}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(torchLookup.python.command, [file, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' } }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${name} failed (${e.killed ? `killed after ${timeoutMs} ms` : `exit ${e.code}`}):\n${stderr.slice(-4000)}`));
      else resolve({ stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The last line of a script's stdout, parsed as JSON. */
export function lastJson<T>(run: PythonRun): T {
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function writeF32(file: string, data: Float32Array): void {
  writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
