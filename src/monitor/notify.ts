// Monitors tell someone how a run went (LANGUAGE.md `monitor`). A monitor that cannot be
// reached is a warning, never a failed backup, and its URL is redacted wherever it is shown.
//
//   healthchecks URL  GET URL/start at start; POST URL on success (and partial); POST URL/fail on failure,
//                     each with the run summary as the body (the healthchecks.io ping protocol)
//   webhook URL       POST the run summary as JSON at the end (and {event:"start"} at start, if asked)
//   textfile PATH     the Prometheus node_exporter textfile, written atomically at the end

import type { StillpointEvent } from '../events/types.ts';
import { redactUrl, shown, type SecretStore } from '../base/secret.ts';
import type { MonitorEvent, MonitorPlan } from '../plan/types.ts';

export interface RunSummary {
  job: string;
  runId: string;
  hostname: string;
  status: 'succeeded' | 'partial' | 'failed' | 'cancelled';
  exitCode: number;
  started: string;
  finished: string;
  durationMs: number;
  bytes: number;
  files: number;
  skipped: number;
  error?: string;
}

export interface MonitorContext {
  secrets: SecretStore;
  warn(message: string, detail?: string): void;
  /** Per request. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function notifyStart(monitors: MonitorPlan[], job: string, runId: string, context: MonitorContext): Promise<void> {
  await Promise.all(
    monitors
      .filter((m) => m.on.includes('start'))
      .map((m) => {
        if (m.kind === 'healthchecks') return send(m, 'GET', '/start', undefined, context);
        if (m.kind === 'webhook') return send(m, 'POST', '', JSON.stringify({ event: 'start', job, runId }), context);
        return undefined;
      }),
  );
}

export async function notifyFinish(monitors: MonitorPlan[], summary: RunSummary, events: StillpointEvent[], context: MonitorContext): Promise<void> {
  const event = outcomeEvent(summary.status);
  await Promise.all(
    monitors
      .filter((m) => m.on.includes(event))
      .map(async (m) => {
        if (m.kind === 'healthchecks') return send(m, 'POST', event === 'failure' ? '/fail' : '', summaryText(summary), context);
        if (m.kind === 'webhook') return send(m, 'POST', '', JSON.stringify({ event, ...summary }), context);
        const path = context.secrets.reveal(m.location);
        try {
          const { writeMetricsTextfile } = await import('../report/metrics.ts');
          await writeMetricsTextfile(path, events);
        } catch (error) {
          context.warn(`monitor textfile ${shown(m.location)}: could not write the metrics`, (error as Error).message);
        }
        return undefined;
      }),
  );
}

export function outcomeEvent(status: RunSummary['status']): MonitorEvent {
  if (status === 'succeeded') return 'success';
  if (status === 'partial') return 'partial';
  return 'failure';
}

/** The body healthchecks shows in its log: short, readable, no secrets. */
export function summaryText(s: RunSummary): string {
  const lines = [
    `stillpoint ${s.job} on ${s.hostname}: ${s.status} (exit ${s.exitCode}) in ${(s.durationMs / 1000).toFixed(1)} s`,
    `${s.files} files, ${s.bytes} bytes${s.skipped ? `, ${s.skipped} skipped` : ''}`,
    `run ${s.runId}, started ${s.started}`,
  ];
  if (s.error) lines.push(`error: ${s.error}`);
  return lines.join('\n') + '\n';
}

async function send(monitor: MonitorPlan, method: 'GET' | 'POST', suffix: string, body: string | undefined, context: MonitorContext): Promise<void> {
  const base = context.secrets.reveal(monitor.location).replace(/\/+$/, '');
  const { url, authorization } = withoutCredentials(base + suffix);
  const shownUrl = redactUrl(shown(monitor.location).replace(/\/+$/, '') + suffix);
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = monitor.kind === 'webhook' ? 'application/json' : 'text/plain; charset=utf-8';
  const attempts = 2;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method,
        body,
        headers,
        signal: AbortSignal.timeout(context.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (response.ok) return;
      if (attempt === attempts || response.status < 500) {
        context.warn(`monitor ${monitor.kind} ${shownUrl} answered ${response.status} ${response.statusText}`, 'the backup itself is not affected; check the monitor URL');
        return;
      }
    } catch (error) {
      if (attempt === attempts) {
        const reason = context.secrets.redact(describe(error)).split(base + suffix).join(shownUrl).split(url).join(shownUrl);
        context.warn(`monitor ${monitor.kind} ${shownUrl} could not be reached`, `${reason}; the backup itself is not affected`);
        return;
      }
    }
  }
}

/** fetch refuses URLs with user:password@: send them as HTTP Basic authentication instead. */
function withoutCredentials(raw: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: raw };
  }
  if (!parsed.username && !parsed.password) return { url: raw };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function describe(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
