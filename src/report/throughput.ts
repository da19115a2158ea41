// Throughput and ETA of a copy from its progress events alone (their `time` stamps), so that
// every view, live or replayed from NDJSON, shows the same numbers.

export interface ThroughputSample {
  timeMs: number;
  bytesDone: number;
}

/** How far back the rate looks: long enough to smooth bursts, short enough to follow change. */
const WINDOW_MS = 10_000;

export class Throughput {
  readonly #samples: ThroughputSample[] = [];

  add(sample: ThroughputSample): void {
    this.#samples.push(sample);
    // Keep one sample older than the window so that the window is always covered.
    while (this.#samples.length > 2 && sample.timeMs - this.#samples[1]!.timeMs >= WINDOW_MS) this.#samples.shift();
  }

  /** Bytes per second over the recent window; undefined before two samples in time. */
  bytesPerSecond(): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.timeMs <= first.timeMs) return undefined;
    return ((last.bytesDone - first.bytesDone) * 1000) / (last.timeMs - first.timeMs);
  }

  /** Milliseconds until `totalBytes` at the current rate; undefined when it cannot be told. */
  etaMs(totalBytes: number | undefined): number | undefined {
    const rate = this.bytesPerSecond();
    const last = this.#samples.at(-1);
    if (totalBytes === undefined || rate === undefined || rate <= 0 || !last) return undefined;
    return (Math.max(0, totalBytes - last.bytesDone) * 1000) / rate;
  }
}
