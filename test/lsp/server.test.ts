import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, CompletionItem, DocumentSymbol, FoldingRange, Hover, Location, SignatureHelp, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startServer, withCursor, type TestClient } from './client.ts';

let client: TestClient;
let dir: string;
let counter = 0;
/** A fresh file URI in the test folder (each test its own document). */
const uriFor = (name = `s${(counter += 1)}.still`) => pathToFileURL(join(dir, name)).href;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stillpoint-lsp-'));
  client = await startServer();
});
afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function completionItems(marked: string, triggerCharacter?: string): Promise<CompletionItem[]> {
  const { text, position } = withCursor(marked);
  const uri = uriFor();
  await client.open(uri, text);
  const context = triggerCharacter === undefined ? { triggerKind: 1 } : { triggerKind: 2, triggerCharacter };
  return (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position, context })) as CompletionItem[];
}

async function completionLabels(marked: string, triggerCharacter?: string): Promise<string[]> {
  return (await completionItems(marked, triggerCharacter)).map((i) => i.label);
}

async function hoverAt(marked: string): Promise<string | undefined> {
  const { text, position } = withCursor(marked);
  const uri = uriFor();
  await client.open(uri, text);
  const result = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position })) as Hover | null;
  return result === null ? undefined : (result.contents as { value: string }).value;
}

