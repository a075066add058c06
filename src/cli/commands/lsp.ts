/** `effnet lsp`: the language server, speaking JSON-RPC on stdin and stdout until the editor says exit. */
import type { Register } from '../main.js';

export const registerLsp: Register = (program) => {
  program
    .command('lsp')
    .description('run the language server on stdin/stdout (diagnostics, hover, completion, definition, formatting)')
    // Clients that start servers add transport flags (--stdio, --clientProcessId=N, which the library reads to
    // exit when the editor dies): an editor's flag must not stop the server from starting.
    .option('--stdio', 'use stdin and stdout (the default and only transport)')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', "\nExamples:\n  $ effnet lsp                  # started by an editor, not by hand\n  Neovim: vim.lsp.start({ name = 'effnet', cmd = { 'npx', 'effnet', 'lsp' } })")
    .action(async () => {
      // Loaded here, not with the CLI: no other command pays for the LSP library, or gets its argv watchdog.
      const { startServer } = await import('../../lsp/server.js');
      const connection = startServer(process.stdin, process.stdout);
      // The library ends the process on 'exit' or when stdin closes; until then the command is running.
      await new Promise<void>((resolve) => connection.onExit(resolve));
    });
};
