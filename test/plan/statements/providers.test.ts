import { describe, expect, it } from 'vitest';
import { brief, errors, evalText, job } from '../helpers.ts';
import { DEFAULTS } from '../../../src/plan/plan-defaults.ts';
import { providerPlan } from '../../../src/plan/statements/providers.ts';
import { SCRIPT, statementOf } from '../unit.ts';

describe('provider and providers', () => {
  it('reads every provider option', async () => {
    const script = `job j {\n  volume C:\n  provider vss {\n    context file-share-backup\n    include-writer "SqlServerWriter", "Registry Writer"\n    exclude-writer "System Writer"\n    require-writer "SqlServerWriter"\n    provider-id "{b5946137-7b9f-4925-af80-51abd60b20d5}"\n    timeout 3m\n  }\n  provider copy { retries 0  retry-delay 0s }\n  target tree "/b"\n}`;
    const j = await job(script);
    expect(j.providers[0]).toEqual({ name: 'vss', context: 'file-share-backup', includeWriters: ['SqlServerWriter', 'Registry Writer'], excludeWriters: ['System Writer'], requireWriters: ['SqlServerWriter'], providerId: '{b5946137-7b9f-4925-af80-51abd60b20d5}', timeoutMs: 180_000, origin: expect.stringMatching(/main\.still:3:3$/) });
    expect(j.providers[1]).toMatchObject({ name: 'copy', retries: 0, retryDelayMs: 0 });
  });

  it('reports an unknown provider with a suggestion, and a twice-listed one', async () => {
    const result = await evalText(`job j {\n  volume "/srv"\n  providers btrf, copy\n  target tree "/b"\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error unknown-provider 3:13-3:17 unknown provider `btrf`']);
    expect(result.diagnostics[0]!.detail).toContain('Did you mean `btrfs`?');
    expect(await errors(`job j {\n  volume "/srv"\n  providers btrfs, copy\n  provider btrfs\n  target tree "/b"\n}`)).toEqual(['error duplicate-provider 4:12-4:17 provider `btrfs` is listed twice']);
  });
});

describe('providerPlan on its own', () => {
  it('fills a provider from its block and the defaults for the rest', () => {
    const { ev, setting, ctx } = statementOf('  provider copy {\n    retries 5\n  }');
    expect(providerPlan(ev, 'copy', setting, ctx)).toEqual({ name: 'copy', retries: 5, retryDelayMs: DEFAULTS.copyRetryDelayMs, origin: `${SCRIPT}:2:3` });
    expect(ev.diagnostics).toEqual([]);
  });

  it('refuses a provider id that is not a GUID', () => {
    const { ev, setting, ctx } = statementOf('  provider vss {\n    provider-id "nope"\n  }');
    expect(providerPlan(ev, 'vss', setting, ctx)).toMatchObject({ name: 'vss' });
    expect(providerPlan(ev, 'vss', setting, ctx)).not.toHaveProperty('providerId');
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['invalid-guid']);
  });
});
