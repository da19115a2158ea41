// The value of a `let` for hover, where it can be known without I/O and without a run:
// literals, other such lets, operators, `platform`, `hostname` and the pure built-in
// functions. Anything that reads the environment or the disk (`env`, `file`, `exists`) or
// belongs to a run (`job`, `run_id`, `started`, `date`) makes the value unknown.

import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { Expr, SourceFile } from '../language/ast.ts';
import { BUILTIN_FUNCTIONS, builtinValue, joinText, type BuiltinContext } from '../plan/builtins.ts';
import { currentPlatform } from '../plan/load.ts';
import { interpolationText, literalValue, valuesEqual, type Value } from '../plan/values.ts';
import { letNamed } from './syntax-tree.ts';

const PURE_FUNCTIONS = new Set(['path', 'lower', 'upper', 'secret']);
const PURE_VALUES = new Set(['platform', 'hostname']);

/** The value of `expr` at `offset` of `file`, or undefined when it cannot be known now. */
export function staticValue(file: SourceFile, expr: Expr, offset: number): Value | undefined {
  const context: BuiltinContext = { platform: currentPlatform(), hostname: hostname(), runId: '', started: new Date(0), env: {}, baseDir: dirname(file.path) };
  const seen = new Set<string>();
  const value = (e: Expr, at: number): Value | undefined => {
    switch (e.kind) {
      case 'String': {
        const parts: { value: string; shown?: string }[] = [];
        for (const part of e.parts) {
          if (part.kind === 'Text') parts.push({ value: part.value });
          else {
            const inner = value(part.expr, at);
            const text = inner && interpolationText(inner);
            if (!text) return undefined;
            parts.push(text);
          }
        }
        return joinText(parts);
      }
      case 'RawString':
      case 'Number':
      case 'Percent':
      case 'Duration':
      case 'Size':
      case 'Drive':
      case 'Bool':
      case 'None':
        return literalValue(e);
      case 'Paren':
        return value(e.expr, at);
      case 'List': {
        const items = e.items.map((item) => value(item, at));
        return items.every((i) => i !== undefined) ? { type: 'list', items: items as Value[] } : undefined;
      }
      case 'Not': {
        const operand = value(e.operand, at);
        return operand?.type === 'bool' ? { type: 'bool', value: !operand.value } : undefined;
      }
      case 'Binary': {
        const left = value(e.left, at);
        if (left === undefined) return undefined;
        if (e.op === '??') return left.type === 'none' ? value(e.right, at) : left;
        const right = value(e.right, at);
        if (right === undefined) return undefined;
        if (e.op === '==' || e.op === '!=') return { type: 'bool', value: valuesEqual(left, right) === (e.op === '==') };
        if (left.type !== 'bool' || right.type !== 'bool') return undefined;
        return { type: 'bool', value: e.op === 'and' ? left.value && right.value : left.value || right.value };
      }
      case 'Name': {
        const binding = letNamed(file, e.name, at);
        if (binding === undefined) return PURE_VALUES.has(e.name) ? builtinValue(e.name, context) : undefined;
        if (seen.has(e.name)) return undefined;
        seen.add(e.name);
        return value(binding.value, binding.range.start.offset);
      }
      case 'Call': {
        if (!PURE_FUNCTIONS.has(e.callee.name)) return undefined;
        const args = e.args.map((a) => value(a, at));
        if (args.some((a) => a === undefined || (a.type !== 'string' && a.type !== 'none'))) return undefined;
        const result = BUILTIN_FUNCTIONS[e.callee.name]!(args as Value[], context);
        return 'value' in result ? result.value : undefined;
      }
      default:
        return undefined;
    }
  };
  return value(expr, offset);
}

/** A value as a script would write it; secrets show as `***`. */
export function valueText(value: Value): string {
  switch (value.type) {
    case 'string':
      return JSON.stringify(value.shown ?? value.value);
    case 'number':
      return String(value.value);
    case 'percent':
      return `${value.value}%`;
    case 'duration':
    case 'size':
      return value.text;
    case 'bool':
      return String(value.value);
    case 'none':
      return 'none';
    case 'list':
      return `[${value.items.map(valueText).join(', ')}]`;
    case 'snapshot-paths':
      return 'snapshot_paths';
  }
}
