// A Plan as a person reads it (`stillpoint plan`): per job, what is snapshotted by which
// providers in which order, which writers, hooks, targets, schedules and monitors.
// Secrets print in their shown form (***).

import { shown } from '../base/secret.ts';
import type { RunTimeCondition } from './evaluation.ts';
import type { ArgvItem, CommandPlan, HookPlan, JobPlan, KeepPlan, Plan, ProviderPlan, TargetPlan, WriterPlan } from './types.ts';

const UNITS: [number, string][] = [
  [604_800_000, 'w'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
];

/** 90000 -> "90s", 600000 -> "10m": the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const [size, unit] of UNITS) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export function formatBytes(bytes: number): string {
  for (const [size, unit] of [
    [1024 ** 4, 'TiB'],
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

const argv = (items: readonly ArgvItem[]) => items.map((a) => (typeof a === 'object' && 'snapshotPaths' in a ? '<snapshot paths>' : quote(shown(a)))).join(' ');
const quote = (s: string) => (/^[\w./:=@%+,-]+$/.test(s) ? s : JSON.stringify(s));
const command = (c: CommandPlan) => ('argv' in c ? argv(c.argv) : `shell: ${shown(c.shell)}`);
const keep = (k: KeepPlan | undefined) => (k ? ` (keep ${Object.entries(k).map(([rule, n]) => `${rule} ${n}`).join(', ')})` : '');

function provider(p: ProviderPlan): string {
  switch (p.name) {
    case 'vss': {
      const parts = [`context ${p.context}`, `timeout ${formatDuration(p.timeoutMs)}`];
      if (p.includeWriters.length) parts.push(`only writers ${p.includeWriters.join(', ')}`);
      if (p.excludeWriters.length) parts.push(`without writers ${p.excludeWriters.join(', ')}`);
      if (p.requireWriters.length) parts.push(`requires ${p.requireWriters.join(', ')}`);
      if (p.providerId) parts.push(`provider ${p.providerId}`);
      return `vss (${parts.join('; ')})`;
    }
    case 'btrfs':
      return `btrfs (snapshots in ${p.snapshotDir})`;
    case 'lvm':
      return `lvm (snapshot size ${'percent' in p.size ? `${p.size.percent}%` : formatBytes(p.size.bytes)})`;
    case 'copy':
      return `copy (no snapshot; ${p.retries} retries, ${formatDuration(p.retryDelayMs)} apart)`;
    default:
      return p.name;
  }
}

function writer(w: WriterPlan): string {
  const stall = w.kind === 'command' ? `, stall-timeout ${formatDuration(w.stallTimeoutMs)}` : '';
  const options = `timeout ${formatDuration(w.timeoutMs)}${stall}, ${w.required ? 'required' : 'optional'}`;
  switch (w.kind) {
    case 'sqlite':
      return `${w.name}: sqlite ${w.path} (${options})`;
    case 'postgres':
      return `${w.name}: postgres ${shown(w.url)}${w.backupMode ? ' in backup mode' : ''} (${options})`;
    case 'process': {
      const s = w.select;
      return `${w.name}: process ${'pid' in s ? `pid ${s.pid}` : 'cgroup' in s ? `cgroup ${s.cgroup}` : `pid-file ${s.pidFile}`} (${options})`;
    }
    case 'command': {
      const steps = (['prepare', 'freeze', 'thaw', 'postSnapshot', 'backupComplete'] as const).filter((k) => w[k]).map((k) => `${k} = ${command(w[k]!)}`);
      return `${w.name}: command (${options})${steps.map((s) => `\n    ${s}`).join('')}`;
    }
  }
}

function hook(h: HookPlan): string {
  const actions = h.actions.map((a) => (a.kind === 'run' ? `run ${argv(a.argv)}` : `${a.kind} { ${a.code.split('\n').length} line${a.code.includes('\n') ? 's' : ''} }`));
  const options = [`timeout ${formatDuration(h.timeoutMs)}`, `stall-timeout ${formatDuration(h.stallTimeoutMs)}`];
  if (h.allowFailure) options.push('failure allowed');
  const env = Object.keys(h.env);
  if (env.length) options.push(`env ${env.join(', ')}`);
  return `${h.stage}: ${actions.join('; ')} (${options.join(', ')})`;
}

function target(t: TargetPlan): string {
  switch (t.kind) {
    case 'tree':
      return `tree ${t.path}${keep(t.keep)}`;
    case 'restic':
      return `restic ${shown(t.repository)}${t.password === undefined ? '' : ' (password given)'}${t.tags.length ? ` tags ${t.tags.join(', ')}` : ''}${keep(t.keep)} (stall-timeout ${formatDuration(t.stallTimeoutMs)})`;
    case 'exec':
      return `${`exec ${shown(t.program)} ${argv(t.args)}`.trimEnd()} (stall-timeout ${formatDuration(t.stallTimeoutMs)})`;
  }
}

function section(label: string, lines: string[]): string[] {
  const pad = ' '.repeat(13);
  if (lines.length === 0) return [`  ${label.padEnd(13)}-`];
  return lines.map((line, i) => `  ${(i === 0 ? label : '').padEnd(13)}${line.replaceAll('\n', `\n${pad}`)}`);
}

export function describeJob(job: JobPlan): string {
  const volumes = job.volumes.map((v) => {
    const globs = [...v.exclude.map((g) => `-${g}`), ...v.include.map((g) => `+${g}`)];
    return `${v.path}${globs.length ? ` (${globs.join(' ')})` : ''}`;
  });
  const files = [
    job.exclude.length ? `exclude ${job.exclude.join(', ')}` : '',
    job.include.length ? `include ${job.include.join(', ')}` : '',
    `system files ${job.excludeSystemFiles ? 'excluded' : 'included'}`,
    job.oneFileSystem ? 'one file system' : 'crosses mounts',
    job.ignoreReadErrors ? 'read errors skipped (run ends partial)' : 'read errors fail the job',
  ].filter(Boolean);
  const timing = [`writers frozen at most ${formatDuration(job.freezeTimeoutMs)}`, `snapshot set at most ${formatDuration(job.snapshotTimeoutMs)}`];
  if (job.quiesce) timing.unshift(`quiesce: ${formatDuration(job.quiesce.idleMs)} idle within ${formatDuration(job.quiesce.withinMs)}, else ${job.quiesce.onTimeout}`);
  return [
    `job ${job.name}  (${job.origin})`,
    ...section('volumes', volumes),
    ...section('files', [files.join('; ')]),
    ...section('providers', job.providers.map((p, i) => `${i + 1}. ${provider(p)}`)),
    ...section('timing', timing),
    ...section('backup type', [job.backupType]),
    ...section('writers', job.writers.map(writer)),
    ...section('hooks', job.hooks.map(hook)),
    ...section('hook env', [job.hookEnv]),
    ...section('targets', job.targets.map(target)),
    ...section('schedule', job.schedules),
    ...section('monitors', job.monitors.map((m) => `${m.kind} ${shown(m.location)} on ${m.on.join(', ')}`)),
  ].join('\n');
}

export function describePlan(plan: Plan): string {
  if (plan.jobs.length === 0) return `${plan.script}: no jobs\n`;
  return `${plan.jobs.map(describeJob).join('\n\n')}\n`;
}

/**
 * The conditions known only when the job runs that the plan took as true (docs/language.md,
 * "Run-time values"): `run` decides them, and may take another branch.
 */
export function describeAssumptions(assumed: readonly RunTimeCondition[]): string {
  if (assumed.length === 0) return '';
  const lines = assumed.map((a) => `  ${a.origin}  ${a.expression}\n`);
  return `\nshown as if these conditions held; they are known only when the job runs, and run decides:\n${lines.join('')}`;
}
