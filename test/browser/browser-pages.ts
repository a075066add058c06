/**
 * The two pages the browser tests and the browser benchmark run: a TF.js model, LayersModel or graph model
 * (tf.min.js, plus tfjs-backend-webgpu for webgpu), and an ONNX file in onnxruntime-web (wasm or webgpu execution provider).
 * Each page loads the model over HTTP, predicts once (the first predict compiles the shaders), then `runs`
 * more times, and reports the first logits with the three timings. The runtimes' dist files are served from
 * node_modules.
 */
import path from 'node:path';
import { packageDir, runPage, type GpuApi, type PageResult, type Route } from './browser-harness.js';

/** What a page reports. */
export interface BrowserRun {
  /** What ran: the TF.js backend (tf.getBackend()) or the ORT execution provider asked for. */
  readonly runtime: string;
  /** One line naming the GPU: the WebGL renderer or the WebGPU adapter ("google swiftshader ..."). */
  readonly device: string;
  /** The GPU as the page saw it: renderer and vendor, or the adapter's info fields. */
  readonly gpu: Readonly<Record<string, unknown>>;
  /** tf.loadLayersModel, tf.loadGraphModel or ort.InferenceSession.create, ms. */
  readonly loadMs: number;
  /** The first predict, read back to the CPU: shader compilation (and wasm warm-up) included, ms. */
  readonly firstMs: number;
  /** Each later predict, read back, ms. */
  readonly steadyMs: readonly number[];
  /** The output's shape and its values after the first predict. */
  readonly shape: readonly number[];
  readonly logits: readonly number[];
  /** Runtime facts worth logging: float32 render targets, thread count, cross-origin isolation, versions. */
  readonly notes: Readonly<Record<string, unknown>>;
}

export type TfjsBrowserBackend = 'webgl' | 'webgpu';
export type OrtBrowserProvider = 'wasm' | 'webgpu';

interface Common {
  /** The input, batch 1, in the model's layout (NHWC for TF.js, NCHW for ONNX). */
  readonly input: Float32Array;
  readonly shape: readonly number[];
  /** Predicts after the first (0, the default: only the first). */
  readonly runs?: number;
  /** Stop the later predicts once this much time has passed since they began, after at least one (ms). */
  readonly budgetMs?: number;
  readonly timeoutMs?: number;
}

const inputRoute = (input: Float32Array): Route => ({ type: 'application/octet-stream', body: new Uint8Array(input.buffer, input.byteOffset, input.byteLength) });
const json = (value: unknown): Route => ({ type: 'application/json', body: JSON.stringify(value) });

const tfjsPage = (backend: TfjsBrowserBackend) => `<!doctype html><meta charset="utf-8"><title>effnet TF.js ${backend}</title>
<script src="/effnet-harness.js"></script>
<script src="/tfjs/tf.min.js"></script>
${backend === 'webgpu' ? '<script src="/tfjs-webgpu/tf-backend-webgpu.min.js"></script>' : ''}
<script>
(async () => {
  const config = await (await fetch('/config.json')).json();
  if (!(await tf.setBackend(config.backend))) throw new Error('tf.setBackend(' + config.backend + ') returned false');
  await tf.ready();
  const gpu = await effnet.gpuInfo(config.backend);
  const input = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
  let t = performance.now();
  const model = await (config.format === 'graph' ? tf.loadGraphModel : tf.loadLayersModel)('/model/model.json');
  const loadMs = performance.now() - t;
  effnet.log('loaded in ' + loadMs.toFixed(0) + ' ms');
  const x = tf.tensor(input, config.shape);
  const predict = async () => {
    const y = model.predict(x);
    const values = await y.data();
    const shape = y.shape;
    y.dispose();
    return { values, shape };
  };
  t = performance.now();
  const first = await predict();
  const firstMs = performance.now() - t;
  effnet.log('first predict in ' + firstMs.toFixed(0) + ' ms');
  const steadyMs = [];
  const steadyStart = performance.now();
  while (steadyMs.length < config.runs && (steadyMs.length === 0 || performance.now() - steadyStart < config.budgetMs)) {
    t = performance.now();
    await predict();
    steadyMs.push(performance.now() - t);
  }
  const b = tf.backend();
  const notes = { tfjs: tf.version.tfjs };
  if (config.backend === 'webgl') Object.assign(notes, { webglVersion: tf.env().getNumber('WEBGL_VERSION'), float32Render: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') });
  if (config.backend === 'webgpu' && b.adapterInfo) Object.assign(notes, { tfjsAdapterInfo: { vendor: b.adapterInfo.vendor, architecture: b.adapterInfo.architecture } });
  effnet.report({ runtime: tf.getBackend(), device: gpu.summary, gpu, loadMs, firstMs, steadyMs, shape: first.shape, logits: Array.from(first.values), notes });
})().catch((e) => effnet.fail(e));
</script>`;

