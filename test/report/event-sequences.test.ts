// The sequences the renderer, report and metrics tests feed are real events: each one is
// valid against the event schema the engine's own events are checked against.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import schema from '../../src/events/events.schema.json' with { type: 'json' };
import { cancelledRun, dryRun, failedWriterRun, providerFallbackRun, successfulRun } from '../support/event-sequences.ts';

describe('test event sequences', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const { untilCancel, rest } = cancelledRun();
  for (const [name, events] of Object.entries({
    successful: successfulRun().events,
    fallback: providerFallbackRun().events,
    failedWriter: failedWriterRun().events,
    cancelled: [...untilCancel.events, ...rest.events],
    dryRun: dryRun().events,
  })) {
    it(`${name}: every event matches events.schema.json, numbered in order`, () => {
      for (const event of events) expect(validate(event) ? [] : validate.errors).toEqual([]);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    });
  }
});
