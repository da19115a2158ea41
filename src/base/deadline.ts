// A step that must end in time: it gets an AbortSignal that fires at its deadline or when the
// run is cancelled, and the caller moves on at that moment even if the step ignores the
// signal. What the step still produces after that goes to `late` (a snapshot set created
// after its freeze window closed must still be released).

export class DeadlineExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}

export interface DeadlineOptions<T> {
  /** What is being waited for, for the message: "writer \"books\" freeze". */
  what: string;
  timeoutMs: number;
  /** The enclosing signal (run cancelled, an outer window closed). */
  signal?: AbortSignal;
  late?: (value: T) => void;
}

export async function withDeadline<T>(step: (signal: AbortSignal) => Promise<T>, options: DeadlineOptions<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DeadlineExceeded(`${options.what} did not finish within ${formatMs(options.timeoutMs)}`)),
    options.timeoutMs,
  );
  const forward = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener('abort', forward, { once: true });
  let settled = false;
  try {
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(controller.signal.reason);
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener('abort', fail, { once: true });
    });
    const running = Promise.resolve().then(() => step(controller.signal));
    running.then(
      (value) => {
        if (settled && controller.signal.aborted) options.late?.(value);
      },
      () => {},
    );
    return await Promise.race([running, aborted]);
  } finally {
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', forward);
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  return `${+(ms / 60_000).toFixed(1)}m`;
}
