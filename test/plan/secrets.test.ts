import { describe, expect, it } from 'vitest';
import { brief, evalText } from './helpers.ts';

const PASSWORD = 'hunter2-Very-Secret';

describe('secrets', () => {
  const script = `let pw = secret(env("PW"))
let url = "postgres://backup:\${pw}@db/app"
job j {
  volume "/srv"
  provider copy
  writer "db" postgres url
  target restic "/repo" { password pw ?? "fallback" }
  hook after-backup {
    run "notify", "--token=\${pw}", upper(pw)
    env TOKEN = pw
  }
}`;

  it('keeps the value in the store and only *** in the plan', async () => {
    const result = await evalText(script, { env: { PW: PASSWORD } });
    expect(result.diagnostics).toEqual([]);
    const json = JSON.stringify(result.plan);
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain(PASSWORD.toUpperCase());
    const j = result.plan!.jobs[0]!;
    const writer = j.writers[0]!;
    if (writer.kind !== 'postgres') throw new Error('expected the postgres writer');
    expect(writer.url).toMatchObject({ shown: 'postgres://backup:***@db/app' });
    expect(result.secrets.reveal(writer.url)).toBe(`postgres://backup:${PASSWORD}@db/app`);
    const target = j.targets[0]!;
    if (target.kind !== 'restic') throw new Error('expected the restic target');
    expect(result.secrets.reveal(target.password!)).toBe(PASSWORD);
    const argv = j.hooks[0]!.actions[0]!;
    expect(argv).toMatchObject({ argv: ['notify', { shown: '--token=***' }, { shown: '***' }] });
    expect(j.hooks[0]!.env['TOKEN']).toMatchObject({ shown: '***' });
  });

  it('never puts a secret into a diagnostic', async () => {
    const result = await evalText(`let pw = secret(env("PW"))\njob j {\n  volume pw\n  target tree "/b/\${pw}"\n  freeze-timeout pw\n}`, { env: { PW: PASSWORD } });
    expect(result.diagnostics.map(brief)).toEqual([
      'error secret-not-allowed 3:10-3:12 a secret cannot be used as a volume',
      'error secret-not-allowed 4:15-4:25 a secret cannot be used as a target path',
      'error type-mismatch 5:18-5:20 expected a duration, found a string `pw`',
    ]);
    expect(JSON.stringify(result.diagnostics)).not.toContain(PASSWORD);
  });

  it('never echoes a secret where a word or an id was expected', async () => {
    const result = await evalText(`job j {\n  volume "/srv"\n  provider secret("${PASSWORD}")\n  provider vss { provider-id secret("${PASSWORD}") }\n  target tree "/b"\n}`);
    expect(result.diagnostics.map(brief)).toEqual([
      'error secret-not-allowed 3:12-3:41 a secret cannot be used as a provider',
      'error secret-not-allowed 4:30-4:59 a secret cannot be used as a provider id',
    ]);
  });

  it('keeps a secret read from a file out of file() errors and the plan', async () => {
    const result = await evalText('job j {\n  volume "/srv"\n  provider copy\n  target restic "/r" { password secret(file("pw.txt")) }\n}', { runTime: true }, { 'pw.txt': `${PASSWORD}\n` });
    expect(JSON.stringify(result.plan)).not.toContain(PASSWORD);
    const target = result.plan!.jobs[0]!.targets[0]!;
    if (target.kind !== 'restic') throw new Error('expected the restic target');
    expect(result.secrets.reveal(target.password!)).toBe(PASSWORD);
  });
});
