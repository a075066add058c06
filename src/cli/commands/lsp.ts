/** `effnet lsp`: the language server, speaking JSON-RPC on stdin and stdout until the editor says exit. */
import { startServer } from '../../lsp/server.js';
import type { Register } from '../main.js';

export const registerLsp: Register = (program) => {
  program
    .command('lsp')
    .description('run the language server on stdin/stdout (diagnostics, hover, completion, definition, formatting)')
    // Clients that start servers with a transport flag pass --stdio; stdio is the only transport.
    .option('--stdio', 'use stdin and stdout (the default and only transport)')
    .addHelpText('after', "\nExamples:\n  $ effnet lsp                  # started by an editor, not by hand\n  Neovim: vim.lsp.start({ name = 'effnet', cmd = { 'npx', 'effnet', 'lsp' } })")
    .action(async () => {
      const connection = startServer(process.stdin, process.stdout);
      // The library ends the process on 'exit' or when stdin closes; until then the command is running.
      await new Promise<void>((resolve) => connection.onExit(resolve));
    });
};
