// The language server reads an untrusted workspace by the rules of `check` (SECURITY.md):
// imports only from the workspace folders, no other file's contents and no environment value
// in a diagnostic, and no hang on a FIFO.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folder } from '../plan/helpers.ts';
import { linux } from '../support/requirements.ts';
import { startServer } from './client.ts';

const JOB = 'job web {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n}\n';

function workspaces() {
  const dir = folder({ 'one/main.still': `import "../two/lib.still"\n${JOB}`, 'two/lib.still': 'let site = "hq"\n', 'outside/secret.still': 'let stolen = "tok-77aa"\n' });
  return { dir, one: join(dir, 'one'), two: join(dir, 'two') };
}

const url = (path: string) => pathToFileURL(path).href;

describe('the language server on an untrusted workspace', () => {
  it('follows the workspace folders the editor adds and removes after it started', async () => {
    const { one, two } = workspaces();
    const client = await startServer([url(one)]);
    expect(client.initialized.capabilities.workspace?.workspaceFolders).toEqual({ supported: true, changeNotifications: true });
    const main = url(join(one, 'main.still'));
    const refused = await client.open(main, `import "../two/lib.still"\n${JOB}`);
    expect(refused.diagnostics.map((d) => d.code)).toEqual(['outside-import-roots']);
    const change = (added: string[], removed: string[]) => {
      const next = client.nextDiagnostics(main);
      void client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: added.map((uri) => ({ uri, name: uri })), removed: removed.map((uri) => ({ uri, name: uri })) } });
      return next;
    };
    expect((await change([url(two)], [])).diagnostics).toEqual([]);
    expect((await change([], [url(two)])).diagnostics.map((d) => d.code)).toEqual(['outside-import-roots']);
    client.close();
  });

  it('allows imports from every workspace folder and from nowhere else', async () => {
    const { dir, one, two } = workspaces();
    const both = await startServer([url(one), url(two)]);
    const allowed = await both.open(url(join(one, 'main.still')), `import "../two/lib.still"\n${JOB}`);
    expect(allowed.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const refused = await both.open(url(join(one, 'steal.still')), `import "../outside/secret.still"\nimport "/proc/self/environ"\n${JOB}`);
    expect(refused.diagnostics.map((d) => [d.range.start.line, d.code, String(d.message).split('\n')[0]])).toEqual([
      [0, 'outside-import-roots', `cannot import: ${join(dir, 'outside/secret.still')} is outside the allowed folders`],
      [1, 'not-a-script', expect.stringMatching(/^cannot import: \/proc\/self\/environ is not a script/)],
    ]);
    expect(JSON.stringify(refused.diagnostics)).not.toContain('tok-77aa');
    both.close();

    const onlyOne = await startServer([url(one)]);
    const published = await onlyOne.open(url(join(one, 'main.still')), `import "../two/lib.still"\n${JOB}`);
    expect(published.diagnostics.map((d) => d.code)).toEqual(['outside-import-roots']);
    onlyOne.close();
  });

  it('a buffer open in the editor does not open a way around the rules', async () => {
    const { dir, one } = workspaces();
    const client = await startServer([url(one)]);
    await client.open(url(join(dir, 'outside/secret.still')), 'let stolen = "tok-77aa"\n');
    const published = await client.open(url(join(one, 'steal.still')), `import "../outside/secret.still"\n${JOB}`);
    expect(published.diagnostics.map((d) => d.code)).toEqual(['outside-import-roots']);
    client.close();
  });

  it('an untitled buffer may import nothing from disk', async () => {
    const { two } = workspaces();
    const client = await startServer();
    const published = await client.open('untitled:Untitled-1', `import "${join(two, 'lib.still')}"\n${JOB}`);
    expect(published.diagnostics.map((d) => d.code)).toEqual(['outside-import-roots']);
    client.close();
  });

  it.runIf(linux().ok)('an import of a FIFO in the workspace does not block the server', async () => {
    const { one } = workspaces();
    mkdirSync(join(one, 'sub'));
    execFileSync('mkfifo', [join(one, 'sub/pipe.still')]);
    const client = await startServer([url(one)]);
    const published = await client.open(url(join(one, 'main.still')), `import "sub/pipe.still"\n${JOB}`);
    expect(published.diagnostics.map((d) => String(d.message).split('\n')[0])).toEqual([`cannot import: ${join(one, 'sub/pipe.still')} is a FIFO, not a script`]);
    client.close();
  }, 10_000);
});
