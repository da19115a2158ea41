// Worker threads that copy large files, so that reading, hashing and writing of several
// files run on several cores at once (SHA-256 alone is about 1 GB/s on one core). Started
// lazily: a backup of small files never starts one.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CopyOutcome } from './copy.ts';

export interface CopyRequest {
  id: number;
  source: string;
  dest: string;
  live: boolean;
  /** Keys the reflink state of the file's volume. */
  volume: string;
}

export interface CopyReply {
  id: number;
  outcome?: CopyOutcome;
  error?: { message: string; code?: string; path?: string; syscall?: string; errno?: number };
  xattrTrouble?: { code?: string; message: string };
}

interface Job {
  request: CopyRequest;
  resolve(outcome: CopyOutcome): void;
  reject(error: Error): void;
}

export class CopyPool {
  readonly #size: number;
  readonly #onXattrTrouble: (error: NodeJS.ErrnoException) => void;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: Job[] = [];
  readonly #running = new Map<Worker, Job>();
  #nextId = 1;

  constructor(onXattrTrouble: (error: NodeJS.ErrnoException) => void, size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.#size = size;
    this.#onXattrTrouble = onXattrTrouble;
  }

  copy(request: Omit<CopyRequest, 'id'>): Promise<CopyOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request: { ...request, id: this.#nextId++ }, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
    this.#idle.length = 0;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#workers.length < this.#size ? this.#start() : undefined);
      if (!worker) return;
      const job = this.#queue.shift()!;
      this.#running.set(worker, job);
      worker.postMessage(job.request);
    }
  }

  #start(): Worker {
    const worker = new Worker(new URL('./copy-worker.ts', import.meta.url));
    this.#workers.push(worker);
    worker.on('message', (reply: CopyReply) => {
      const job = this.#running.get(worker)!;
      this.#running.delete(worker);
      this.#idle.push(worker);
      if (reply.xattrTrouble) this.#onXattrTrouble(Object.assign(new Error(reply.xattrTrouble.message), { code: reply.xattrTrouble.code }));
      if (reply.error) job.reject(Object.assign(new Error(reply.error.message), reply.error));
      else job.resolve(revive(reply.outcome!));
      this.#dispatch();
    });
    worker.on('error', (error) => {
      const job = this.#running.get(worker);
      this.#running.delete(worker);
      this.#workers.splice(this.#workers.indexOf(worker), 1);
      job?.reject(new Error(`a copy worker failed: ${error.message}`, { cause: error }));
      this.#dispatch();
    });
    return worker;
  }
}

/** Buffers arrive from a worker as Uint8Arrays. */
function revive(outcome: CopyOutcome): CopyOutcome {
  if (outcome.kind !== 'copied' || !outcome.xattrs) return outcome;
  const xattrs = Object.fromEntries(Object.entries(outcome.xattrs).map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]));
  return { ...outcome, xattrs };
}
