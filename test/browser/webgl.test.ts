/**
 * The TF.js artifact in a real browser, on the GPU code path: headless Chromium (Debian's `chromium`, WebGL
 * through ANGLE on SwiftShader) loads the model over HTTP with `tf.loadLayersModel(url)` on the webgl backend
 * and predicts; its logits must match onnxruntime-node on the ONNX of the same network (same seed, random BN
 * statistics) by the GPU agreement rule (1e-3 relative). The plumbing is browser-harness.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportSkip, skipBrowser } from './browser-harness.js';
import { browserFixture, expectAgreement, type BrowserFixture } from './browser-fixture.js';
import { runTfjsInBrowser } from './browser-pages.js';

reportSkip('the TF.js webgl test');
let f: BrowserFixture;
beforeAll(async () => { if (!skipBrowser) f = await browserFixture(64); });
afterAll(() => f?.remove());

it.skipIf(skipBrowser)('EfficientNet-B0 @64 over HTTP on webgl matches onnxruntime-node to 1e-3 relative', async () => {
  const run = await runTfjsInBrowser({ backend: 'webgl', modelDir: f.tfjsDir, input: f.nhwc.data, shape: f.nhwc.shape });
  expectAgreement(run, f, 'webgl', 'gpu');
  expect(String(run.gpu?.['renderer']), 'the renderer').toMatch(/SwiftShader/i);
}, 150_000);

it.skipIf(skipBrowser)('the same network as a graph model (--tfjs-format graph, tf.loadGraphModel) on webgl matches onnxruntime-node to 1e-3 relative', async () => {
  const run = await runTfjsInBrowser({ backend: 'webgl', format: 'graph', modelDir: f.graphDir, input: f.nhwc.data, shape: f.nhwc.shape });
  expectAgreement(run, f, 'webgl', 'gpu');
}, 150_000);
