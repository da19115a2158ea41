// stillpoint lsp
//
// The language server for editors, on stdin/stdout (LSP). The VS Code extension starts it;
// any LSP client can (docs/editor.md).

import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program) => {
  program
    .command('lsp')
    .description('run the language server on stdin/stdout (for editors)')
    .option('--stdio', 'talk LSP over stdin/stdout (the only transport; accepted for clients that pass it)')
    .action(async () => {
      (await import('node:module')).enableCompileCache?.();
      const { serveStdio } = await import('../../lsp/stdio.ts');
      serveStdio();
    });
};
