// The house rules of docs/architecture.md, checked over the real import graph of src/:
// no module imports from a layer above its own. Imports within one layer are free.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Bottom first. A module may import from its own layer and the layers before it. */
const LAYERS: readonly (readonly string[])[] = [
  ['base'],
  ['language'],
  ['plan'],
  ['events'],
  ['report'],
  ['providers', 'writers', 'targets', 'monitor', 'schedule'],
  ['engine'],
  ['tui', 'lsp'],
  ['cli'],
];

/** The two data contracts: plain types that import nothing, so every layer may read them. */
const CONTRACTS = new Set(['plan/types.ts', 'events/types.ts']);

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of a file (static, dynamic, type-only, re-export), as paths under src/. */
function importsOf(file: string, text: string): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .filter(({ fileName }) => fileName.startsWith('.'))
    .map(({ fileName }) => ({ from: relative(SRC, file), to: relative(SRC, resolve(dirname(file), fileName)) }));
}

function layerOf(path: string): number {
  const top = path.split('/')[0]!;
  return LAYERS.findIndex((layer) => layer.includes(top));
}

function upward(imports: Import[]): string[] {
  return imports
    .filter(({ from, to }) => !CONTRACTS.has(to) && layerOf(to) > layerOf(from))
    .map(({ from, to }) => `${from} imports ${to}, a layer above it`);
}

const files = sourceFiles(SRC);
const imports = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));

describe('the layers of src/', () => {
  it('name every folder of src/', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.filter((folder) => layerOf(folder) < 0)).toEqual([]);
  });

  it('are read from the real imports (a file in base that imports the engine is caught)', () => {
    expect(imports.length).toBeGreaterThan(300);
    const planted = importsOf(join(SRC, 'base', 'planted.ts'), "import type { RunResult } from '../engine/lifecycle.ts';");
    expect(upward(planted)).toEqual(['base/planted.ts imports engine/lifecycle.ts, a layer above it']);
  });

  it('hold: no module imports from a layer above its own', () => {
    expect(upward(imports)).toEqual([]);
  });

  it('leave the contracts free of imports, so reading them never pulls a layer in', () => {
    expect(imports.filter(({ from }) => CONTRACTS.has(from))).toEqual([]);
  });
});
