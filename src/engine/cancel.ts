// SIGINT/SIGTERM become an AbortSignal that every step of the run watches. Cleanup (thaw,
// release, after-backup hooks) does not watch it, and a second signal cannot skip it: once
// this handler is installed Node no longer exits on the signal, so the run ends only after
// its cleanup has run. Each signal is reported with its count, so that the CLI can let a
// third one stop a cleanup that hangs.

export type CancelSignalName = 'SIGINT' | 'SIGTERM';

export interface Cancellation extends Disposable {
  readonly signal: AbortSignal;
  /** Cancels as a signal would (the TUI's q, say). */
  cancel(reason: string): void;
}

export function cancelOnSignals(
  onSignal: (name: CancelSignalName, count: number) => void,
  target: NodeJS.EventEmitter = process,
): Cancellation {
  const controller = new AbortController();
  let count = 0;
  const cancel = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new RunCancelled(reason));
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      count += 1;
      cancel(name);
      onSignal(name, count);
    };
    target.on(name, handler);
    return () => target.off(name, handler);
  });
  return {
    signal: controller.signal,
    cancel,
    [Symbol.dispose]() {
      for (const remove of handlers) remove();
    },
  };
}

/** The reason of an aborted run: a step that sees it reports "cancelled", not "failed". */
export class RunCancelled extends Error {
  readonly by: string;

  /** `by`: the signal's name, or who asked. */
  constructor(by: string) {
    super(`cancelled by ${by}`);
    this.name = 'RunCancelled';
    this.by = by;
  }
}
