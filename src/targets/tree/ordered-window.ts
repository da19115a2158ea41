// Bounded parallelism that keeps order: the tree target writes its manifest, and restore
// applies a folder's metadata, in walk order while several files are copied at once.

/** Keeps at most `limit` tasks in flight and hands their results on in the order pushed. */
export class OrderedWindow<T> {
  readonly #queue: Array<Promise<T> | (() => Promise<T>)> = [];
  readonly #limit: number;
  readonly #sink: (value: T) => Promise<void>;

  constructor(limit: number, sink: (value: T) => Promise<void>) {
    this.#limit = limit;
    this.#sink = sink;
  }

  /** A promise runs now; a function runs when every earlier task is done. */
  async push(task: Promise<T> | (() => Promise<T>)): Promise<void> {
    if (task instanceof Promise) task.catch(() => {}); // awaited in order below; not unhandled meanwhile
    this.#queue.push(task);
    while (this.#queue.length > this.#limit) await this.#next();
  }

  async drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#next();
  }

  /** After a failure: waits for what is still running so nothing writes into a removed folder. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#queue.filter((t) => t instanceof Promise));
    this.#queue.length = 0;
  }

  async #next(): Promise<void> {
    const task = this.#queue.shift()!;
    await this.#sink(await (typeof task === 'function' ? task() : task));
  }
}