describe('diagnostics', () => {
  it('publishes the diagnostics of stillpoint check with 0-based LSP ranges', async () => {
    const text = 'job "a" {\n  volume "/srv"\n  provider btrfz\n  target tree "/b"\n}\n';
    const published = await client.open(uriFor(), text);
    const unknown = published.diagnostics.find((d) => d.code === 'unknown-provider');
    expect(unknown, JSON.stringify(published.diagnostics)).toBeDefined();
    // `btrfz` is on line 3 (0-based 2), columns 11..16.
    expect(unknown!.range).toEqual({ start: { line: 2, character: 11 }, end: { line: 2, character: 16 } });
    expect(unknown!.message).toContain('btrfs');
    expect(unknown!.severity).toBe(1);
  });

  it('shows a problem of an imported file on the import that leads to it, naming the file and line', async () => {
    writeFileSync(join(dir, 'broken-import.still'), 'let a = 1\nlet b = nope\n');
    writeFileSync(join(dir, 'fine-import.still'), 'let c = 1\n');
    writeFileSync(join(dir, 'imports-broken-import.still'), 'import "broken-import.still"\n');
    const published = await client.open(uriFor('imports-broken.still'), 'import "fine-import.still"\nimport "imports-broken-import.still"\njob "a" {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n}\n');
    const unknown = published.diagnostics.find((d) => String(d.message).includes('nope'));
    expect(unknown, JSON.stringify(published.diagnostics)).toBeDefined();
    // Through the second import, which imports the broken file: on that import's path.
    expect(unknown!.range).toEqual({ start: { line: 1, character: 7 }, end: { line: 1, character: 36 } });
    expect(unknown!.message).toContain(`${join(dir, 'broken-import.still')}:2:9`);
    expect(unknown!.relatedInformation).toContainEqual({ message: 'unknown name `nope`', location: { uri: uriFor('broken-import.still'), range: { start: { line: 1, character: 8 }, end: { line: 1, character: 12 } } } });
  });

  it('reports a syntax error where it is and clears it once fixed', async () => {
    const uri = uriFor();
    const broken = await client.open(uri, 'job "a" {\n  volume "/srv"\n  target tree "/b" {\n');
    expect(broken.diagnostics.length).toBeGreaterThan(0);
    expect(broken.diagnostics.every((d) => d.range.start.line >= 0)).toBe(true);
    const fixed = await client.change(uri, 'job "a" {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n}\n');
    expect(fixed.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    expect(fixed.version).toBe(2);
  });
});

describe('completion', () => {
  it('offers the statements of the current block', async () => {
    const top = await completionLabels('|');
    expect(top).toEqual(expect.arrayContaining(['job', 'defaults', 'import', 'let', 'if', 'for']));
    expect(top).not.toContain('volume');
    const job = await completionLabels('job "a" {\n  vol|\n}\n');
    expect(job).toEqual(expect.arrayContaining(['volume', 'volumes', 'provider', 'hook', 'target', 'quiesce', 'let']));
    expect(job).not.toContain('job');
    const quiesce = await completionLabels('job "a" {\n  quiesce {\n    |\n  }\n}\n');
    expect(quiesce.sort()).toEqual(['for', 'idle', 'if', 'let', 'on-timeout', 'within']);
  });

  it('offers provider names after provider and providers', async () => {
    const names = ['vss', 'wmi', 'btrfs', 'lvm', 'zfs', 'fsfreeze', 'copy'];
    expect((await completionLabels('job "a" {\n  provider |\n}\n')).sort()).toEqual([...names].sort());
    expect((await completionLabels('job "a" {\n  providers btrfs, c|\n}\n')).sort()).toEqual([...names].sort());
  });

  it('offers the options of a provider inside its block', async () => {
    expect(await completionLabels('job "a" {\n  provider vss {\n    |\n  }\n}\n')).toEqual(
      expect.arrayContaining(['context', 'include-writer', 'exclude-writer', 'require-writer', 'provider-id', 'timeout']),
    );
    expect(await completionLabels('job "a" {\n  provider copy { re| }\n}\n')).toEqual(expect.arrayContaining(['retries', 'retry-delay']));
    expect(await completionLabels('job "a" {\n  provider lvm {\n    |\n  }\n}\n')).toContain('size');
  });

  it('offers writer kinds, hook stages, hook actions and target kinds', async () => {
    expect((await completionLabels('job "a" {\n  writer "db" |\n}\n')).sort()).toEqual(['command', 'postgres', 'process', 'sqlite']);
    expect(await completionLabels('job "a" {\n  hook |\n}\n')).toEqual(['before-backup', 'before-snapshot', 'during-freeze', 'after-snapshot', 'after-backup', 'on-error']);
    expect(await completionLabels('job "a" {\n  hook before-backup |\n}\n')).toEqual(['run', 'sh', 'pwsh', 'cmd']);
    expect(await completionLabels('job "a" {\n  target |\n}\n')).toEqual(['tree', 'restic', 'exec']);
    expect(await completionLabels('job "a" {\n  hook after-backup {\n    |\n  }\n}\n')).toEqual(expect.arrayContaining(['run', 'sh', 'pwsh', 'cmd', 'timeout', 'allow-failure', 'cwd', 'env']));
    expect(await completionLabels('job "a" {\n  writer "w" command {\n    |\n  }\n}\n')).toEqual(expect.arrayContaining(['prepare', 'freeze', 'thaw', 'post-snapshot', 'backup-complete', 'timeout', 'required']));
  });

  it('offers built-in functions, values and the lets in scope where an expression goes', async () => {
    const labels = await completionLabels('let root = "/srv"\nlet later = 1\njob "a" {\n  let local = "x"\n  target tree path(|)\n}\n');
    expect(labels).toEqual(expect.arrayContaining(['root', 'later', 'local', 'env', 'file', 'path', 'secret', 'hostname', 'platform', 'job']));
    const before = await completionLabels('let a = |\nlet b = 2\n');
    expect(before).not.toContain('b');
    expect(before).toContain('env');
    expect(await completionLabels('let dir = "/srv"\njob "a" { volume "${d|}/x" }\n')).toEqual(expect.arrayContaining(['dir', 'hostname', 'job', 'lower']));
    expect(await completionLabels('for app in ["a", "b"] {\n  job "${app}" { volume path("/srv", |) }\n}\n')).toContain('app');
    expect(await completionLabels('for app in ["a", "b"] {\n}\nlet x = |\n')).not.toContain('app');
  });

  it('offers nothing inside strings, comments and raw blocks', async () => {
    expect(await completionLabels('job "a" {\n  volume "/sr|"\n}\n')).toEqual([]);
    expect(await completionLabels('# provider |\n')).toEqual([]);
    expect(await completionLabels('job "a" {\n  hook before-backup sh { echo | }\n}\n')).toEqual([]);
    expect(await completionLabels('job "a" {\n  hook before-backup pwsh |\n}\n')).toEqual([]);
  });

  it('offers the statements of the block once a word is typed after a statement with all its arguments on one line', async () => {
    expect(await completionLabels('job "a" {\n  quiesce { idle 3s w| }\n}\n')).toEqual(expect.arrayContaining(['within', 'on-timeout']));
  });

  it('offers nothing right after a finished statement, typed space or not', async () => {
    for (const line of ['provider vss |', 'target tree "/y" |', 'freeze-timeout 5s |', 'quiesce { idle 3s | }']) {
      const marked = `job "a" {\n  volume "/srv"\n  ${line}\n}\n`;
      expect(await completionLabels(marked), line).toEqual([]);
      expect(await completionLabels(marked, ' '), line).toEqual([]);
    }
  });

  it('answers a typed space only where one of a fixed set of words comes next', async () => {
    expect(await completionLabels('job "a" {\n  provider |\n}\n', ' ')).toContain('btrfs');
    expect(await completionLabels('job "a" {\n  hook before-backup |\n}\n', ' ')).toEqual(['run', 'sh', 'pwsh', 'cmd']);
    expect(await completionLabels('job "a" {\n  target restic "/r" { keep |}\n}\n', ' ')).toContain('daily');
    expect(await completionLabels('job "a" {\n  |\n}\n', ' ')).toEqual([]);
    expect(await completionLabels('job "a" {\n  volume |\n}\n', ' ')).toEqual([]);
    expect(await completionLabels('let x = |\n', ' ')).toEqual([]);
    expect(await completionLabels('let x = |\n')).toContain('env');
  });

  it('keeps its order through sortText', async () => {
    const items = await completionItems('job "a" {\n  hook |\n}\n');
    const sorted = [...items].sort((a, b) => a.sortText!.localeCompare(b.sortText!)).map((i) => i.label);
    expect(sorted).toEqual(['before-backup', 'before-snapshot', 'during-freeze', 'after-snapshot', 'after-backup', 'on-error']);
    const many = await completionItems('job "a" {\n  |\n}\n');
    expect(many.length).toBeGreaterThan(10);
    expect([...many].sort((a, b) => a.sortText!.localeCompare(b.sortText!))).toEqual(many);
  });
});

describe('hover', () => {
  it('shows the reference text of a statement keyword in its block', async () => {
    const text = await hoverAt('job "a" {\n  freeze-ti|meout 5s\n}\n');
    expect(text).toContain('freeze-timeout DURATION');
    expect(text).toContain('Default: `10s`');
    const option = await hoverAt('job "a" {\n  provider copy { ret|ries 3 }\n}\n');
    expect(option).toContain('retries N');
  });

  it('shows what a provider, a hook stage and a function are', async () => {
    expect(await hoverAt('job "a" {\n  provider bt|rfs\n}\n')).toContain('read-only subvolume snapshot');
    expect(await hoverAt('job "a" {\n  hook on-e|rror run "x"\n}\n')).toContain('STILLPOINT_ERROR');
    expect(await hoverAt('let x = e|nv("HOME")\n')).toContain('env(name) / env(name, default)');
    expect(await hoverAt('l|et x = 1\n')).toContain('binds a name');
  });

  it('shows the value of a let computed without I/O, and says when it cannot be', async () => {
    expect(await hoverAt('let base = "/srv"\nlet dir = path(base, "db", upper("x"))\njob "a" { target tree di|r }\n')).toBe('`let dir` = `"/srv/db/X"`');
    expect(await hoverAt('let t = 5m\nlet ok = t == 5m and not false\njob "a" { volume "${o|k}" }\n')).toBe('`let ok` = `true`');
    expect(await hoverAt('let r|oot = exists("/etc") == true\n')).toBe('`let root` = `known when the script runs`');
    expect(await hoverAt('let p|w = secret("hunter2")\n')).toBe('`let pw` = `"***"`');
  });
});

/** The quick fixes at the marker, each as its title and the text after applying its edit. */
async function quickFixes(marked: string): Promise<{ title: string; preferred: boolean; result: string }[]> {
  const { text, position } = withCursor(marked);
  const uri = uriFor();
  await client.open(uri, text);
  const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } })) as CodeAction[];
  return actions.map((action) => {
    expect(action.kind).toBe('quickfix');
    const edits = action.edit!.changes![uri]!;
    expect(edits).toHaveLength(1);
    return { title: action.title, preferred: action.isPreferred === true, result: TextDocument.applyEdits(TextDocument.create(uri, 'stillpoint', 1, text), edits) };
  });
}

