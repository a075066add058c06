/**
 * The plumbing every browser test (and the browser part of `npm run bench`) shares: find Debian's chromium,
 * serve a page and its files from a local HTTP server on 127.0.0.1, launch headless Chromium on it with the
 * SwiftShader flags of the GPU API the page needs, and wait for the one result the page posts back.
 *
 * Nothing here imports vitest or the test helpers, so the benchmark (compiled by the main tsconfig) can use it.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's chromium, if installed. */
export const chromium: string | undefined = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/**
 * Browser tests are skipped only where chromium is missing and CI is not set. Under CI (.ci/run installs
 * chromium) they run, and a missing chromium fails them with a message saying so.
 */
export const skipBrowser = !chromium && !process.env.CI;

/** Prints why the browser tests of a file are skipped (vitest's skip shows no reason), once per file. */
export function reportSkip(what: string): void {
  if (skipBrowser) console.log(`skipped ${what}: chromium is not installed (/usr/bin/chromium); apt-get install chromium, or set CI to make this a failure`);
}

/**
 * Which GPU API the page gets, both on SwiftShader (software), the only GPU on these machines:
 * 'webgl' through ANGLE, 'webgpu' through Dawn on SwiftShader's Vulkan; 'none' for pages that need neither.
 */
export type GpuApi = 'webgl' | 'webgpu' | 'none';

const gpuFlags: Readonly<Record<GpuApi, readonly string[]>> = {
  webgl: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  webgpu: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'],
  none: [],
};

/** A file or generated body the server answers one exact path with. */
export type Route = { readonly type: string; readonly body: string | Uint8Array } | { readonly file: string };

export interface PageOptions {
  /** The page's HTML, served at `/`. Its scripts call `effnet.report(value)` once (see the script below). */
  readonly page: string;
  /** Exact paths, e.g. `/config.json`. */
  readonly routes?: Readonly<Record<string, Route>>;
  /** Path prefixes served from a directory, e.g. `{ '/model/': dir }`. */
  readonly mounts?: Readonly<Record<string, string>>;
  readonly gpu: GpuApi;
  /** How long to wait for the page's result (default 100 s). */
  readonly timeoutMs?: number;
}

/** What a page posts, plus `error` when it threw, timed out or Chromium died. */
export type PageResult<R> = Partial<R> & { error?: string; /** `effnet.log` lines, in order. */ log: string[] };

/**
 * Served at /effnet-harness.js and loaded first by every page: `effnet.report(value)` posts the result,
 * `effnet.log(text)` posts progress and console warnings (returned as `log`, and shown when a page times out),
 * `effnet.gpuInfo(api)` describes the GPU the page got, and an uncaught error or rejection is reported as
 * `{ error }`, so a broken page fails at once instead of waiting for the timeout.
 */
const harnessScript = `window.effnet = {
  pending: [],
  // The log lines are posted first, so the result comes with all of them.
  async report(value) { await Promise.all(this.pending); return fetch('/result', { method: 'POST', body: JSON.stringify(value) }); },
  log(text) { this.pending.push(fetch('/log', { method: 'POST', body: String(text) }).catch(() => {})); },
  fail(e) { return this.report({ error: String((e && e.stack) || e) }); },
  // The GPU the page got: WebGL's unmasked renderer, or the WebGPU adapter's info (navigator.gpu.requestAdapter,
  // asked as TF.js asks: high-performance).
  async gpuInfo(api) {
    if (api === 'webgl') {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return { summary: 'no WebGL 2 context' };
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
      const vendor = gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR);
      return { summary: renderer, renderer, vendor, version: gl.getParameter(gl.VERSION) };
    }
    if (!navigator.gpu) return { summary: 'navigator.gpu is undefined: no WebGPU in this browser' };
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { summary: 'navigator.gpu.requestAdapter() returned null' };
    const i = adapter.info || {};
    const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter };
    const summary = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') + (info.isFallbackAdapter ? ' (fallback adapter)' : '');
    return { summary, ...info };
  },
};
// The runtimes say what they fell back to (an op on the CPU, one thread) with console.warn: keep it.
for (const level of ['warn', 'error']) {
  const original = console[level].bind(console);
  console[level] = (...args) => { original(...args); effnet.log(level + ': ' + args.map(String).join(' ')); };
}
window.addEventListener('error', (e) => effnet.fail(e.error || e.message));
window.addEventListener('unhandledrejection', (e) => effnet.fail(e.reason));
`;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm',
};

