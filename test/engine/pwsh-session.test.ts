// One PowerShell session per run, in a real PowerShell (see test/support/pwsh.ts).

import { afterEach, expect, it } from 'vitest';
import { createPwshSession, type PwshSession } from '../../src/engine/pwsh-session.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { describeWith } from '../support/requirements.ts';
import { pwsh } from '../support/pwsh.ts';

describeWith('PowerShell session', [pwsh()], () => {
  let session: PwshSession;
  const lines: string[] = [];
  const onLine = (stream: string, line: string) => lines.push(`${stream}:${line}`);
  afterEach(async () => {
    await session?.close();
    lines.length = 0;
  });

  it('keeps variables from block to block, and gives each block its own environment', async () => {
    session = createPwshSession();
    await session.run('$shared = 41', { env: { STILLPOINT_STAGE: 'BEFORE_SNAPSHOT' }, onLine });
    const r = await session.run('"shared=$($shared + 1) stage=$env:STILLPOINT_STAGE extra=$env:ONLY_FIRST"', { env: { STILLPOINT_STAGE: 'AFTER_SNAPSHOT' }, onLine });
    expect(r.exitCode).toBe(0);
    expect(lines).toEqual(['stdout:shared=42 stage=AFTER_SNAPSHOT extra=']);
  });

  it('fails on exit N and on a terminating error, not on text written to stderr', async () => {
    session = createPwshSession();
    expect((await session.run('[Console]::Error.WriteLine("just a note")', { env: {}, onLine })).exitCode).toBe(0);
    expect((await session.run('if ($true) { exit 7 }', { env: {}, onLine })).exitCode).toBe(7);
    expect((await session.run('throw "disk not found"', { env: {}, onLine })).exitCode).toBe(1);
    expect(lines).toContain('stderr:just a note');
    expect(lines).toContain('stderr:disk not found');
  });

  it('passes values through files: quotes and $() in a value stay data, secrets are revealed only inside', async () => {
    session = createPwshSession();
    const secrets = new SecretStore();
    const tricky = `it's "quoted" $(exit 9) \`n`;
    const r = await session.run('"value=$env:TRICKY"; if ($env:TOKEN -eq "s3cret-value") { "token ok" }; $env:TOKEN', {
      env: { TRICKY: tricky, TOKEN: secrets.add('s3cret-value') },
      secrets,
      onLine,
    });
    expect(r.exitCode).toBe(0);
    expect(lines).toEqual([`stdout:value=${tricky}`, 'stdout:token ok', 'stdout:***']);
  });

  it('a block past its timeout ends the session; the next block starts a new one and says so', async () => {
    session = createPwshSession();
    await session.run('$shared = 1', { env: {}, onLine });
    const r = await session.run('[System.Threading.Thread]::Sleep(30000)', { env: {}, onLine, timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    const next = await session.run('"shared=$shared"', { env: {}, onLine });
    expect(next.exitCode).toBe(0);
    expect(lines.at(-2)).toMatch(/new PowerShell session was started/);
    expect(lines.at(-1)).toBe('stdout:shared=');
  });
});
