// Worker threads that copy files, so that walking, reading, hashing and writing run on several
// cores at once (SHA-256 alone is about 1 GB/s on one core). A large file travels alone; small
// files travel in batches, since one message per file would cost more than copying it. The
// hard links of unchanged files travel in batches too: on a cold disk a link waits for the
// previous snapshot's folder to be read, and the walk should not. Started on the first file
// handed over, or earlier by start(); until one is ready (it loads its modules first, which
// takes from tens to hundreds of milliseconds), the walking thread does the work itself
// (write.ts).

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { entryPointFile } from '../../package-layout.ts';
import { COPY_STOPPED, cancelFlag, copyCancelled, setCancelled, type CopyOutcome } from './copy.ts';
import { CopyThreadState, carryOut, type CopyThreadData } from './copy-request.ts';
import type { NewFileDefaults } from './metadata.ts';
import { startWorker } from './thread.ts';

/**
 * Where the paths of one volume's files start. One object per volume and run: files of the same
 * roots share a message, which carries the roots once.
 */
export interface CopyRoots {
  /** Keys the reflink state: a reflink may work from one volume and not another. */
  volume: string;
  /** The volume as read: its snapshot, or the volume itself in a live copy. */
  source: string;
  /** The volume's folder in the snapshot being written. */
  dest: string;
  /** The volume's folder in the previous snapshot, which unchanged files are linked from. */
  previous?: string;
}

export interface FileCopy {
  roots: CopyRoots;
  /** The file's path below each of the roots. */
  path: string;
  live: boolean;
  /** Unchanged: hard-link it from the previous snapshot, and copy only if that cannot be done. */
  link?: boolean;
}

/** What became of a file: linked, or what its copy came to. */
export type PoolOutcome = CopyOutcome | { kind: 'linked' };

/**
 * Files copied by one worker in one go, in order; all live or all not, of one volume. A batch
 * of several holds only files of at most BATCHED_FILE_BYTES. Paths below the roots rather than
 * whole ones, and flags rather than an object per file: a message costs what it holds to copy
 * on both threads, and one goes for every 32 files.
 */
export interface CopyRequest {
  id: number;
  roots: CopyRoots;
  paths: string[];
  /** For each of `paths`: link it (FileCopy.link). */
  link: boolean[];
  live: boolean;
}

/** The first message of a copy thread: its modules are loaded and it takes requests. */
export const COPY_THREAD_READY = 'ready';

/** The last message to a copy thread: once it has answered the requests before it, it leaves. */
export const COPY_THREAD_LEAVE = 'leave';

export interface CopyReply {
  id: number;
  /** One per file of the request, in its order. */
  outcomes?: PoolOutcome[];
  /** A target-side failure: it fails the snapshot, so the rest of the batch does not matter. */
  error?: { message: string; code?: string; path?: string; syscall?: string; errno?: number };
  xattrTrouble?: { code?: string; message: string };
}

interface Waiter {
  resolve(outcome: PoolOutcome): void;
  reject(error: Error): void;
}

interface Job {
  request: CopyRequest;
  waiters: Waiter[];
}

/** Small files per message. */
const BATCH_FILES = 32;
/** Up to this size files travel in batches (are small); larger ones one at a time. */
export const BATCHED_FILE_BYTES = 256 * 1024;
/**
 * Copy threads: one per core, at most 4. Two per core copied 10-21% faster on 2 cores, but each
 * thread is a V8 heap of its own: a full backup of 20,000 small files then peaked at 259 MiB,
 * over the 250 MiB that a backup of any size may take (bench/results/tree-memory.md).
 */
const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism()));

/**
 * Requests a thread holds at once: the one it works on, the next, whose files it reads ahead
 * meanwhile (copy-worker.ts), and one more, there to be read ahead in turn when the thread goes
 * on to the next, before the walking thread, busy walking, has read its answer and sent more.
 */
const REQUESTS_IN_HAND = 3;

export class CopyPool {
  readonly #size: number;
  readonly #onXattrTrouble: (error: NodeJS.ErrnoException) => void;
  readonly #signal: AbortSignal;
  readonly #threadData: CopyThreadData;
  readonly #workers: Worker[] = [];
  readonly #queue: Job[] = [];
  /** Per thread, the requests sent and not yet answered, in the order sent (a thread answers in that order). */
  readonly #sent = new Map<Worker, Job[]>();
  #ready = false;
  /** For requests carried out on the walking thread. */
  readonly #here: CopyThreadState;
  /** Small files not yet sent. */
  #batch: Job | undefined;
  #nextId = 1;

