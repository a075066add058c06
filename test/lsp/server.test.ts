/**
 * The built `effnet lsp` driven as an editor drives it: JSON-RPC with Content-Length framing over the child's
 * stdin and stdout. Every wait has a deadline, so a server that hangs fails the test instead of stalling CI.
 * Needs `npm run build` first (it runs dist/, as users do).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver/node';
import { repoRoot } from '../helpers.js';
import { offsetOf, specText } from './lsp-helpers.js';

const bin = path.join(repoRoot, 'bin/effnet.js');
const DEADLINE_MS = 15_000;

/** The promise's value, or a rejection naming what did not arrive in time. */
function within<T>(what: string, p: Promise<T>, ms = DEADLINE_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

interface Published {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: { range: unknown; severity: number; code: string; message: string; source: string }[];
}

let child: ChildProcessWithoutNullStreams;
let rpc: MessageConnection;
let stderr = '';
const published: Published[] = [];
const waiters: { match: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];

/** The next (or an already received) publishDiagnostics that matches. */
function diagnosticsFor(uri: string, version: number): Promise<Published> {
  const match = (p: Published) => p.uri === uri && p.version === version;
  const seen = published.find(match);
  if (seen) return Promise.resolve(seen);
  return within(`diagnostics for ${uri} v${version}`, new Promise((resolve) => waiters.push({ match, resolve })));
}

const bad = 'model m {\n  input 32x32x3\n  classes 10\n  stages {\n    mbcnv 1 16 3 1\n  }\n}\n';
const badUri = 'file:///work/bad.effnet';
const b0 = specText('efficientnet-b0.effnet');
const b0Uri = 'file:///work/efficientnet-b0.effnet';
const shuffle = specText('shufflenet-v2.effnet');
const shuffleUri = 'file:///work/shufflenet-v2.effnet';

/** LSP position of an offset in a text (0-based line and character). */
function positionOf(text: string, offset: number) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

const open = (uri: string, text: string) => rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'effnet', version: 1, text } });

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'dist/src/lsp/server.js'))) throw new Error('dist/ has no language server: run npm run build first');
  // The flags VS Code's client adds to a server's command line must be accepted.
  child = spawn(process.execPath, [bin, 'lsp', '--stdio', `--clientProcessId=${process.pid}`], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += String(d); });
  rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  rpc.onNotification('textDocument/publishDiagnostics', (p: Published) => {
    published.push(p);
    for (const w of waiters.filter((x) => x.match(p))) w.resolve(p);
  });
  rpc.listen();
});

afterAll(() => {
  rpc?.dispose();
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('effnet lsp over stdio', () => {
  it('initializes with the features it serves', async () => {
    const init = await within('initialize result', rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as { capabilities: Record<string, unknown>; serverInfo: { name: string } };
    expect(init.serverInfo.name).toBe('effnet');
    expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentFormattingProvider: true, completionProvider: {} });
    await rpc.sendNotification('initialized', {});
  });

  it('publishes the diagnostics of an opened spec, then clears them once it is fixed', async () => {
    await open(badUri, bad);
    const first = await diagnosticsFor(badUri, 1);
    expect(first.diagnostics).toHaveLength(1);
    expect(first.diagnostics[0]).toMatchObject({
      code: 'E0301',
      severity: 1,
      source: 'effnet',
      range: { start: { line: 4, character: 4 }, end: { line: 4, character: 9 } },
      message: "unknown operator 'mbcnv'\nhint: did you mean 'mbconv'?",
    });
    // An incremental change, as editors send them: replace 'mbcnv' with 'mbconv'.
    await rpc.sendNotification('textDocument/didChange', {
      textDocument: { uri: badUri, version: 2 },
      contentChanges: [{ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 9 } }, text: 'mbconv' }],
    });
    expect((await diagnosticsFor(badUri, 2)).diagnostics).toEqual([]);
  });

  it("hovers on a B0 stage row with the report's figures", async () => {
    await open(b0Uri, b0);
    await diagnosticsFor(b0Uri, 1);
    const h = await within('hover', rpc.sendRequest('textDocument/hover', { textDocument: { uri: b0Uri }, position: positionOf(b0, offsetOf(b0, 'mbconv  2  40', 2)) })) as { contents: { kind: string; value: string } };
    expect(h.contents.kind).toBe('markdown');
    expect(h.contents.value).toContain('**stage3 (2 blocks, block3a to block3b)**: output 28x28x40 · params 46,640 (46.64 K)');
  });

  it('completes operators on an empty stage row', async () => {
    const pos = positionOf(b0, offsetOf(b0, '    mbconv  1  16', 4));
    const items = await within('completion', rpc.sendRequest('textDocument/completion', { textDocument: { uri: b0Uri }, position: pos })) as { label: string }[];
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['mbconv', 'fused_mbconv', 'conv', 'bottleneck']));
  });

  it("goes from a row's block to its definition", async () => {
    await open(shuffleUri, shuffle);
    const def = await within('definition', rpc.sendRequest('textDocument/definition', { textDocument: { uri: shuffleUri }, position: positionOf(shuffle, offsetOf(shuffle, '    shuffle_unit  4', 6)) }));
    const start = positionOf(shuffle, offsetOf(shuffle, 'block shuffle_unit', 6));
    expect(def).toEqual({ uri: shuffleUri, range: { start, end: { line: start.line, character: start.character + 'shuffle_unit'.length } } });
  });

  it('formats a document as one edit, and refuses one that does not parse', async () => {
    const messy = b0.replace('  stem conv channels 32 kernel 3 stride 2', 'stem   conv channels 32 kernel 3 stride 2');
    const uri = 'file:///work/messy.effnet';
    await open(uri, messy);
    const edits = await within('formatting', rpc.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as { newText: string; range: { start: unknown; end: unknown } }[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(b0);
    expect(edits[0]!.range).toEqual({ start: { line: 0, character: 0 }, end: positionOf(messy, messy.length) });
    const broken = 'file:///work/broken.effnet';
    await open(broken, 'model m {\n  stages {\n');
    expect(await within('formatting', rpc.sendRequest('textDocument/formatting', { textDocument: { uri: broken }, options: { tabSize: 2, insertSpaces: true } }))).toBeNull();
  });

  it('answers requests on nonsense without dying', async () => {
    const uri = 'file:///work/noise.effnet';
    await open(uri, '\u0000{{{ ))) model model');
    const d = await diagnosticsFor(uri, 1);
    expect(d.diagnostics.length).toBeGreaterThan(0);
    expect(await within('hover', rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 9, character: 99 } }))).toBeNull();
    expect(await within('hover', rpc.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///not-open.effnet' }, position: { line: 0, character: 0 } }))).toBeNull();
  });

  it('shuts down and exits with code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(await within('shutdown result', rpc.sendRequest('shutdown'))).toBeNull();
    await rpc.sendNotification('exit');
    expect(await within('exit', exited), stderr).toBe(0);
  });
});
