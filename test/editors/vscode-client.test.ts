/**
 * The VS Code client (editors/vscode/extension.js) with stand-ins for `vscode` and `vscode-languageclient`,
 * which only exist inside VS Code: it starts the configured command in the workspace, for effnet files only,
 * and the extension manifest's default command is the one the README documents.
 */
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'editors/vscode/package.json'), 'utf8'));
const defaultCommand: string[] = manifest.contributes.configuration.properties['effnet.lsp.command'].default;
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const realLoad = loader._load;

afterEach(() => { loader._load = realLoad; });

function loadClient(command: string[]) {
  const started: { id: string; server: unknown; client: unknown }[] = [];
  class LanguageClient {
    constructor(id: string, _name: string, server: unknown, client: unknown) { started.push({ id, server, client }); }
    start() { return Promise.resolve(); }
    stop() { return Promise.resolve(); }
    dispose() {}
  }
  const vscode = {
    workspace: {
      getConfiguration: (section: string) => ({ get: (key: string) => (section === 'effnet' && key === 'lsp.command' ? command : undefined) }),
      workspaceFolders: [{ uri: { fsPath: '/work/project' } }],
    },
  };
  loader._load = (request: string, ...rest: unknown[]) => {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return { LanguageClient };
    return realLoad(request, ...rest);
  };
  const file = path.join(repoRoot, 'editors/vscode/extension.js');
  const require = createRequire(file);
  delete require.cache[file];
  return { extension: require(file) as { activate: (c: { subscriptions: unknown[] }) => Promise<void>; deactivate: () => Promise<void> }, started };
}

describe('the VS Code client', () => {
  it('declares itself as the extension entry, with the client library as its own dependency', () => {
    expect(manifest.main).toBe('./extension.js');
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
    const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(Object.keys({ ...root.dependencies, ...root.devDependencies }).filter((d) => d === 'vscode' || d === 'vscode-languageclient')).toEqual([]);
  });

  it('starts `npx --no-install effnet lsp` in the workspace by default, for effnet documents', async () => {
    expect(defaultCommand).toEqual(['npx', '--no-install', 'effnet', 'lsp']);
    const { extension, started } = loadClient(defaultCommand);
    const subscriptions: unknown[] = [];
    await extension.activate({ subscriptions });
    expect(started).toEqual([{
      id: 'effnet',
      server: { command: 'npx', args: ['--no-install', 'effnet', 'lsp'], options: { cwd: '/work/project' } },
      client: { documentSelector: [{ language: 'effnet' }] },
    }]);
    expect(subscriptions).toHaveLength(1);
    await extension.deactivate();
  });

  it('runs whatever command the setting names', async () => {
    const { extension, started } = loadClient(['node', '/opt/effnet/bin/effnet.js', 'lsp']);
    await extension.activate({ subscriptions: [] });
    expect(started[0]!.server).toMatchObject({ command: 'node', args: ['/opt/effnet/bin/effnet.js', 'lsp'] });
  });
});
