import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notifyFinish, notifyStart, type RunSummary } from '../../src/monitor/notify.ts';
import { SecretStore } from '../../src/base/secret.ts';
import type { MonitorPlan } from '../../src/plan/types.ts';

interface Received {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];
let status = 200;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      res.statusCode = status;
      res.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  status = 200;
});

const ALL = ['start', 'success', 'partial', 'failure'] as const;

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    job: 'ledger',
    runId: 'r-1',
    hostname: 'db1',
    status: 'succeeded',
    exitCode: 0,
    started: '2026-11-23T10:00:00.000Z',
    finished: '2026-11-23T10:01:00.000Z',
    durationMs: 60_000,
    bytes: 1234,
    files: 5,
    skipped: 0,
    ...over,
  };
}

function context(secrets = new SecretStore()) {
  const warnings: string[] = [];
  return { ctx: { secrets, warn: (m: string, d?: string) => warnings.push(`${m} | ${d ?? ''}`), timeoutMs: 2000 }, warnings };
}

describe('healthchecks', () => {
  it('pings /start, then the bare URL with the summary on success, in that order', async () => {
    const monitor: MonitorPlan = { kind: 'healthchecks', location: `${base}/ping/abc`, on: [...ALL], origin: 'x:1:1' };
    const { ctx, warnings } = context();
    await notifyStart([monitor], 'ledger', 'r-1', ctx);
    await notifyFinish([monitor], summary(), [], ctx);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ping/abc/start', 'POST /ping/abc']);
    expect(received[1]!.body).toMatch(/^stillpoint ledger on db1: succeeded \(exit 0\)/);
    expect(warnings).toEqual([]);
  });

  it('pings /fail with the error on failure', async () => {
    const monitor: MonitorPlan = { kind: 'healthchecks', location: `${base}/ping/abc`, on: [...ALL], origin: 'x:1:1' };
    const { ctx } = context();
    await notifyFinish([monitor], summary({ status: 'failed', exitCode: 1, error: 'hook before-backup exited 3' }), [], ctx);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /ping/abc/fail']);
    expect(received[0]!.body).toContain('error: hook before-backup exited 3');
  });

  it('stays silent for outcomes not listed in `on`', async () => {
    const monitor: MonitorPlan = { kind: 'healthchecks', location: `${base}/ping/abc`, on: ['failure'], origin: 'x:1:1' };
    const { ctx } = context();
    await notifyStart([monitor], 'ledger', 'r-1', ctx);
    await notifyFinish([monitor], summary({ status: 'partial', exitCode: 3 }), [], ctx);
    expect(received).toEqual([]);
  });
});

describe('webhook', () => {
  it('sends user:password of the URL as HTTP Basic authentication, not in the URL', async () => {
    const monitor: MonitorPlan = { kind: 'webhook', location: base.replace('http://', 'http://ops:s3cret@') + '/hook', on: ['success'], origin: 'x:1:1' };
    const seen: string[] = [];
    server.once('request', (req: IncomingMessage) => seen.push(req.headers.authorization ?? ''));
    const { ctx, warnings } = context();
    await notifyFinish([monitor], summary(), [], ctx);
    expect(warnings).toEqual([]);
    expect(seen).toEqual([`Basic ${Buffer.from('ops:s3cret').toString('base64')}`]);
    expect(received[0]!.url).toBe('/hook');
  });

  it('POSTs the run summary as JSON', async () => {
    const monitor: MonitorPlan = { kind: 'webhook', location: `${base}/hook`, on: ['success', 'failure'], origin: 'x:1:1' };
    const { ctx } = context();
    await notifyFinish([monitor], summary(), [], ctx);
    expect(received).toHaveLength(1);
    expect(received[0]!.contentType).toBe('application/json');
    expect(JSON.parse(received[0]!.body)).toEqual({ event: 'success', ...summary() });
  });
});

describe('failures are warnings, and never show a secret', () => {
  it('an error status is one warning with the redacted URL', async () => {
    status = 404;
    const secrets = new SecretStore();
    const location = secrets.add(`${base}/ping/token-123`, `${base}/ping/***`);
    const monitor: MonitorPlan = { kind: 'healthchecks', location, on: [...ALL], origin: 'x:1:1' };
    const { ctx, warnings } = context(secrets);
    await notifyFinish([monitor], summary(), [], ctx);
    expect(received[0]!.url).toBe('/ping/token-123');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('answered 404');
    expect(warnings[0]).toContain('/ping/***');
    expect(warnings.join()).not.toContain('token-123');
  });

  it('an unreachable server is a warning after a retry, with the URL password hidden', async () => {
    const dead = `http://user:hunter2@127.0.0.1:1/hook`;
    const monitor: MonitorPlan = { kind: 'webhook', location: dead, on: [...ALL], origin: 'x:1:1' };
    const { ctx, warnings } = context();
    await notifyFinish([monitor], summary(), [], ctx);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not be reached/);
    expect(warnings[0]).not.toContain('hunter2');
  });
});
