// `npm run grammar`: writes the generated files of grammar/. Each generator returns the files
// it writes (path relative to grammar/, content); add a generator to the list to add a format.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGRAM_RESOURCES, railroadHtml } from '../src/language/railroad.ts';
import { textMateGrammarFile } from '../src/language/textmate.ts';

export interface GeneratedFile {
  path: string;
  content: string;
}

export interface GrammarGenerator {
  name: string;
  generate(): GeneratedFile[];
}

// The package exports only its entry point (somewhere under lib/); the diagrams folder sits beside lib/.
const chevrotainEntry = fileURLToPath(import.meta.resolve('chevrotain'));
const chevrotainDiagrams = join(chevrotainEntry.slice(0, chevrotainEntry.lastIndexOf(`${sep}lib${sep}`)), 'diagrams');

const railroad: GrammarGenerator = {
  name: 'railroad diagrams (railroad.html, offline)',
  generate: () => [
    { path: 'railroad.html', content: railroadHtml('diagrams/') },
    ...DIAGRAM_RESOURCES.map((resource) => ({ path: join('diagrams', resource), content: readFileSync(join(chevrotainDiagrams, resource), 'utf8') })),
  ],
};

export const GENERATORS: GrammarGenerator[] = [railroad, textMateGrammarFile];

const grammarDir = fileURLToPath(new URL('../grammar/', import.meta.url));

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const generator of GENERATORS) {
    const files = generator.generate();
    for (const file of files) {
      const path = join(grammarDir, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
    console.log(`${generator.name}: ${files.map((f) => `grammar/${f.path}`).join(', ')}`);
  }
}
