// Offsets to SourceRanges. Lines are 1-based, columns 1-based in UTF-16 code units, which is
// what a JavaScript string index already counts, so a column is an offset minus its line start.

import type { Position, SourceRange } from './diagnostic.ts';

export type RangeOf = (start: number, end: number) => SourceRange;

export function lineStarts(text: string): number[] {
  const starts = [0];
  let at = text.indexOf('\n');
  while (at !== -1) {
    starts.push(at + 1);
    at = text.indexOf('\n', at + 1);
  }
  return starts;
}

/** A function from [start, end) offsets to a SourceRange of `file`. */
export function rangeMaker(text: string, file: string): RangeOf {
  const starts = lineStarts(text);
  // Offsets come mostly in source order: try the line of the previous lookup first.
  let recent = 0;
  const position = (offset: number): Position => {
    const line = starts[recent]! <= offset && (recent + 1 === starts.length || starts[recent + 1]! > offset) ? recent : lineOf(offset);
    recent = line;
    return { line: line + 1, column: offset - starts[line]! + 1, offset };
  };
  const lineOf = (offset: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  return (start, end) => ({ file, start: position(start), end: position(Math.max(start, end)) });
}
