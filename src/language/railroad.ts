// Railroad (syntax) diagrams of the grammar, drawn from the parser itself so that they
// cannot drift from it. The page loads its scripts from `resourceBase`, which the grammar
// generator points at a local copy: the page works offline.

import { createSyntaxDiagramsCode } from './chevrotain.ts';
import { stillParser } from './parser.ts';

/** Chevrotain's files that the page loads, relative to its `diagrams` folder. */
export const DIAGRAM_RESOURCES = ['diagrams.css', 'vendor/railroad-diagrams.js', 'src/diagrams_builder.js', 'src/diagrams_behavior.js', 'src/main.js'];

/** The HTML page; `resourceBase` is where DIAGRAM_RESOURCES are found, ending in `/`. */
export function railroadHtml(resourceBase: string): string {
  const grammar = stillParser().getSerializedGastProductions();
  const page = createSyntaxDiagramsCode(grammar, { resourceBase, css: `${resourceBase}diagrams.css` });
  return page.replace('<!DOCTYPE html>', '<!DOCTYPE html>\n<title>Stillpoint script grammar</title>');
}
