// Signature help for the built-in functions: inside `name(...)`, the function's signature
// with the parameter the cursor is on. Text being typed rarely parses, so this reads tokens.

import { MarkupKind, type SignatureHelp } from 'vscode-languageserver';
import { FUNCTIONS } from '../language/catalog.ts';
import { lex } from '../language/lexer.ts';
import { rangeMaker } from '../language/positions.ts';
import * as T from '../language/tokens.ts';
import type { ScriptDocument } from './document.ts';

export function signatureHelp(document: ScriptDocument, offset: number): SignatureHelp | null {
  const prefix = document.text.slice(0, offset);
  const tokens = lex(prefix, rangeMaker(prefix, '')).tokens;
  // The open parentheses before the cursor: which function each belongs to, and its commas.
  const open: { callee: string | undefined; commas: number }[] = [];
  tokens.forEach((token, index) => {
    if (token.tokenType === T.LParen) {
      const before = tokens[index - 1];
      open.push({ callee: before?.tokenType === T.Identifier ? before.image : undefined, commas: 0 });
    } else if (token.tokenType === T.RParen) open.pop();
    else if (token.tokenType === T.Comma && open.length > 0) open.at(-1)!.commas += 1;
  });
  const call = open.at(-1);
  const spec = FUNCTIONS.find((f) => f.name === call?.callee);
  if (call === undefined || spec === undefined) return null;
  // `env(name) / env(name, default)`: the longest form names every parameter.
  const label = spec.signature.split(' / ').at(-1)!;
  const parameters = label.slice(label.indexOf('(') + 1, label.lastIndexOf(')')).split(', ').filter((p) => p !== '...');
  return {
    signatures: [{ label, documentation: { kind: MarkupKind.Markdown, value: spec.doc }, parameters: parameters.map((p) => ({ label: p })) }],
    activeSignature: 0,
    activeParameter: Math.min(call.commas, parameters.length - 1),
  };
}
