// The TUI's model: the run summary folded from events, plus what only a live screen needs
// (lines that have left the live area, the tail of hook output, whether a cancel was asked
// for). Components subscribe to it; emit() never renders, so events can arrive faster than
// frames.

import type { RunStatus, StillpointEvent } from '../events/types.ts';
import { formatBytes, formatDuration } from '../report/format.ts';
import { RunSummaryBuilder, type StageSummary } from '../report/run-summary.ts';

/** A line printed once above the live area (Ink's <Static>): the run's title, a finished stage. */
export type PrintedLine =
  | { key: string; kind: 'title'; text: string }
  | { key: string; kind: 'dry-run'; text: string }
  | { key: string; kind: 'job'; text: string; status: RunStatus }
  | { key: string; kind: 'stage'; job?: string; stage: StageSummary };

export interface HookLine {
  key: number;
  stage: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

const HOOK_TAIL = 3;

export interface RunStoreOptions {
  /** Tell subscribers at most this often (0: after every event). A copy emits progress far
   * faster than a terminal needs frames, and each notice costs a React render. */
  notifyEveryMs?: number;
}

export class RunStore {
  readonly #builder = new RunSummaryBuilder();
  readonly printed: PrintedLine[] = [];
  hookTail: HookLine[] = [];
  cancelling = false;
  #version = 0;
  #hookLines = 0;
  readonly #listeners = new Set<() => void>();
  readonly #notifyEveryMs: number;
  #notifiedAt = -Infinity;
  #pending: NodeJS.Timeout | undefined;

  constructor(options: RunStoreOptions = {}) {
    this.#notifyEveryMs = options.notifyEveryMs ?? 0;
  }

  get summary() {
    return this.#builder.summary;
  }

  get version(): number {
    return this.#version;
  }

  apply(event: StillpointEvent): void {
    this.#builder.apply(event);
    if (event.type === 'run.started') {
      this.printed.push({ key: `title/${event.seq}`, kind: 'title', text: `stillpoint ${event.script}  run ${event.runId} on ${event.hostname}${event.dryRun ? '  (dry run: nothing is touched)' : ''}` });
    }
    if (event.type === 'dry-run.step') {
      this.printed.push({ key: `dry-run/${event.seq}`, kind: 'dry-run', text: `  would ${event.action}${event.setId ? ` (snapshot set ${event.setId})` : ''}` });
    }
    if (event.type === 'stage.finished') {
      const stages = event.job === undefined ? this.summary.stages : this.summary.jobs.find((j) => j.name === event.job)?.stages;
      const stage = stages?.find((s) => s.stage === event.stage);
      if (stage) this.printed.push({ key: `stage/${event.seq}`, kind: 'stage', ...(event.job !== undefined ? { job: event.job } : {}), stage: { ...stage } });
    }
    if (event.type === 'job.finished' && event.job !== undefined && this.summary.jobNames.length > 1) {
      // With several jobs, each one's outcome stays above the live area of the next.
      const text = `job ${event.job} ${event.status} (exit ${event.exitCode}) in ${formatDuration(event.durationMs)}: ${formatBytes(event.bytes)}, ${event.files} files, ${event.skipped} skipped${event.error ? `: ${event.error}` : ''}`;
      this.printed.push({ key: `job/${event.seq}`, kind: 'job', text, status: event.status });
    }
    if (event.type === 'hook.output') {
      const hook = this.summary.jobs.flatMap((j) => j.hooks).findLast((h) => h.hookId === event.hookId);
      this.#hookLines += 1;
      this.hookTail = [...this.hookTail, { key: this.#hookLines, stage: hook?.stage ?? event.hookId, stream: event.stream, line: event.line }].slice(-HOOK_TAIL);
    }
    this.#changed();
  }

  markCancelling(): void {
    this.cancelling = true;
    this.#changed();
    // The person who pressed q sees at once that it was heard.
    this.flush();
  }

  /** Tells subscribers now about changes still waiting for their frame. */
  flush(): void {
    if (this.#pending === undefined) return;
    clearTimeout(this.#pending);
    this.#pending = undefined;
    this.#notify();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #changed(): void {
    this.#version += 1;
    if (this.#pending !== undefined) return;
    const wait = this.#notifiedAt + this.#notifyEveryMs - performance.now();
    if (wait <= 0) {
      this.#notify();
      return;
    }
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#notify();
    }, wait);
  }

  #notify(): void {
    this.#notifiedAt = performance.now();
    for (const listener of this.#listeners) listener();
  }
}
