// `monitor` statements through the real CLI: a local HTTP server on 127.0.0.1 stands in for
// healthchecks and a webhook receiver, and the Prometheus textfile is read back by a parser.

import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../engine/support/cli.ts';

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

let dir: string;
let server: Server;
let base: string;
let received: Received[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-monitor-cli-'));
  await mkdir(join(dir, 'volume'));
  await writeFile(join(dir, 'volume', 'a.txt'), 'alpha\n');
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, contentType: request.headers['content-type'], body });
      response.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
});

async function runScript(name: string, extra: string): Promise<Awaited<ReturnType<typeof startCli>['done']> & { textfile: string }> {
  const textfile = join(dir, `${name}.prom`);
  const file = join(dir, `${name}.still`);
  await writeFile(
    file,
    `job "${name}" {
  volume '${join(dir, 'volume')}'
  provider copy
  target tree '${join(dir, 'backups', name)}'
  monitor healthchecks "${base}/ping/x"
  monitor webhook "${base}/hook" { on start, success, partial, failure }
  monitor textfile '${textfile}'
${extra}
}
`,
  );
  const result = await startCli(['run', file, '--json'], { STILLPOINT_STATE_DIR: join(dir, 'state') }).done;
  return { ...result, textfile };
}

/** metric name -> labels "job[,status]" -> value. */
async function metrics(path: string): Promise<Map<string, Map<string, number>>> {
  const families = parsePrometheusTextFormat(await readFile(path, 'utf8'));
  return new Map(families.map((f) => [f.name, new Map(f.metrics.map((m) => [[m.labels!.job, m.labels!.status].filter(Boolean).join(','), Number(m.value)]))]));
}

describe('monitor through stillpoint run', () => {
  it('a successful job pings start, then success with the summary; the webhook gets start and the result; the textfile parses', async () => {
    const { code, events, stderr, textfile } = await runScript('nightly', '');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const runId = events[0].runId;
    const pings = received.filter((r) => r.url.startsWith('/ping/x'));
    expect(pings.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ping/x/start', 'POST /ping/x']);
    expect(pings[1].contentType).toMatch(/^text\/plain/);
    expect(pings[1].body).toContain('stillpoint nightly on ');
    expect(pings[1].body).toContain(': succeeded (exit 0)');
    expect(pings[1].body).toContain(`run ${runId}`);

    const hooks = received.filter((r) => r.url === '/hook');
    expect(hooks.map((r) => r.contentType)).toEqual(['application/json', 'application/json']);
    expect(JSON.parse(hooks[0].body)).toEqual({ event: 'start', job: 'nightly', runId });
    const finished = events.find((e) => e.type === 'job.finished')!;
    expect(JSON.parse(hooks[1].body)).toMatchObject({ event: 'success', job: 'nightly', runId, status: 'succeeded', exitCode: 0, files: 1, bytes: 6, finished: finished.time });

    // Each start comes before any end, and both ends come after the job's work is done.
    const order = received.map((r) => (r.url.endsWith('/start') || r.body.includes('"event":"start"') ? 'start' : 'end'));
    expect(order.lastIndexOf('start')).toBeLessThan(order.indexOf('end'));

    const values = await metrics(textfile);
    expect(values.get('stillpoint_last_run_exit_code')!.get('nightly')).toBe(0);
    expect(values.get('stillpoint_last_run_status')!.get('nightly,succeeded')).toBe(1);
    expect(values.get('stillpoint_last_run_files')!.get('nightly')).toBe(1);
    expect(values.get('stillpoint_last_success_timestamp_seconds')!.get('nightly')).toBe(Date.parse(finished.time) / 1000);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
  });

  it('a failing job pings /fail with its error, and the textfile says failed', async () => {
    const { code, events, textfile } = await runScript('broken', '  hook before-backup sh { exit 4 }');
    expect(code).toBe(1);
    const pings = received.filter((r) => r.url.startsWith('/ping/x'));
    expect(pings.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ping/x/start', 'POST /ping/x/fail']);
    expect(pings[1].body).toContain(': failed (exit 1)');
    expect(pings[1].body).toMatch(/error: .*exit/);
    const result = JSON.parse(received.filter((r) => r.url === '/hook').at(-1)!.body);
    expect(result).toMatchObject({ event: 'failure', job: 'broken', status: 'failed', exitCode: 1 });
    const finished = events.find((e) => e.type === 'job.finished');
    expect(finished).toMatchObject({ status: 'failed' });
    expect(result.error).toBe(finished?.type === 'job.finished' ? finished.error : undefined);
    const values = await metrics(textfile);
    expect(values.get('stillpoint_last_run_exit_code')!.get('broken')).toBe(1);
    expect(values.get('stillpoint_last_run_status')!.get('broken,failed')).toBe(1);
  });

  it('a monitor that cannot be reached is a warning, not a failed backup', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { code, events } = await runScript('unreachable', `  monitor webhook "http://127.0.0.1:${port}/gone"`);
    expect(code).toBe(0);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ job: 'unreachable', message: `monitor webhook http://127.0.0.1:${port}/gone could not be reached` });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', exitCode: 0 });
  });
});