describe('quick fixes', () => {
  const job = (body: string) => `job "a" {\n  volume "/srv"\n${body}\n}\n`;
  it('replaces the word of each "did you mean" with the word it means', async () => {
    const cases: [string, string][] = [
      ['  provider btr|fz', '  provider btrfs'],
      ['  hook on-eror| run "x"', '  hook on-error run "x"'],
      ['  writer "w" sqli|t "/srv/w.db"', '  writer "w" sqlite "/srv/w.db"'],
      ['  freeze-timeout 5mins|', '  freeze-timeout 5m'],
      ['  target restic "/r" { keep dayly| 7 }', '  target restic "/r" { keep daily 7 }'],
      ['  freeze-timout| 5s', '  freeze-timeout 5s'],
      ['  target tre| "/b"', '  target tree "/b"'],
    ];
    for (const [marked, fixed] of cases) {
      const actions = await quickFixes(job(marked));
      expect(actions.map((a) => a.result), marked).toContain(job(fixed));
      expect(actions.find((a) => a.result === job(fixed))!.preferred).toBe(true);
    }
  });

  it('replaces a misspelt name, or defines it with let above its top-level statement', async () => {
    const actions = await quickFixes('let root = "/b"\njob "a" {\n  volume "/srv"\n  target tree roo|tt\n}\n');
    expect(actions.map((a) => a.title)).toEqual(['Change to `root`', 'Define `roott` with `let`']);
    expect(actions[0]!.result).toBe('let root = "/b"\njob "a" {\n  volume "/srv"\n  target tree root\n}\n');
    expect(actions[1]!.result).toBe('let root = "/b"\nlet roott = ""\njob "a" {\n  volume "/srv"\n  target tree roott\n}\n');
    const only = await quickFixes('job "a" {\n  volume "/srv"\n  target tree elsewhe|re\n}\n');
    expect(only).toEqual([{ title: 'Define `elsewhere` with `let`', preferred: true, result: 'let elsewhere = ""\njob "a" {\n  volume "/srv"\n  target tree elsewhere\n}\n' }]);
  });

  it('offers nothing where nothing is wrong', async () => {
    expect(await quickFixes(job('  provider bt|rfs'))).toEqual([]);
  });
});

