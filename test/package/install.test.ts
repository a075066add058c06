/**
 * effnet as a dependency: `npm pack` ships dist/, specs/, the grammar artefacts and the README (no tests);
 * installing the tarball into a new project runs no install script and brings in none of the optional
 * runtimes (onnxruntime-node's script fetches CUDA binaries where it finds nvcc and fails offline); the
 * README's library snippet runs as written; the CLI reports, and a command that needs a missing runtime
 * names the package to install.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(path.join(tmpdir(), 'effnet-pack-'));
const project = path.join(work, 'consumer');
let tarball = '';
let files: string[] = [];

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const snippet = /## Library[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1]!;

beforeAll(() => {
  // The build is npm test's first step; --ignore-scripts keeps pack from rebuilding dist/ under running tests.
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  tarball = path.join(work, packed[0].filename);
  files = packed[0].files.map((f: { path: string }) => f.path);
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // A plain install, scripts allowed, as a user runs it.
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, stdio: 'ignore', timeout: 300_000 });
}, 360_000);

describe('npm install effnet (from npm pack)', () => {
  it('ships the build, the specs, the grammar artefacts and the README, and no tests', () => {
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('specs/efficientnet-b0.effnet');
    expect(files).toContain('grammar/diagrams.html');
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('dist/bench/'))).toEqual([]);
  });

  it('installs none of the optional runtimes', () => {
    for (const pkg of ['onnxruntime-node', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'sharp']) {
      expect(existsSync(path.join(project, 'node_modules', pkg)), pkg).toBe(false);
    }
  });

  it("runs the README's library snippet", () => {
    writeFileSync(path.join(project, 'snippet.mjs'), snippet);
    const r = spawnSync(process.execPath, ['snippet.mjs'], { cwd: project, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Params: +12,233,232/);
  });

  it('runs the CLI, and names the package a command needs', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(project, 'node_modules/effnet/bin/effnet.js'), ...args], { cwd: project, encoding: 'utf8' });
    expect(cli('report', 'node_modules/effnet/specs/mobilenet-v2.effnet').stdout).toMatch(/Params: +3,504,872/);
    expect(cli('compile', 'node_modules/effnet/specs/mobilenet-v2.effnet', '-o', 'm.onnx', '--input-size', '64').status).toBe(0);
    const run = cli('run', 'm.onnx');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/running ONNX files needs the optional package onnxruntime-node, which is not installed: npm install onnxruntime-node/);
    const verify = cli('compile', 'node_modules/effnet/specs/mobilenet-v2.effnet', '--target', 'tfjs', '-o', 'tfjs', '--input-size', '64', '--verify');
    expect(verify.status).toBe(2);
    expect(verify.stderr).toMatch(/needs the optional package @tensorflow\/tfjs/);
  });

  it("brings in the language server's libraries: the installed effnet lsp answers initialize, shutdown and exit", async () => {
    // Framed by hand: the point is that the consumer's install has what the server needs, not the test's.
    const frame = (m: object) => { const b = JSON.stringify(m); return `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`; };
    const child = spawn(process.execPath, [path.join(project, 'node_modules/effnet/bin/effnet.js'), 'lsp'], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve, reject) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the server did not exit within 20 s; it wrote: ${out}`)); }, 20_000);
      child.on('exit', (code) => { clearTimeout(t); resolve(code); });
    });
    let step = 0;
    child.stdout.on('data', (d) => {
      out += String(d);
      if (step === 0 && out.includes('"id":1,')) { step = 1; child.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'shutdown' })); }
      if (step === 1 && out.includes('"id":2,')) { step = 2; child.stdin.write(frame({ jsonrpc: '2.0', method: 'exit' })); }
    });
    child.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
    expect(await exited).toBe(0);
    expect(out).toMatch(/"serverInfo":\{"name":"effnet"/);
    expect(existsSync(path.join(project, 'node_modules/vscode-languageserver/package.json'))).toBe(true);
  });
});
