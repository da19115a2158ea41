// The only way an event leaves the engine. It numbers and timestamps every event, stamps the
// run id, and scrubs every known secret value from every string field, so that neither a
// renderer nor a report can leak a secret that a hook printed or an error message quoted.

import { EVENT_SCHEMA_VERSION, type EventSink, type StillpointEvent, type StillpointEventBody } from '../events/types.ts';
import type { SecretStore } from '../base/secret.ts';

export class Emitter {
  readonly runId: string;
  readonly #sinks: EventSink[];
  readonly #secrets: SecretStore;
  readonly #now: () => Date;
  #seq = 0;

  constructor(options: { runId: string; sinks: EventSink[]; secrets: SecretStore; now?: () => Date }) {
    this.runId = options.runId;
    this.#sinks = options.sinks;
    this.#secrets = options.secrets;
    this.#now = options.now ?? (() => new Date());
  }

  emit(body: StillpointEventBody, job?: string): StillpointEvent {
    const event = redactDeep(
      {
        v: EVENT_SCHEMA_VERSION,
        seq: ++this.#seq,
        time: this.#now().toISOString(),
        runId: this.runId,
        ...(job === undefined ? {} : { job }),
        ...body,
      },
      this.#secrets,
    ) as StillpointEvent;
    for (const sink of this.#sinks) sink.emit(event);
    return event;
  }

  /** An emitter bound to one job, so that job code need not repeat the job's name. */
  forJob(job: string): JobEmitter {
    return (body) => this.emit(body, job);
  }
}

export type JobEmitter = (body: StillpointEventBody) => StillpointEvent;

function redactDeep(value: unknown, secrets: SecretStore): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, secrets)]));
  }
  return value;
}
