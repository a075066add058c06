/**
 * The TF.js artifact in a real browser, on the GPU code path: a local HTTP server on 127.0.0.1 serves the
 * model directory, tf.min.js and a page; headless Chromium (Debian's `chromium`, WebGL on SwiftShader) loads
 * the model over HTTP with `tf.loadLayersModel(url)` on the webgl backend, predicts, and posts the logits back.
 * They must match onnxruntime-node on the ONNX of the same network (same seed) to 1e-3 relative.
 * Skipped when chromium is not installed, except under CI (CI set), where .ci/run installs it and its absence fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxBackend } from '../../backends/onnx/onnx-backend.js';
import { writeArtifact } from '../../src/cli/output/write-artifact.js';
import { repoRoot } from '../helpers.js';
import { compare, compileEdited, emitToDir, randomInput } from '../backends/tfjs/tfjs-helpers.js';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const cleanup: (() => void)[] = [];
afterAll(() => { for (const f of cleanup.reverse()) f(); });

const page = `<!doctype html><meta charset="utf-8"><title>effnet webgl</title>
<script src="/tf.min.js"></script>
<script>
(async () => {
  const report = (body) => fetch('/result', { method: 'POST', body: JSON.stringify(body) });
  try {
    const ok = await tf.setBackend('webgl');
    await tf.ready();
    const gl = tf.backend().gpgpu && tf.backend().gpgpu.gl;
    const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl ? gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : 'none';
    const model = await tf.loadLayersModel('/model/model.json');
    const meta = await (await fetch('/input.json')).json();
    const input = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
    const y = model.predict(tf.tensor(input, [1, ...meta.shape]));
    const logits = Array.from(await y.data());
    report({ ok, backend: tf.getBackend(), renderer, float32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'), shape: y.shape, logits });
  } catch (e) {
    report({ error: String(e && e.stack || e) });
  }
})();
</script>`;

interface Result { ok?: boolean; backend?: string; renderer?: string; float32?: boolean; shape?: number[]; logits?: number[]; error?: string }

function serve(modelDir: string, input: Float32Array, shape: readonly number[]): Promise<{ server: Server; port: number; result: Promise<Result> }> {
  let deliver!: (r: Result) => void;
  const result = new Promise<Result>((resolve) => { deliver = resolve; });
  const tfJs = path.join(repoRoot, 'node_modules/@tensorflow/tfjs/dist/tf.min.js');
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const send = (type: string, body: string | Uint8Array) => { res.writeHead(200, { 'content-type': type }); res.end(body); };
    if (url === '/') return send('text/html', page);
    if (url === '/tf.min.js') return send('text/javascript', readFileSync(tfJs));
    if (url === '/input.json') return send('application/json', JSON.stringify({ shape }));
    if (url === '/input.bin') return send('application/octet-stream', new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    if (url.startsWith('/model/')) {
      const file = path.join(modelDir, path.basename(url));
      if (existsSync(file)) return send(url.endsWith('.json') ? 'application/json' : 'application/octet-stream', readFileSync(file));
    }
    if (url === '/result' && req.method === 'POST') {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => { res.end('ok'); deliver(JSON.parse(Buffer.concat(parts).toString('utf8')) as Result); });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, result })));
}

/** NHWC to NCHW for one sample. */
function toNchw(x: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h!; y++) for (let i = 0; i < w!; i++) for (let k = 0; k < c!; k++) out[(k * h! + y) * w! + i] = x[(y * w! + i) * c! + k]!;
  return out;
}

if (!chromium && process.env.CI) {
  it('chromium is installed on CI', () => { expect.fail('CI is set but /usr/bin/chromium is missing: .ci/run should apt-get install chromium'); });
}

describe.skipIf(!chromium)('TF.js artifact in headless Chromium (webgl on SwiftShader)', () => {
  it('EfficientNet-B0 @64 over HTTP on webgl matches onnxruntime-node to 1e-3 relative', async () => {
    const c = compileEdited('efficientnet-b0.effnet', { scaling: { inputSize: 64 } });
    const seed = 77;
    const { dir } = emitToDir(c, 'browser', { seed, randomBatchNorm: true });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const shape = c.graph.nodes[0]!.shape;
    const input = randomInput(shape, 5);

    const { server, port, result } = await serve(dir, input, shape);
    cleanup.push(() => server.close());
    const profile = mkdtempSync(path.join(tmpdir(), 'effnet-chromium-'));
    cleanup.push(() => rmSync(profile, { recursive: true, force: true }));
    const browser: ChildProcess = spawn(chromium!, [
      '--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking',
      '--disable-gpu-sandbox', '--no-first-run', '--disable-extensions', `--user-data-dir=${profile}`, `http://127.0.0.1:${port}/`,
    ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    browser.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    // Chromium forks helpers into its process group; end the whole group we started.
    cleanup.push(() => { try { process.kill(-browser.pid!, 'SIGKILL'); } catch { /* already gone */ } });

    const timeout = new Promise<Result>((resolve) => setTimeout(() => resolve({ error: `no result from Chromium in 100 s\n${stderr.slice(-2000)}` }), 100_000));
    const r = await Promise.race([result, timeout]);
    expect(r.error).toBeUndefined();
    expect(r.backend).toBe('webgl');
    console.log(`browser: backend ${r.backend}, renderer ${r.renderer}, float32 render ${r.float32}`);

    const onnxDir = mkdtempSync(path.join(tmpdir(), 'effnet-browser-onnx-'));
    cleanup.push(() => rmSync(onnxDir, { recursive: true, force: true }));
    const onnxPath = path.join(onnxDir, 'model.onnx');
    await writeArtifact(onnxBackend.emit(c.graph, { seed, weights: 'random', randomBatchNorm: true }), onnxPath);
    const session = await ort.InferenceSession.create(onnxPath);
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', toNchw(input, shape), [1, shape[2]!, shape[0]!, shape[1]!]) });
    const reference = out[session.outputNames[0]!]!.data as Float32Array;
    await session.release();

    expect(r.shape).toEqual([1, reference.length]);
    const { maxAbs, rel } = compare(r.logits!, reference);
    console.log(`browser webgl vs onnxruntime-node: max abs ${maxAbs.toExponential(2)}, relative ${rel.toExponential(2)}`);
    expect(rel).toBeLessThan(1e-3);
  }, 180_000);
});
