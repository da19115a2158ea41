// SIGINT/SIGTERM become an AbortSignal that every step of the run watches. Cleanup (thaw,
// release, after-backup hooks) does not watch it, and a second signal cannot skip it: once
// this handler is installed Node no longer exits on the signal, so the run ends only after
// its cleanup has run.

export type CancelSignalName = 'SIGINT' | 'SIGTERM';

export interface Cancellation extends Disposable {
  readonly signal: AbortSignal;
}

export function cancelOnSignals(
  onSignal: (name: CancelSignalName, count: number) => void,
  target: NodeJS.EventEmitter = process,
): Cancellation {
  const controller = new AbortController();
  let count = 0;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      count += 1;
      if (!controller.signal.aborted) controller.abort(new RunCancelled(name));
      onSignal(name, count);
    };
    target.on(name, handler);
    return () => target.off(name, handler);
  });
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      for (const remove of handlers) remove();
    },
  };
}

/** The reason of an aborted run: a step that sees it reports "cancelled", not "failed". */
export class RunCancelled extends Error {
  readonly signalName: string;

  constructor(signalName: string) {
    super(`cancelled by ${signalName}`);
    this.name = 'RunCancelled';
    this.signalName = signalName;
  }
}
