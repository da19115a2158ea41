// The TUI's model: the run summary folded from events, plus what only a live screen needs
// (lines that have left the live area, the tail of hook output, whether a cancel was asked
// for). Components subscribe to it; emit() never renders, so events can arrive faster than
// frames.

import type { StillpointEvent } from '../events/types.ts';
import { RunSummaryBuilder, type StageSummary } from '../report/run-summary.ts';

/** A line printed once above the live area (Ink's <Static>): the run's title, a finished stage. */
export type PrintedLine =
  | { key: string; kind: 'title'; text: string }
  | { key: string; kind: 'dry-run'; text: string }
  | { key: string; kind: 'stage'; job?: string; stage: StageSummary };

export interface HookLine {
  key: number;
  stage: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

const HOOK_TAIL = 3;

export class RunStore {
  readonly #builder = new RunSummaryBuilder();
  readonly printed: PrintedLine[] = [];
  hookTail: HookLine[] = [];
  cancelling = false;
  #version = 0;
  #hookLines = 0;
  readonly #listeners = new Set<() => void>();

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
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #changed(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }
}
