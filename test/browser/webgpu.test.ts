/**
 * The TF.js artifact on WebGPU: headless Chromium (Dawn on SwiftShader's Vulkan, the only GPU on these machines)
 * loads the model over HTTP with tfjs-backend-webgpu and predicts; its logits must match onnxruntime-node on
 * the ONNX of the same network (same seed, random BN statistics) by the GPU agreement rule (1e-3 relative). The
 * log names the adapter navigator.gpu.requestAdapter() returned, so it shows the run was on SwiftShader.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportSkip, skipBrowser } from './browser-harness.js';
import { browserFixture, expectAgreement, type BrowserFixture } from './browser-fixture.js';
import { runTfjsInBrowser } from './browser-pages.js';

reportSkip('the TF.js webgpu test');
let f: BrowserFixture;
beforeAll(async () => { if (!skipBrowser) f = await browserFixture(64); });
afterAll(() => f?.remove());

it.skipIf(skipBrowser)('EfficientNet-B0 @64 on tfjs-backend-webgpu in headless Chromium matches onnxruntime-node to 1e-3 relative', async () => {
  const run = await runTfjsInBrowser({ backend: 'webgpu', modelDir: f.tfjsDir, input: f.nhwc.data, shape: f.nhwc.shape });
  expectAgreement(run, f, 'webgpu', 'gpu');
  expect(run.gpu?.['architecture'], `adapter: ${run.device}`).toBe('swiftshader');
}, 150_000);

it.skipIf(skipBrowser)('the same network as a graph model (--tfjs-format graph, tf.loadGraphModel) on webgpu matches onnxruntime-node to 1e-3 relative', async () => {
  const run = await runTfjsInBrowser({ backend: 'webgpu', format: 'graph', modelDir: f.graphDir, input: f.nhwc.data, shape: f.nhwc.shape });
  expectAgreement(run, f, 'webgpu', 'gpu');
}, 150_000);