describe('hover of a let with a fallback', () => {
  it('shows what it falls back to, and never the environment\'s value', async () => {
    process.env.STILLPOINT_TEST_HOVER = '/from/the/environment';
    try {
      expect(await hoverAt('let r|oot = env("STILLPOINT_TEST_HOVER") ?? "/mnt/backup"\n')).toBe('`let root` = `known when the script runs`, else `"/mnt/backup"`');
      expect(await hoverAt('let r|oot = env("STILLPOINT_TEST_HOVER", "/mnt/backup")\n')).toBe('`let root` = `known when the script runs`, else `"/mnt/backup"`');
      expect(await hoverAt('let base = "/mnt"\nlet r|oot = env("STILLPOINT_TEST_HOVER") ?? path(base, "b")\n')).toBe('`let root` = `known when the script runs`, else `"/mnt/b"`');
    } finally {
      delete process.env.STILLPOINT_TEST_HOVER;
    }
  });
});

describe('signature help and folding', () => {
  async function signatureAt(marked: string): Promise<SignatureHelp | null> {
    const { text, position } = withCursor(marked);
    const uri = uriFor();
    await client.open(uri, text);
    return (await client.connection.sendRequest('textDocument/signatureHelp', { textDocument: { uri }, position })) as SignatureHelp | null;
  }

  it('shows the signature of the built-in function around the cursor, with its parameter', async () => {
    const first = await signatureAt('let x = env(|');
    expect(first!.signatures[0]!.label).toBe('env(name, default)');
    expect(first!.activeParameter).toBe(0);
    expect((await signatureAt('let x = env("A", |'))!.activeParameter).toBe(1);
    const inner = await signatureAt('job "a" { target tree path("/b", lower(|), "c") }\n');
    expect(inner!.signatures[0]!.label).toBe('lower(text)');
    const outer = await signatureAt('job "a" { target tree path("/b", lower("X"), |) }\n');
    expect(outer!.signatures[0]!.label).toBe('path(a, b, ...)');
    expect(outer!.activeParameter).toBe(1);
    expect(await signatureAt('let x = env("A")|\n')).toBeNull();
    expect(await signatureAt('let x = "env(|"\n')).toBeNull();
  });

  it('folds blocks, raw blocks and lists that span lines, keeping the closing line', async () => {
    const uri = uriFor();
    await client.open(uri, 'let dirs = [\n  "/a",\n  "/b",\n]\njob "a" {\n  volume "/srv"\n  hook before-backup sh {\n    echo one\n    echo two\n  }\n  target tree "/b" { keep last 3 }\n}\n');
    const ranges = (await client.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri } })) as FoldingRange[];
    expect(ranges.map((r) => [r.startLine, r.endLine])).toEqual([[0, 2], [4, 10], [6, 8]]);
  });
});

