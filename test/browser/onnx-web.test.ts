/**
 * The ONNX artifact in the browser: headless Chromium loads it over HTTP into onnxruntime-web and runs it on the
 * wasm execution provider (CPU: 1e-4 relative) and on the webgpu one (SwiftShader: 1e-3 relative); both must
 * match onnxruntime-node on the same file, with every node placed on the EP asked for (ORT's verbose session log).
 * The page is cross-origin isolated (COOP/COEP), so wasm runs on two threads; ort's .wasm/.mjs files come from
 * node_modules over the same server.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportSkip, skipBrowser } from './browser-harness.js';
import { browserFixture, expectAgreement, type BrowserFixture } from './browser-fixture.js';
import { runOrtInBrowser } from './browser-pages.js';

reportSkip('the onnxruntime-web tests');
let f: BrowserFixture;
beforeAll(async () => { if (!skipBrowser) f = await browserFixture(64); });
afterAll(() => f?.remove());

it.skipIf(skipBrowser)('EfficientNet-B0 @64 on onnxruntime-web wasm (2 threads) matches onnxruntime-node to 1e-4 relative', async () => {
  const run = await runOrtInBrowser({ provider: 'wasm', onnxPath: f.onnxPath, input: f.nchw.data, shape: f.nchw.shape, numThreads: 2, placement: true });
  expectAgreement(run, f, 'wasm', 'cpu');
  expect(run.notes?.['crossOriginIsolated']).toBe(true);
  expect(String(run.notes?.['placement'])).toMatch(/All nodes placed on \[CPUExecutionProvider\]/);
}, 150_000);

it.skipIf(skipBrowser)('EfficientNet-B0 @64 on onnxruntime-web webgpu matches onnxruntime-node to 1e-3 relative', async () => {
  const run = await runOrtInBrowser({ provider: 'webgpu', onnxPath: f.onnxPath, input: f.nchw.data, shape: f.nchw.shape, placement: true });
  expectAgreement(run, f, 'webgpu', 'gpu');
  expect(run.gpu?.['architecture'], `adapter: ${run.device}`).toBe('swiftshader');
  // ORT runs a node the webgpu EP lacks on its CPU EP without a word: here every node must be on WebGPU (ORT's JSEP).
  expect(String(run.notes?.['placement'])).toMatch(/All nodes placed on \[JsExecutionProvider\]/);
}, 150_000);
