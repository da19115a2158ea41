// The bundled language server: the same code as `stillpoint lsp`, without the CLI around it.

import { serveStdio } from '../../src/lsp/stdio.ts';

serveStdio();
