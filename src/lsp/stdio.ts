// `stillpoint lsp`: the language server on stdin/stdout.

import { createConnection } from 'vscode-languageserver/node';
import { serve } from './server.ts';

export function serveStdio(): void {
  serve(createConnection(process.stdin, process.stdout));
}
