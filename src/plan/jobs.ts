// Jobs: the statements of a job and of its `defaults`, merged into a JobPlan and checked for
// completeness.

import type { Block, Setting, Statement } from '../language/ast.ts';
import type { StatementSpec } from '../language/catalog.ts';
import type { SourceRange } from '../language/diagnostic.ts';
import { boolArgument, durationArgument, itemText, listArgument, wordArgument } from './arguments.ts';
import type { DefaultsEntry, Evaluation, JobEntry } from './evaluation.ts';
import { emptyParts, type JobParts, mergeParts, type Ranged, withStallRule } from './job-parts.ts';
import { DEFAULTS } from './plan-defaults.ts';
import { type Ctx, Scope } from './scope.ts';
import { hookPlan } from './statements/hooks.ts';
import { monitorPlan } from './statements/monitors.ts';
import { addProvider, providerPlan } from './statements/providers.ts';
import { quiescePlan } from './statements/quiesce.ts';
import { scheduleStatement } from './statements/schedule.ts';
import { targetPlan } from './statements/targets.ts';
import { globArguments, volumesStatement, volumeStatement } from './statements/volumes.ts';
import { writerPlan } from './statements/writers.ts';
import type { HookPlan, JobPlan, ProviderName, TargetPlan, WriterPlan } from './types.ts';
import type { StringValue } from './values.ts';
import { walk } from './walk.ts';

export function jobName(ev: Evaluation, entry: JobEntry): { name: string; range: SourceRange } | undefined {
  const items = entry.setting.args;
  const expr = items[0]?.[0];
  if (!expr) {
    ev.error('missing-argument', '`job` needs a name', 'Write it as `job "nightly" { ... }`.', entry.setting.keyword.range);
    return undefined;
  }
  if (items.length > 1 || items[0]!.length > 1) {
    const extra = items[0]![1] ?? items[1]![0]!;
    ev.error('unexpected-argument', '`job` takes one name', 'Put a name with spaces in quotes: `job "web server" { ... }`.', extra.range);
    return undefined;
  }
  const value = itemText(ev, expr, { kind: 'name', name: 'NAME' }, { scope: entry.scope, snapshotPaths: false });
  if (value === undefined) return undefined;
  if (value === '') {
    ev.error('empty-name', 'a job name may not be empty', 'Give the job a name: `job "nightly" { ... }`.', expr.range);
    return undefined;
  }
  return { name: value, range: expr.range };
}

export function evaluateDefaults(ev: Evaluation, entry: DefaultsEntry, job: string): JobParts {
  entry.applied = true;
  return jobParts(ev, entry.block.statements, { scope: new Scope(entry.scope), job, snapshotPaths: false });
}

export function evaluateJob(ev: Evaluation, entry: JobEntry, name: string, nameRange: SourceRange): JobPlan | undefined {
  const failuresBefore = ev.failures;
  let parts = emptyParts();
  for (const defaults of entry.file.defaults) parts = mergeParts(parts, evaluateDefaults(ev, defaults, name));
  const body = entry.setting.body as Block;
  parts = mergeParts(parts, jobParts(ev, body.statements, { scope: new Scope(entry.scope), job: name, snapshotPaths: false }));
  const origin = ev.origin(entry.setting.range);
  if (ev.failures > failuresBefore) return undefined; // what is missing may be what failed

  if (parts.volumes.length === 0) {
    ev.error('job-without-volume', `job \`${name}\` has no volume`, 'Say what to back up: `volume "/srv/data"` (or `volumes C:, D:` on Windows), in the job or in `defaults`.', nameRange);
  }
  checkUnique(ev, parts.volumes, (v) => v.path, 'duplicate-volume', (p) => `volume \`${p}\` is listed twice`, 'Remove one of them; globs for one volume go in its block: `volume "/srv" { exclude "tmp/**" }`.');
  checkUnique(ev, parts.writers, (w) => w.name, 'duplicate-writer', (n) => `two writers are named \`${n}\``, 'Writer names are unique in a job (defaults included): rename one of them.');
  let providers = parts.providers?.map((p) => p.plan);
  if (!providers || providers.length === 0) {
    ev.warn('job-without-provider', `job \`${name}\` names no provider: its files will be copied live with \`copy\``, 'Add a provider that takes a consistent snapshot (`provider btrfs`, `provider vss`...), or write `provider copy` to make the choice explicit.', nameRange);
    providers = [{ name: 'copy', retries: DEFAULTS.copyRetries, retryDelayMs: DEFAULTS.copyRetryDelayMs, origin }];
  }
  if (parts.targets.length === 0) {
    ev.warn('job-without-target', `job \`${name}\` has no target: nothing will be copied`, 'Add where the data goes: `target tree "/backups"`, `target restic REPOSITORY` or `target exec PROGRAM`.', nameRange);
  }
  if (!providers.some((p) => p.name === 'fsfreeze')) {
    for (const hook of parts.hooks) {
      if (hook.plan.stage === 'during-freeze') {
        ev.warn('during-freeze-without-fsfreeze', '`during-freeze` hooks run only with the `fsfreeze` provider', `Job \`${name}\` has no \`provider fsfreeze\`, so this hook will never run: add the provider or use another stage.`, hook.range);
      }
    }
  }
  const stall = parts.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs;
  return {
    name,
    origin,
    volumes: parts.volumes.map((v) => v.plan),
    exclude: parts.exclude,
    include: parts.include,
    excludeSystemFiles: parts.excludeSystemFiles ?? true,
    oneFileSystem: parts.oneFileSystem ?? true,
    ignoreReadErrors: parts.ignoreReadErrors ?? false,
    backupType: parts.backupType ?? 'full',
    providers,
    ...(parts.quiesce ? { quiesce: parts.quiesce } : {}),
    freezeTimeoutMs: parts.freezeTimeoutMs ?? DEFAULTS.freezeTimeoutMs,
    snapshotTimeoutMs: parts.snapshotTimeoutMs ?? DEFAULTS.snapshotTimeoutMs,
    writers: parts.writers.map((w) => (w.plan.kind === 'command' ? withStallRule<WriterPlan>(w.plan, stall) : (w.plan as WriterPlan))),
    hooks: parts.hooks.map((h) => withStallRule<HookPlan>(h.plan, stall)),
    hookEnv: parts.hookEnv ?? 'stillpoint',
    // The tree target starts no process: its copy has no stall rule of its own (yet).
    targets: parts.targets.map((t) => (t.kind === 'tree' ? (t as TargetPlan) : withStallRule<TargetPlan>(t, stall))),
    schedules: parts.schedules ?? [],
    monitors: parts.monitors,
  };
}