  /**
   * Once `signal` aborts, files not yet sent to a thread fail at once, and a thread stops the
   * file it is copying before its next chunk and removes what it wrote: a cancelled run waits
   * neither for the rest of the batch nor for the rest of a large file. `newFile`: what a file
   * created in the destination folders gets (copy.ts).
   */
  constructor(
    onXattrTrouble: (error: NodeJS.ErrnoException) => void,
    signal: AbortSignal,
    newFile?: NewFileDefaults,
    size = POOL_SIZE,
  ) {
    this.#size = size;
    this.#threadData = { newFile, cancel: cancelFlag() };
    this.#here = new CopyThreadState(this.#threadData);
    this.#onXattrTrouble = onXattrTrouble;
    this.#signal = signal;
    const cancel = () => {
      setCancelled(this.#threadData.cancel);
      this.#dispatch();
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
  }

  /**
   * A small file (or one to link) waits for others to share its message. The batch leaves when
   * it is full, or when the caller stops to wait (setImmediate runs only once the main thread
   * is idle).
   */
  copy(file: FileCopy, small: boolean): Promise<PoolOutcome> {
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      if (!small) {
        this.#queue.push({ request: this.#request(file), waiters: [waiter] });
        this.#dispatch();
        return;
      }
      const batch = this.#batch;
      if (batch && batch.request.live === file.live && batch.request.roots === file.roots) {
        batch.request.paths.push(file.path);
        batch.request.link.push(file.link === true);
        batch.waiters.push(waiter);
        if (batch.request.paths.length >= BATCH_FILES) this.#send();
        return;
      }
      this.#send();
      const started: Job = { request: this.#request(file), waiters: [waiter] };
      this.#batch = started;
      setImmediate(() => {
        if (this.#batch === started) this.#send();
      });
    });
  }

  /** Copies one file on this thread, as a copy thread would; throws what fails the snapshot. */
  copyHere(file: Omit<FileCopy, 'link'>): CopyOutcome {
    const reply = carryOut(this.#request(file), this.#here);
    if (reply.error) throw this.#failure(reply.error);
    if (reply.xattrTrouble) this.#onXattrTrouble(replyError(reply.xattrTrouble));
    // Without a link to make, the outcome is a copy's.
    return reply.outcomes![0] as CopyOutcome;
  }

  /** Starts the threads, if not yet started, before any file is handed over. */
  start(): void {
    while (this.#workers.length < this.#size) this.#sent.set(this.#start(), []);
  }

  /** A copy thread has loaded its modules: a file handed over now is not held up by its start. */
  get ready(): boolean {
    return this.#ready;
  }

  /**
   * Asks each thread to leave once it has answered the requests it holds, and waits until it
   * has. Never Worker.terminate(): a thread stopped inside koffi's initialisation aborts the
   * whole process (FATAL ERROR: napi_throw; koffi issue #190), and one stopped inside a koffi
   * call crashes it (SIGSEGV), a backup then dying without its cleanup. The first was seen in
   * the test suite, when a short run closed the pool while its threads were still loading; the
   * second by terminating threads that loop over futimens and flistxattr.
   */
  async close(): Promise<void> {
    const exits = this.#workers.map((worker) => {
      // Not events.once: it rejects on a thread's 'error', which #start reports.
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage(COPY_THREAD_LEAVE);
      return exited;
    });
    await Promise.all(exits);
    this.#workers.length = 0;
    this.#sent.clear();
  }

  #request(file: FileCopy): CopyRequest {
    return { id: this.#nextId++, roots: file.roots, paths: [file.path], link: [file.link === true], live: file.live };
  }

  #send(): void {
    if (!this.#batch) return;
    this.#queue.push(this.#batch);
    this.#batch = undefined;
    this.#dispatch();
  }

  #dispatch(): void {
    if (this.#signal.aborted) {
      this.#send();
      const cancelled = copyCancelled(this.#signal);
      for (const job of this.#queue.splice(0)) for (const waiter of job.waiters) waiter.reject(cancelled);
      return;
    }
    if (this.#queue.length > 0) this.start();
    while (this.#queue.length > 0) {
      const worker = this.#leastBusy();
      if (!worker) return;
      const job = this.#queue.shift()!;
      this.#sent.get(worker)!.push(job);
      worker.postMessage(job.request);
    }
  }

  /** The thread with the fewest requests in hand, if one has fewer than REQUESTS_IN_HAND. */
  #leastBusy(): Worker | undefined {
    let best: Worker | undefined;
    let fewest = REQUESTS_IN_HAND;
    for (const [worker, jobs] of this.#sent) {
      if (jobs.length < fewest) [best, fewest] = [worker, jobs.length];
    }
    return best;
  }

  #settle(job: Job, reply: CopyReply): void {
    if (reply.xattrTrouble) this.#onXattrTrouble(replyError(reply.xattrTrouble));
    if (reply.error) {
      const error = this.#failure(reply.error);
      for (const waiter of job.waiters) waiter.reject(error);
    } else {
      job.waiters.forEach((waiter, i) => waiter.resolve(revive(reply.outcomes![i]!)));
    }
  }

  /** A reply's error; a copy stopped because the run was cancelled ends as every step of a cancelled copy does. */
  #failure(error: NonNullable<CopyReply['error']>): Error {
    return error.code === COPY_STOPPED && this.#signal.aborted ? copyCancelled(this.#signal) : replyError(error);
  }

  #start(): Worker {
    const worker = startWorker(entryPointFile('targets/tree/copy-worker'), { name: 'stillpoint-copy', workerData: this.#threadData });
    this.#workers.push(worker);
    worker.on('message', (reply: CopyReply | typeof COPY_THREAD_READY) => {
      if (reply === COPY_THREAD_READY) {
        this.#ready = true;
        return;
      }
      const job = this.#sent.get(worker)!.shift()!;
      this.#settle(job, reply);
      this.#dispatch();
    });
    worker.on('error', (error) => {
      const jobs = this.#sent.get(worker) ?? [];
      // Also one that failed while starting: it must not be handed a batch.
      this.#sent.delete(worker);
      this.#workers.splice(this.#workers.indexOf(worker), 1);
      const failure = new Error(`a copy worker failed: ${error.message}`, { cause: error });
      for (const waiter of jobs.flatMap((job) => job.waiters)) waiter.reject(failure);
      this.#dispatch();
    });
    return worker;
  }
}

/** An error as a reply carries it. */
function replyError(error: NonNullable<CopyReply['error'] | CopyReply['xattrTrouble']>): Error {
  return Object.assign(new Error(error.message), error);
}

/** Buffers arrive from a worker as Uint8Arrays. */
function revive(outcome: PoolOutcome): PoolOutcome {
  if (outcome.kind !== 'copied' || !outcome.xattrs) return outcome;
  const xattrs = Object.fromEntries(Object.entries(outcome.xattrs).map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]));
  return { ...outcome, xattrs };
}