/**
 * Every response is sent with COOP/COEP, so the page is cross-origin isolated: SharedArrayBuffer exists and
 * onnxruntime-web's wasm backend can start worker threads (without isolation it silently uses one thread).
 * Everything is same-origin, so require-corp blocks nothing.
 */
const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function sendFile(res: ServerResponse, file: string): void {
  res.writeHead(200, { ...isolation, 'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
  createReadStream(file).pipe(res);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

/** Chromium's stderr without the D-Bus noise of a machine with no session bus. */
const usefulStderr = (s: string) => s.split('\n').filter((l) => l && !/dbus|D-Bus/.test(l)).join('\n').slice(-3000);

/**
 * Serves `options.page`, launches headless Chromium on it, and resolves with what the page reported (or an
 * `error`). Everything it started (server, Chromium's process group, the profile directory) is gone when it
 * resolves.
 */
export async function runPage<R>(options: PageOptions): Promise<PageResult<R>> {
  const log: string[] = [];
  // Partial<R> accepts { error } for every R, but TypeScript cannot see that through a type parameter.
  const failure = (error: string) => ({ error, log }) as PageResult<R>;
  if (!chromium) return failure('chromium is not installed (/usr/bin/chromium); .ci/run installs it with apt-get');
  let deliver!: (r: PageResult<R>) => void;
  const result = new Promise<PageResult<R>>((resolve) => { deliver = resolve; });

  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (req.method === 'POST' && (url === '/result' || url === '/log')) {
      void readBody(req).then((body) => {
        res.writeHead(200, isolation);
        res.end();
        if (url === '/log') log.push(body);
        else deliver({ ...(JSON.parse(body) as Partial<R> & { error?: string }), log });
      });
      return;
    }
    if (url === '/') {
      res.writeHead(200, { ...isolation, 'content-type': 'text/html' });
      return res.end(options.page);
    }
    if (url === '/effnet-harness.js') {
      res.writeHead(200, { ...isolation, 'content-type': 'text/javascript' });
      return res.end(harnessScript);
    }
    const route = options.routes?.[url];
    if (route && 'file' in route) return sendFile(res, route.file);
    if (route) {
      res.writeHead(200, { ...isolation, 'content-type': route.type });
      return res.end(route.body);
    }
    for (const [prefix, dir] of Object.entries(options.mounts ?? {})) {
      if (!url.startsWith(prefix)) continue;
      const file = path.resolve(dir, url.slice(prefix.length));
      // Only files inside the mounted directory: `..` in a URL must not reach the rest of the disk.
      if (file.startsWith(path.resolve(dir) + path.sep) && existsSync(file) && statSync(file).isFile()) return sendFile(res, file);
    }
    res.writeHead(404, isolation);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const profile = mkdtempSync(path.join(tmpdir(), 'effnet-chromium-'));
  const browser = spawn(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu-sandbox', '--no-first-run', '--disable-extensions', '--disable-background-networking',
    ...gpuFlags[options.gpu], `--user-data-dir=${profile}`, `http://127.0.0.1:${port}/`,
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  browser.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  browser.on('exit', (code, signal) => deliver(failure(`Chromium exited (${signal ?? code}) before the page reported\n${usefulStderr(stderr)}`)));

  const timeoutMs = options.timeoutMs ?? 100_000;
  const timer = setTimeout(() => deliver(failure(
    `no result from Chromium in ${timeoutMs / 1000} s; the page logged: ${log.join(' | ') || 'nothing'}\n${usefulStderr(stderr)}`,
  )), timeoutMs);
  try {
    return await result;
  } finally {
    clearTimeout(timer);
    browser.removeAllListeners('exit');
    // Chromium forks its helpers into the process group we started it in: end that whole group, and only it.
    try { process.kill(-browser.pid!, 'SIGKILL'); } catch { /* already gone */ }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}

const require = createRequire(import.meta.url);

/**
 * The directory of an installed npm package, found the way Node resolves it from this file (so it works from
 * test/ and from dist/test/ alike, and for packages whose `exports` hide their dist files).
 */
export function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`${name} is not installed (npm install --save-dev ${name})`);
}