/** Runs a TF.js directory (a LayersModel unless `format` is 'graph') in headless Chromium on the webgl or webgpu backend. */
export function runTfjsInBrowser(o: Common & { readonly backend: TfjsBrowserBackend; readonly modelDir: string; readonly format?: 'layers' | 'graph' }): Promise<PageResult<BrowserRun>> {
  const mounts: Record<string, string> = {
    '/tfjs/': path.join(packageDir('@tensorflow/tfjs'), 'dist'),
    '/model/': o.modelDir,
  };
  if (o.backend === 'webgpu') mounts['/tfjs-webgpu/'] = path.join(packageDir('@tensorflow/tfjs-backend-webgpu'), 'dist');
  return runPage<BrowserRun>({
    page: tfjsPage(o.backend),
    gpu: o.backend,
    mounts,
    routes: { '/config.json': json({ backend: o.backend, format: o.format ?? 'layers', shape: o.shape, runs: o.runs ?? 0, budgetMs: o.budgetMs ?? 1e9 }), '/input.bin': inputRoute(o.input) },
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
}

const ortPage = `<!doctype html><meta charset="utf-8"><title>effnet onnxruntime-web</title>
<script src="/effnet-harness.js"></script>
<script src="/ort/ort.min.js"></script>
<script>
(async () => {
  const config = await (await fetch('/config.json')).json();
  // ort-web fetches its .wasm and .mjs at run time: from the same server, under /ort/.
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = config.numThreads;
  const gpu = config.ep === 'webgpu' ? await effnet.gpuInfo('webgpu') : { summary: 'none (wasm runs on the CPU)' };
  const input = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
  // Which execution provider each node went to: ORT says so only in its verbose session log (to console.error),
  // and an op the webgpu EP lacks would silently run on the CPU EP. Keep those lines, drop the rest of the log.
  // Off in the benchmark, where the verbose log would be part of the load time.
  const placement = [];
  const consoleError = console.error;
  if (config.placement) console.error = (...args) => {
    const line = args.map(String).join(' ');
    if (!line.includes('[V:onnxruntime') && !line.includes('[I:onnxruntime')) return consoleError(...args);
    if (line.includes('placed on')) placement.push(line.split('VerifyEachNodeIsAssignedToAnEp]').pop().trim());
  };
  let t = performance.now();
  const session = await ort.InferenceSession.create('/model.onnx', { executionProviders: [config.ep], logSeverityLevel: config.placement ? 0 : 2 });
  const loadMs = performance.now() - t;
  console.error = consoleError;
  effnet.log('session created in ' + loadMs.toFixed(0) + ' ms');
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, config.shape) };
  const predict = async () => {
    const out = await session.run(feeds);
    const y = out[session.outputNames[0]];
    const values = await y.getData();
    const shape = y.dims;
    y.dispose();
    return { values, shape };
  };
  t = performance.now();
  const first = await predict();
  const firstMs = performance.now() - t;
  effnet.log('first run in ' + firstMs.toFixed(0) + ' ms');
  const steadyMs = [];
  const steadyStart = performance.now();
  while (steadyMs.length < config.runs && (steadyMs.length === 0 || performance.now() - steadyStart < config.budgetMs)) {
    t = performance.now();
    await predict();
    steadyMs.push(performance.now() - t);
  }
  const notes = { ort: ort.env.versions.web, crossOriginIsolated: self.crossOriginIsolated, numThreads: ort.env.wasm.numThreads, placement };
  await session.release();
  effnet.report({ runtime: config.ep, device: gpu.summary, gpu, loadMs, firstMs, steadyMs, shape: Array.from(first.shape), logits: Array.from(first.values), notes });
})().catch((e) => effnet.fail(e));
</script>`;

/**
 * Runs an ONNX file in headless Chromium with onnxruntime-web on the wasm or webgpu execution provider.
 * The server sends COOP/COEP (see browser-harness.ts), so wasm may use `numThreads` worker threads (default 2).
 */
export function runOrtInBrowser(o: Common & {
  readonly provider: OrtBrowserProvider;
  readonly onnxPath: string;
  readonly numThreads?: number;
  /** Report which EP each node went to (`notes.placement`), from ORT's verbose session log. */
  readonly placement?: boolean;
}): Promise<PageResult<BrowserRun>> {
  const gpu: GpuApi = o.provider === 'webgpu' ? 'webgpu' : 'none';
  return runPage<BrowserRun>({
    page: ortPage,
    gpu,
    mounts: { '/ort/': path.join(packageDir('onnxruntime-web'), 'dist') },
    routes: {
      '/config.json': json({ ep: o.provider, shape: o.shape, runs: o.runs ?? 0, budgetMs: o.budgetMs ?? 1e9, numThreads: o.numThreads ?? 2, placement: o.placement ?? false }),
      '/input.bin': inputRoute(o.input),
      '/model.onnx': { file: o.onnxPath },
    },
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
}
