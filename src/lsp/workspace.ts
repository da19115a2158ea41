// The scripts the editor has open, and what each one's last check read. A check runs the
// loader of `stillpoint check` with every open buffer's text in place of its file on disk,
// so an importer sees the unsaved text of the file it imports. Checks are cached until any
// script changes (in the editor or on disk): a change anywhere can change what an importer
// reports, and a check of a few files is cheaper than tracking what depends on what exactly.

import { pathToFileURL } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../language/diagnostic.ts';
import { loadPlanFromText } from '../plan/load.ts';
import { documentPath, ScriptDocument } from './document.ts';

export interface Check {
  diagnostics: Diagnostic[];
  /** Every file the check read, the script first and its imports depth first: file name → text. */
  sources: ReadonlyMap<string, string>;
}

export class Workspace {
  readonly #documents: TextDocuments<TextDocument>;
  readonly #scripts = new Map<string, ScriptDocument>();
  readonly #checks = new Map<string, { generation: number; check: Promise<Check> }>();
  /** The files each open script read in its newest finished check. */
  readonly #reads = new Map<string, ReadonlySet<string>>();
  #generation = 0;
  /**
   * The folders imports may come from: the editor's workspace folders, as `--import-root`
   * allows (SECURITY.md); each script's own folder when the editor opened none.
   */
  importRoots: readonly string[] | undefined;

  constructor(documents: TextDocuments<TextDocument>) {
    this.#documents = documents;
  }

  /** The open script at `uri`, parsed once per text. */
  script(uri: string): ScriptDocument | undefined {
    const document = this.#documents.get(uri);
    if (document === undefined) return undefined;
    let cached = this.#scripts.get(uri);
    if (cached?.text !== document.getText()) {
      cached = new ScriptDocument(uri, document.getText());
      this.#scripts.set(uri, cached);
    }
    return cached;
  }

  /** A script, open or not: the open buffer's text first, else the text a check read from disk. */
  scriptAt(path: string, sources: ReadonlyMap<string, string>): ScriptDocument | undefined {
    const uri = pathToFileURL(path).href;
    const open = this.script(uri);
    if (open) return open;
    const text = sources.get(path);
    return text === undefined ? undefined : new ScriptDocument(uri, text);
  }

  /** The editor added and removed workspace folders (paths): the allowed roots change, and so may every check. */
  changeFolders(added: readonly string[], removed: readonly string[]): void {
    const kept = (this.importRoots ?? []).filter((folder) => !removed.includes(folder));
    const folders = [...kept, ...added.filter((folder) => !kept.includes(folder))];
    this.importRoots = folders.length > 0 ? folders : undefined;
    this.changed();
  }

  /** Some script changed, here or on disk: every cached check may be out of date. */
  changed(): void {
    this.#generation += 1;
  }

  closed(uri: string): void {
    this.#scripts.delete(uri);
    this.#checks.delete(uri);
    this.#reads.delete(uri);
  }

  check(uri: string): Promise<Check> | undefined {
    const script = this.script(uri);
    if (script === undefined) return undefined;
    const cached = this.#checks.get(uri);
    if (cached?.generation === this.#generation) return cached.check;
    const openFiles = new Map(this.#documents.all().map((d) => [documentPath(d.uri), d.getText()]));
    // A buffer that is not a file (an editor's untitled one) has no folder to import from.
    const importRoots = this.importRoots ?? (uri.startsWith('file:') ? undefined : []);
    const check = loadPlanFromText(script.path, script.text, { openFiles, importRoots }).then(({ diagnostics, sources }) => {
      this.#reads.set(uri, new Set(sources.keys()));
      return { diagnostics, sources };
    });
    this.#checks.set(uri, { generation: this.#generation, check });
    return check;
  }

  /** The open scripts, other than `path` itself, whose last check read `path`. */
  importersOf(path: string): string[] {
    return [...this.#reads].filter(([uri, read]) => read.has(path) && documentPath(uri) !== path).map(([uri]) => uri);
  }

  /** Every open script. */
  openUris(): string[] {
    return this.#documents.all().map((d) => d.uri);
  }
}
