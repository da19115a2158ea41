// Chevrotain, loaded from the one-file ESM bundle its package ships beside its entry point
// (same version, same code). The entry point pulls in about fifty modules, and resolving them
// cost `stillpoint check` some 40 ms of its start-up (bench/language.ts). The package's
// exports map offers only the entry point, so the bundle is found next to it. Every module
// takes Chevrotain's values from here, so one copy is ever loaded; types still come from
// 'chevrotain' itself.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

const entry = createRequire(import.meta.url).resolve('chevrotain'); // <package>/lib/src/api.js
const bundle = (await import(pathToFileURL(join(dirname(entry), '..', 'chevrotain.mjs')).href)) as typeof Chevrotain;

export const { createToken, createTokenInstance, createSyntaxDiagramsCode, CstParser, EOF, isRecognitionException, Lexer } = bundle;
