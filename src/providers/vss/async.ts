// IVssAsync under one deadline per snapshot set. Wait runs on a koffi worker thread in short
// slices so that the event loop stays free and a cancelled run is noticed; QueryStatus tells
// pending from finished, cancelled or failed; at the deadline (or on cancel) Stillpoint calls
// Cancel and says which of the three it was.

import type { ComObject } from './com.ts';
import { outPointer } from './com.ts';
import { VssError } from './errors.ts';
import { HRESULT, isFailure } from './hresult.ts';

/** One deadline for every VSS call of a snapshot set (the vss block's `timeout`). */
export class SetDeadline {
  readonly timeoutMs: number;
  readonly #at: number;

  constructor(timeoutMs: number, now = Date.now()) {
    this.timeoutMs = timeoutMs;
    this.#at = now + timeoutMs;
  }

  remainingMs(): number {
    return Math.max(0, this.#at - Date.now());
  }

  get expired(): boolean {
    return this.remainingMs() === 0;
  }
}

const WAIT_SLICE_MS = 200;
/** How long Cancel may take to be confirmed before Stillpoint stops waiting for it. */
const CANCEL_GRACE_MS = 5_000;

export function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function queryStatus(operation: ComObject<'IVssAsync'>): number {
  const status = [0];
  operation.invoke('QueryStatus', status, null);
  return status[0]!;
}

async function waitSlice(operation: ComObject<'IVssAsync'>, ms: number): Promise<void> {
  await operation.callOnWorker('Wait', Math.max(1, Math.min(ms, WAIT_SLICE_MS)));
}

/**
 * Starts an asynchronous VSS method (its last parameter is `IVssAsync **`) and waits for it
 * within the set's deadline. Releases the IVssAsync in every case.
 */
export async function runAsync(
  start: (box: unknown[]) => void,
  name: string,
  makeAsync: (ptr: bigint) => ComObject<'IVssAsync'>,
  deadline: SetDeadline,
  signal?: AbortSignal,
): Promise<void> {
  const box: unknown[] = [null];
  start(box);
  const ptr = outPointer(box);
  if (ptr === null) throw new VssError(name, 'failed', `${name} returned no IVssAsync; this is a bug in VSS or Stillpoint`);
  const operation = makeAsync(ptr);
  try {
    for (;;) {
      if (deadline.expired || signal?.aborted) return await cancel(operation, name, deadline, signal);
      await waitSlice(operation, deadline.remainingMs());
      const status = queryStatus(operation);
      if (status === HRESULT.VSS_S_ASYNC_PENDING) continue;
      if (status === HRESULT.VSS_S_ASYNC_FINISHED || status === HRESULT.S_OK) return;
      if (status === HRESULT.VSS_S_ASYNC_CANCELLED) {
        throw new VssError(name, 'cancelled', `${name} was cancelled by another program (VSS_S_ASYNC_CANCELLED) before it finished; nothing of this snapshot set is kept. Run the backup again.`, status);
      }
      if (isFailure(status)) throw VssError.fromHresult(name, status);
      return;
    }
  } finally {
    operation.release();
  }
}

async function cancel(operation: ComObject<'IVssAsync'>, name: string, deadline: SetDeadline, signal?: AbortSignal): Promise<void> {
  const byRun = signal?.aborted && !deadline.expired;
  const cancelled = operation.call('Cancel');
  if (cancelled === HRESULT.VSS_S_ASYNC_FINISHED) {
    // It finished between the last Wait and the Cancel: the result stands.
    const status = queryStatus(operation);
    if (isFailure(status)) throw VssError.fromHresult(name, status);
    return;
  }
  const graceEnds = Date.now() + CANCEL_GRACE_MS;
  let status = queryStatus(operation);
  while (status === HRESULT.VSS_S_ASYNC_PENDING && Date.now() < graceEnds) {
    await waitSlice(operation, graceEnds - Date.now());
    status = queryStatus(operation);
  }
  const confirmed = status === HRESULT.VSS_S_ASYNC_CANCELLED
    ? 'VSS confirmed the cancellation'
    : `VSS has not confirmed the cancellation within ${formatMs(CANCEL_GRACE_MS)}; it will abort the set when Stillpoint releases it`;
  if (byRun) {
    throw new VssError(name, 'cancelled', `${name} was cancelled because the run was cancelled; ${confirmed}.`, status);
  }
  throw new VssError(
    name,
    'timed-out',
    `${name} was still pending when the snapshot set's ${formatMs(deadline.timeoutMs)} timeout ran out; Stillpoint cancelled it and ${confirmed}. ` +
      'A writer that does not answer is the usual cause (see the writer states); raise `timeout` in the vss block or exclude that writer with exclude-writer.',
    status,
  );
}
