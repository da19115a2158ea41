// One PowerShell session per run, in a real PowerShell (see test/support/pwsh.ts).

import { afterEach, expect, it, vi } from 'vitest';
import { createPwshSession, type PwshSession } from '../../src/base/pwsh-session.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { describeWith } from '../support/requirements.ts';
import { pwsh, pwshStartupMs, PWSH_TEST_TIMEOUT_MS } from '../support/pwsh.ts';

vi.setConfig({ testTimeout: PWSH_TEST_TIMEOUT_MS });

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

  it('a Write-Error fails the block at its end (the rest still runs); an error the block silences does not', async () => {
    session = createPwshSession();
    const failed = await session.run('Write-Error "service not found"\n"went on"', { env: {}, onLine, source: '/srv/nightly.still:7' });
    expect(failed.exitCode).toBe(1);
    expect(lines).toEqual(['stderr:/srv/nightly.still:7: service not found', 'stdout:went on']);
    const silenced = await session.run('Write-Error "ignored" -ErrorAction SilentlyContinue\ntry { throw "handled" } catch { }', { env: {}, onLine });
    expect(silenced.exitCode).toBe(0);
  });

  it('errors name the line of the .still file: throw, a syntax error, a function from an earlier block', async () => {
    session = createPwshSession();
    await session.run('function Stop-App {\n  throw "app did not stop"\n}', { env: {}, onLine, source: '/srv/app.still:4' });
    expect((await session.run('"first"\n\nthrow "bad volume"', { env: {}, onLine, source: '/srv/app.still:10' })).exitCode).toBe(1);
    expect((await session.run('"ok"\nif ( {', { env: {}, onLine, source: '/srv/app.still:20' })).exitCode).toBe(1);
    expect((await session.run('Stop-App', { env: {}, onLine, source: '/srv/app.still:30' })).exitCode).toBe(1);
    const errors = lines.filter((l) => l.startsWith('stderr:'));
    expect(errors[0]).toBe('stderr:/srv/app.still:12: bad volume');
    expect(errors[1]).toMatch(/^stderr:\/srv\/app\.still:21: Missing closing '}'/);
    expect(errors[2]).toBe('stderr:/srv/app.still:5: app did not stop');
    expect(lines.join('\n')).not.toMatch(/block-\d+\.ps1|pwsh-block/);
  });

  it('output is plain text even when Stillpoint runs in a terminal: no escape sequences, no frame lines', async () => {
    const term = process.env.TERM;
    process.env.TERM = 'xterm-256color';
    try {
      session = createPwshSession();
      const r = await session.run(
        "[pscustomobject]@{ Name = 'db'; Status = 'Running' } | Format-Table\nWrite-Warning 'slow disk'\nWrite-Error 'oops'\nWrite-Host 'host text'",
        { env: {}, onLine },
      );
      expect(r.exitCode).toBe(1);
    } finally {
      process.env.TERM = term;
    }
    expect(lines.join('\n')).not.toMatch(/\x1b|\x9b/);
    expect(lines).toContain('stderr:WARNING: slow disk');
    expect(lines).toContain('stdout:host text');
    expect(lines.some((l) => /^stdout:db\s+Running$/.test(l))).toBe(true);
    expect(lines.some((l) => /^(stdout|stderr):[0-9A-Za-z]{16}$/.test(l))).toBe(false);
  });

  it('starts PowerShell when created: a block run after ready() does not wait for the start-up', async () => {
    session = createPwshSession();
    await session.ready();
    const r = await session.run('"quick"', { env: {}, onLine });
    expect(lines).toEqual(['stdout:quick']);
    // PowerShell takes 2-5 s to start (more on a loaded machine); one block in a running
    // session takes a fraction of that.
    expect(r.durationMs).toBeLessThan((await pwshStartupMs()) / 2);
  });
});
