// Rewrites the generated reference part of docs/language.md from the catalog.
import { readFileSync, writeFileSync } from 'node:fs';
import { withCurrentReference } from '../src/language/catalog-reference.ts';

const path = new URL('../docs/language.md', import.meta.url);
writeFileSync(path, withCurrentReference(readFileSync(path, 'utf8')));
