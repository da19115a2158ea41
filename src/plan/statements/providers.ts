// `provider` and `providers`: how to snapshot, with each provider's options.

import type { Setting } from '../../language/ast.ts';
import type { StatementSpec } from '../../language/catalog.ts';
import type { SourceRange } from '../../language/diagnostic.ts';
import { argumentGroups, countArgument, durationArgument, listArgument, oneArgument, plainText, plainTexts, wordArgument } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import type { JobParts } from '../job-parts.ts';
import { DEFAULTS } from '../plan-defaults.ts';
import { type Ctx, Scope } from '../scope.ts';
import type { ProviderName, ProviderPlan } from '../types.ts';
import { walk } from '../walk.ts';

export function addProvider(ev: Evaluation, parts: JobParts, provider: ProviderPlan | undefined, range: SourceRange) {
  if (!provider) return;
  const list = (parts.providers ??= []);
  const first = list.find((p) => p.plan.name === provider.name);
  if (first) {
    ev.error('duplicate-provider', `provider \`${provider.name}\` is listed twice`, 'Each provider is tried once: remove the second one.', range, [{ message: 'listed first here', range: first.range }]);
    return;
  }
  list.push({ plan: provider, range });
}

/** A provider with its options (from `s`'s block when given) and the defaults for the rest. */
export function providerPlan(ev: Evaluation, name: ProviderName, s: Setting | undefined, ctx: Ctx, listed?: Setting): ProviderPlan | undefined {
  const origin = ev.origin((s ?? listed)!.range);
  const options = new Map<string, { setting: Setting; spec: StatementSpec; ctx: Ctx }>();
  const writers = { 'include-writer': [] as string[], 'exclude-writer': [] as string[], 'require-writer': [] as string[] };
  if (s?.body?.kind === 'Block') {
    walk(ev, s.body.statements, `provider:${name}`, { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, spec) => {
      if (!spec.repeatable) {
        options.set(setting.keyword.name, { setting, spec, ctx: c });
        return;
      }
      // Only vss has repeatable options: its writer lists.
      const exprs = argumentGroups(ev, setting, spec);
      const list = exprs && plainTexts(ev, listArgument(ev, setting, spec, c), exprs, 'a writer name');
      if (list) writers[setting.keyword.name as keyof typeof writers].push(...list);
    });
  }
  const read = <T>(key: string, fn: (setting: Setting, spec: StatementSpec, c: Ctx) => T | undefined, fallback: T): T => {
    const option = options.get(key);
    return option ? (fn(option.setting, option.spec, option.ctx) ?? fallback) : fallback;
  };
  switch (name) {
    case 'vss': {
      const providerId = read<string | undefined>('provider-id', (setting, spec, c) => {
        const v = oneArgument(ev, setting, spec, c);
        const id = v?.type === 'string' ? plainText(ev, v, setting.args[0]![0]!, 'a provider id') : undefined;
        if (id === undefined) return undefined;
        if (!/^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(id)) {
          ev.error('invalid-guid', `\`${id}\` is not a GUID`, 'Write the provider id as `"{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"` (`vssadmin list providers` shows them).', setting.args[0]![0]!.range);
          return undefined;
        }
        return id;
      }, undefined);
      return {
        name,
        context: read('context', (a, b, c) => wordArgument(ev, a, b, c) as 'backup' | 'file-share-backup' | undefined, 'backup'),
        includeWriters: writers['include-writer'],
        excludeWriters: writers['exclude-writer'],
        requireWriters: writers['require-writer'],
        ...(providerId !== undefined ? { providerId } : {}),
        timeoutMs: read('timeout', (a, b, c) => durationArgument(ev, a, b, c), DEFAULTS.vssTimeoutMs),
        origin,
      };
    }
    case 'btrfs':
      return {
        name,
        snapshotDir: read('snapshot-dir', (a, b, c) => {
          const v = oneArgument(ev, a, b, c);
          return v?.type === 'string' ? plainText(ev, v, a.args[0]![0]!, 'a folder') : undefined;
        }, DEFAULTS.btrfsSnapshotDir),
        origin,
      };
    case 'lvm':
      return {
        name,
        size: read<ProviderPlan & { name: 'lvm' } extends { size: infer S } ? S : never>('size', (a, b, c) => {
          const v = oneArgument(ev, a, b, c);
          if (v?.type === 'size') return { bytes: v.bytes };
          if (v?.type !== 'percent') return undefined;
          if (v.value > 0 && v.value <= 100) return { percent: v.value };
          ev.error('invalid-percent', `a snapshot size of \`${v.value}%\` is out of range`, 'Write a percentage above 0% and at most 100%, such as `10%`.', a.args[0]![0]!.range);
          return undefined;
        }, DEFAULTS.lvmSize),
        origin,
      };
    case 'copy':
      return {
        name,
        retries: read('retries', (a, b, c) => countArgument(ev, a, b, c, 0), DEFAULTS.copyRetries),
        retryDelayMs: read('retry-delay', (a, b, c) => durationArgument(ev, a, b, c, true), DEFAULTS.copyRetryDelayMs),
        origin,
      };
    default:
      return { name, origin };
  }
}
