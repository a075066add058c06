// The VS Code side of `effnet lsp`: start the server over stdio for .effnet files. All the language
// knowledge is in the server; this file only says how to start it.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  // A command, not a path: `npx --no-install effnet lsp` runs the project's own effnet, the version its
  // specs are written for, and never downloads one.
  const [command, ...args] = vscode.workspace.getConfiguration('effnet').get('lsp.command');
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  client = new LanguageClient(
    'effnet',
    'effnet',
    { command, args, options: cwd ? { cwd } : {} },
    { documentSelector: [{ language: 'effnet' }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