function checkUnique<T>(ev: Evaluation, items: Ranged<T>[], key: (t: T) => string, code: string, summary: (k: string) => string, detail: string) {
  const seen = new Map<string, SourceRange>();
  for (const item of items) {
    const k = key(item.plan);
    const first = seen.get(k);
    if (first) ev.error(code, summary(k), detail, item.range, [{ message: 'the first one', range: first }]);
    else seen.set(k, item.range);
  }
}

export function jobParts(ev: Evaluation, statements: readonly Statement[], ctx: Ctx): JobParts {
  const parts = emptyParts();
  walk(ev, statements, 'job', ctx, new Map(), (s, c, spec) => jobStatement(ev, s, c, spec, parts));
  return parts;
}

function jobStatement(ev: Evaluation, s: Setting, ctx: Ctx, spec: StatementSpec, parts: JobParts) {
  switch (s.keyword.name) {
    case 'volume':
      volumeStatement(ev, s, spec, ctx, parts);
      return;
    case 'volumes':
      volumesStatement(ev, s, spec, ctx, parts);
      return;
    case 'exclude':
    case 'include': {
      const globs = globArguments(ev, s, spec, ctx);
      if (globs) parts[s.keyword.name].push(...globs);
      return;
    }
    case 'exclude-system-files':
      parts.excludeSystemFiles = boolArgument(ev, s, spec, ctx);
      return;
    case 'one-file-system':
      parts.oneFileSystem = boolArgument(ev, s, spec, ctx);
      return;
    case 'ignore-read-errors':
      parts.ignoreReadErrors = boolArgument(ev, s, spec, ctx);
      return;
    case 'backup-type':
      parts.backupType = wordArgument(ev, s, spec, ctx) as JobPlan['backupType'] | undefined;
      return;
    case 'hook-env':
      parts.hookEnv = wordArgument(ev, s, spec, ctx) as JobPlan['hookEnv'] | undefined;
      return;
    case 'freeze-timeout':
      parts.freezeTimeoutMs = durationArgument(ev, s, spec, ctx);
      return;
    case 'snapshot-timeout':
      parts.snapshotTimeoutMs = durationArgument(ev, s, spec, ctx);
      return;
    case 'stall-timeout':
      parts.stallTimeoutMs = durationArgument(ev, s, spec, ctx);
      return;
    case 'provider': {
      const name = wordArgument(ev, s, spec, ctx) as ProviderName | undefined;
      if (name) addProvider(ev, parts, providerPlan(ev, name, s, ctx), s.args[0]![0]!.range);
      return;
    }
    case 'providers': {
      const names = listArgument(ev, s, spec, ctx);
      if (!names) return;
      for (const [i, name] of names.entries()) {
        addProvider(ev, parts, providerPlan(ev, (name as StringValue).value as ProviderName, undefined, ctx, s), s.args[i]![0]!.range);
      }
      return;
    }
    case 'quiesce':
      parts.quiesce = quiescePlan(ev, s, ctx);
      return;
    case 'writer': {
      const writer = writerPlan(ev, s, spec, ctx);
      if (writer) parts.writers.push({ plan: writer, range: s.args[0]![0]!.range });
      return;
    }
    case 'hook': {
      const hook = hookPlan(ev, s, ctx);
      if (hook) parts.hooks.push({ plan: hook, range: s.range });
      return;
    }
    case 'target': {
      const target = targetPlan(ev, s, spec, ctx);
      if (target) parts.targets.push(target);
      return;
    }
    case 'schedule':
      scheduleStatement(ev, s, spec, ctx, parts);
      return;
    case 'monitor': {
      const monitor = monitorPlan(ev, s, spec, ctx);
      if (monitor) parts.monitors.push(monitor);
      return;
    }
  }
}