describe('formatting, definition, symbols', () => {
  it('formats with the fmt formatter and leaves a broken script alone', async () => {
    const uri = uriFor();
    await client.open(uri, 'job "a"{\nvolume "/srv"\n    provider copy;target tree "/b"}\n');
    const edits = (await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe('job "a" {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n}\n');
    const broken = uriFor();
    await client.open(broken, 'job "a" {\n');
    expect(await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri: broken }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it('goes to the let a name refers to, and to the file an import names', async () => {
    const { text, position } = withCursor('let root = "/srv"\njob "a" {\n  target tree path(ro|ot, "x")\n}\n');
    const uri = uriFor();
    await client.open(uri, text);
    const location = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position })) as Location;
    expect(location).toEqual({ uri, range: { start: { line: 0, character: 4 }, end: { line: 0, character: 8 } } });

    writeFileSync(join(dir, 'common.still'), 'let shared = 1\n');
    const imported = withCursor('import "comm|on.still"\n');
    const importer = uriFor('importer.still');
    await client.open(importer, imported.text);
    const target = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: importer }, position: imported.position })) as Location;
    expect(target.uri).toBe(uriFor('common.still'));
  });

  it('lists jobs with their writers, targets and hooks', async () => {
    const uri = uriFor();
    await client.open(
      uri,
      'let root = "/b"\ndefaults { hook on-error run "mail" }\njob "ledger" {\n  volume "/srv"\n  writer "books" sqlite "/srv/books.db"\n  hook before-backup run "true"\n  target tree root\n}\nif platform == "linux" {\n  job other { volume "/x" }\n}\n',
    );
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
    const outline = symbols.map((s) => [s.name, s.detail, (s.children ?? []).map((c) => `${c.detail} ${c.name}`)]);
    expect(outline).toEqual([
      ['root', undefined, []],
      ['defaults', 'defaults', ['hook on-error']],
      ['ledger', 'job', ['writer books (sqlite)', 'hook before-backup', 'target tree root']],
      ['other', 'job', []],
    ]);
    expect(symbols[2]!.selectionRange).toEqual({ start: { line: 2, character: 4 }, end: { line: 2, character: 12 } });
  });
});
