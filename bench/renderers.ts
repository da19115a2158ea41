// What rendering costs the engine: the time `emit` and the renderer's own work take per event
// for a copy that reports progress once per I/O completion (one event per macrotask), for each
// renderer, against the TUI drawing after every event (how a naive Ink renderer behaves).
// The engine emits synchronously, so this time is taken from the backup.
//
//   node bench/renderers.ts [events] [rounds]

import { writeFileSync, mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createNdjsonRenderer } from '../src/cli/render/ndjson.ts';
import { createPlainRenderer } from '../src/cli/render/plain.ts';
import { createTuiRenderer } from '../src/cli/render/tui.ts';
import { EVENT_SCHEMA_VERSION, type EventSink, type StillpointEvent } from '../src/events/types.ts';
import { machineNote, median } from './measure.ts';

const EVENTS = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 5);
const machine = machineNote();

/** A terminal of 80x24 that counts what it is sent. */
class CountingTerminal extends Writable {
  bytes = 0;
  isTTY = true;
  columns = 80;
  rows = 24;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    callback();
  }
}

function progressEvents(count: number): StillpointEvent[] {
  const start = Date.now();
  const base = { v: EVENT_SCHEMA_VERSION, runId: 'bench', job: 'bench' } as const;
  const events: StillpointEvent[] = [
    { ...base, seq: 1, time: new Date(start).toISOString(), type: 'job.started', volumes: ['/srv'], providers: ['btrfs'], writers: [{ name: 'books', kind: 'sqlite' }], targets: [{ kind: 'tree', location: '/backups' }] },
    { ...base, seq: 2, time: new Date(start).toISOString(), type: 'stage.started', stage: 'copy' },
    { ...base, seq: 3, time: new Date(start).toISOString(), type: 'copy.started', target: '/backups', kind: 'tree', totalBytes: count * 65536, totalFiles: count },
  ];
  for (let i = 1; i <= count; i++) {
    events.push({ ...base, seq: 3 + i, time: new Date(start + i).toISOString(), type: 'copy.progress', target: '/backups', bytesDone: i * 65536, filesDone: i, totalBytes: count * 65536, totalFiles: count });
  }
  return events;
}

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

/** Microseconds per event spent beyond the bare macrotask loop, and bytes written. */
async function measure(make: (out: CountingTerminal) => EventSink & { close(): Promise<void> }, events: StillpointEvent[]): Promise<{ usPerEvent: number; bytes: number }> {
  const bare = performance.now();
  for (let i = 0; i < events.length; i++) await nextMacrotask();
  const loop = performance.now() - bare;
  const out = new CountingTerminal();
  const renderer = make(out);
  const started = performance.now();
  for (const event of events) {
    renderer.emit(event);
    await nextMacrotask();
  }
  const took = performance.now() - started - loop;
  await renderer.close();
  return { usPerEvent: (Math.max(0, took) * 1000) / events.length, bytes: out.bytes };
}

const stdin = Object.assign(new Writable(), { isTTY: false }) as unknown as NodeJS.ReadStream;
const renderers: Array<[string, (out: CountingTerminal) => EventSink & { close(): Promise<void> }]> = [
  ['NDJSON (--json)', (out) => createNdjsonRenderer({ out })],
  ['plain (--plain)', (out) => createPlainRenderer({ out })],
  ['TUI, at most 15 frames/s (the default)', (out) => createTuiRenderer({ stdout: out as unknown as NodeJS.WriteStream, stdin, onCancel() {}, noColor: false })],
  ['TUI drawing after every event (naive)', (out) => createTuiRenderer({ stdout: out as unknown as NodeJS.WriteStream, stdin, onCancel() {}, noColor: false, maxFps: 0 })],
];

const events = progressEvents(EVENTS);
const rows: string[] = [];
let baseline: number | undefined;
for (const [name, make] of renderers) {
  const samples: Array<{ usPerEvent: number; bytes: number }> = [];
  for (let round = 0; round < ROUNDS; round++) samples.push(await measure(make, events));
  const us = median(samples.map((s) => s.usPerEvent));
  const bytes = median(samples.map((s) => s.bytes));
  baseline ??= us;
  rows.push(`| ${name} | ${us.toFixed(1)} | ${(us / baseline).toFixed(1)}x | ${(bytes / 1024).toFixed(0)} KiB |`);
}

const table = [
  `${EVENTS} copy.progress events, one per macrotask, median of ${ROUNDS} rounds (Node ${process.version}, ${new Date().toISOString().slice(0, 10)}).`,
  machine(),
  '',
  '| renderer | µs per event taken from the engine | vs NDJSON | written to the terminal |',
  '|---|---:|---:|---:|',
  ...rows,
  '',
  'Reproduce: `node bench/renderers.ts 5000 5`',
].join('\n');
process.stdout.write(`\n${table}\n`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/renderers.md', import.meta.url), `# Renderers: cost per event\n\n${table}\n`);
