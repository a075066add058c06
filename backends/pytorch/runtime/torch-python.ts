/**
 * Finding a Python that imports torch, and running a written PyTorch artifact in it (`compile --verify`, the
 * tests). Runtime code, like backends/tfjs/runtime/: the backend itself never starts a process.
 *
 * The interpreter is $EFFNET_PYTHON when set (and then only that one: a variable that names the wrong Python
 * is a mistake to report, not to work around); otherwise the first of /usr/bin/python3 and python3 on PATH
 * that imports torch. Distributions package torch for their own python3 (Debian's python3-torch), which a
 * pyenv or venv python3 earlier on PATH does not see; hence /usr/bin/python3 first.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON_ENV = 'EFFNET_PYTHON';

export interface TorchPython {
  /** The interpreter to run. */
  readonly command: string;
  readonly torchVersion: string;
}

export type TorchLookup = { readonly ok: true; readonly python: TorchPython } | { readonly ok: false; readonly why: string };

/**
 * Whether torch is there, without importing it (an import takes seconds; the run that follows imports it
 * anyway and reports a broken install as a failed run). The version from the package metadata.
 */
const PROBE = `import importlib.util, importlib.metadata
if importlib.util.find_spec('torch') is None:
    raise SystemExit('ModuleNotFoundError: No module named torch')
try:
    print(importlib.metadata.version('torch'))
except importlib.metadata.PackageNotFoundError:
    print('(version unknown)')
`;

const PROBE_TIMEOUT_MS = 60_000;

function probe(command: string): { version?: string; why: string } {
  const r = spawnSync(command, ['-c', PROBE], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS });
  if (r.error) return { why: `${command}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message}` };
  if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    return { why: `${command}: ${last || `exit ${r.status ?? r.signal}`}` };
  }
  return { version: r.stdout.trim(), why: '' };
}

const cache = new Map<string, TorchLookup>();

/** The Python to run PyTorch artifacts with, or why there is none. Probed once per process and setting. */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): TorchLookup {
  const chosen = env[PYTHON_ENV];
  const key = chosen ?? '';
  const known = cache.get(key);
  if (known) return known;
  const candidates = chosen !== undefined && chosen !== '' ? [chosen] : ['/usr/bin/python3', 'python3'];
  const tried: string[] = [];
  let found: TorchLookup | undefined;
  for (const command of candidates) {
    const p = probe(command);
    if (p.version !== undefined) {
      found = { ok: true, python: { command, torchVersion: p.version } };
      break;
    }
    tried.push(p.why);
  }
  found ??= {
    ok: false,
    why: chosen ? `${PYTHON_ENV}=${chosen} does not import torch (${tried.join('; ')})` : `no Python here imports torch (${tried.join('; ')}); install torch, or set ${PYTHON_ENV} to a Python that has it`,
  };
  cache.set(key, found);
  return found;
}

/**
 * Loads model.py and model.safetensors from a PyTorch artifact directory, runs the module in eval mode on
 * the float32 NCHW batch in argv[2] (shape taken from the class's input_shape), and writes the output as
 * float32 to argv[3] and its shape as JSON to stdout. Binary, not JSON, for the values: NaN must survive.
 */
export const RUN_SCRIPT = `import importlib.util, json, os, struct, sys
import torch

directory, input_path, output_path = sys.argv[1:4]


def load(name):
    spec = importlib.util.spec_from_file_location('effnet_artifact_' + name, os.path.join(directory, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


model_py, load_py = load('model'), load('load')
cls = getattr(model_py, model_py.__all__[0])
model = cls()
model.load_state_dict(load_py.read_safetensors(os.path.join(directory, 'model.safetensors')))
model.eval()
with open(input_path, 'rb') as f:
    x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape((-1,) + tuple(cls.input_shape))
with torch.no_grad():
    y = model(x).contiguous()
values = y.flatten().tolist()
with open(output_path, 'wb') as f:
    f.write(struct.pack('<%df' % len(values), *values))
print(json.dumps({'shape': list(y.shape), 'torch': torch.__version__}))
`;

export interface TorchOutput {
  readonly shape: number[];
  readonly data: Float32Array;
  readonly torchVersion: string;
}

/** Runs the artifact in `directory` on an NCHW float32 batch. */
export async function runTorchArtifact(python: TorchPython, directory: string, nchw: Float32Array, timeoutMs = 600_000): Promise<TorchOutput> {
  const work = mkdtempSync(join(tmpdir(), 'effnet-torch-'));
  try {
    const input = join(work, 'input.f32');
    const output = join(work, 'output.f32');
    writeFileSync(input, new Uint8Array(nchw.buffer, nchw.byteOffset, nchw.byteLength));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(python.command, ['-c', RUN_SCRIPT, directory, input, output], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 }, (e, out, err) => {
        if (e) reject(new Error(`${python.command} could not run ${directory}: ${err.trim().split('\n').at(-1) || e.message}`));
        else resolve(out);
      });
    });
    const meta = JSON.parse(stdout.trim().split('\n').at(-1)!) as { shape: number[]; torch: string };
    const bytes = readFileSync(output);
    const data = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(data.buffer).set(bytes);
    return { shape: meta.shape, data, torchVersion: meta.torch };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
