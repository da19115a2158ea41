// The stream a renderer writes to, and how it waits for what it wrote to leave.

export interface RenderOutput {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  writableNeedDrain?: boolean;
}

/** Resolves once everything written so far has been handed to the OS. */
export function drained(out: RenderOutput): Promise<void> {
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', () => resolve()));
}
