import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processState } from '../../src/base/proc-stat.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { describeCommand, isAlive, runProcess, SpawnError } from '../../src/base/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
}

async function collect(options: Parameters<typeof runProcess>[0]) {
  const lines: Array<[string, string]> = [];
  const result = await runProcess({ ...options, onLine: (stream, line) => lines.push([stream, line]) });
  return { result, lines };
}

describe('runProcess', () => {
  it('passes argv without a shell and streams stdout and stderr line by line', async () => {
    const { result, lines } = await collect({
      command: { argv: [process.execPath, '-e', 'console.log(process.argv.slice(1).join("|")); console.error("e1\\ne2"); process.exit(4)', 'a b', '$HOME', '*'] },
    });
    expect(result.exitCode).toBe(4);
    expect(lines).toContainEqual(['stdout', 'a b|$HOME|*']);
    expect(lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['e1', 'e2']);
  });

  it('runs a string through sh -c with env and cwd', async () => {
    const { result, lines } = await collect({ command: { shell: 'echo "$GREETING $(pwd)"; printf tail' }, env: { GREETING: 'hi' }, cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(lines).toEqual([
      ['stdout', `hi ${dir}`],
      ['stdout', 'tail'],
    ]);
  });

  it('kills the whole process group on timeout, grandchild included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const { result } = await collect({
      command: { shell: `sleep 30 & echo $! > ${pidFile}; wait` },
      timeoutMs: 300,
      killGraceMs: 500,
    });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(5000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const { result } = await collect({ command: { shell: 'trap "" TERM; while :; do sleep 0.05; done' }, timeoutMs: 200, killGraceMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
  });

  it('ends the process group when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 200);
    const { result } = await collect({ command: { argv: ['sleep', '30'] }, signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(result.signal).toBe('SIGTERM');
  });

  describe('stall rule', () => {
    it('ends a process group that goes quiet, grandchild included, long before its timeout', async () => {
      const pidFile = join(dir, 'quiet.pid');
      const { result, lines } = await collect({
        command: { shell: `echo working; sleep 30 & echo $! > ${pidFile}; wait` },
        timeoutMs: 30_000,
        stall: { timeoutMs: 400 },
        killGraceMs: 500,
      });
      expect(result).toMatchObject({ stalled: true, timedOut: false, aborted: false, signal: 'SIGTERM' });
      expect(result.durationMs).toBeLessThan(5000);
      expect(lines).toEqual([['stdout', 'working']]);
      await new Promise((r) => setTimeout(r, 100));
      expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    });

    it('escalates to SIGKILL when a stalled process ignores SIGTERM', async () => {
      const { result } = await collect({ command: { shell: 'trap "" TERM; sleep 30 & wait; sleep 30' }, stall: { timeoutMs: 300 }, killGraceMs: 300 });
      expect(result.stalled).toBe(true);
      expect(result.signal).toBe('SIGKILL');
    });

    it('counts output as progress', async () => {
      const { result, lines } = await collect({ command: { shell: 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i; sleep 0.2; done' }, stall: { timeoutMs: 1500 } });
      expect(result).toMatchObject({ exitCode: 0, stalled: false });
      expect(lines).toHaveLength(12);
    });

    it.runIf(process.platform === 'linux')('counts bytes a silent process writes as progress (Linux /proc/PID/io)', async () => {
      const file = join(dir, 'silent-writer');
      const code = `const fs = require('fs'); let n = 0; const t = setInterval(() => { fs.appendFileSync(${JSON.stringify(file)}, 'x'.repeat(4096)); if (++n === 25) clearInterval(t); }, 100);`;
      const { result, lines } = await collect({ command: { argv: [process.execPath, '-e', code] }, stall: { timeoutMs: 1500 } });
      expect(lines).toEqual([]);
      expect(result).toMatchObject({ exitCode: 0, stalled: false });
      expect(result.durationMs).toBeGreaterThan(2000);
    });

    it('does not count CPU time as progress', async () => {
      const { result } = await collect({ command: { argv: [process.execPath, '-e', 'const end = Date.now() + 20000; while (Date.now() < end);'] }, stall: { timeoutMs: 1000 } });
      expect(result.stalled).toBe(true);
      expect(result.durationMs).toBeLessThan(10_000);
    });

    it('with a progress rule, counts only the lines it accepts (a status that repeats is a stall)', async () => {
      let lastStatus: string | undefined;
      const progress = (_stream: string, line: string) => {
        const changed = line !== lastStatus;
        lastStatus = line;
        return changed;
      };
      const { result, lines } = await collect({
        command: { shell: 'for i in 1 2 3; do echo "done $i"; sleep 0.1; done; while :; do echo "done 3"; sleep 0.05; done' },
        stall: { timeoutMs: 600, progress },
      });
      expect(result.stalled).toBe(true);
      expect(lines.length).toBeGreaterThan(5);
      expect(new Set(lines.map(([, l]) => l))).toEqual(new Set(['done 1', 'done 2', 'done 3']));
    });
    it.runIf(process.platform === 'linux')('with a progress rule, still counts data the group moves beyond what it prints', async () => {
      const file = join(dir, 'uploader');
      const code = `const fs = require('fs'); let n = 0; const t = setInterval(() => { console.log('same status'); fs.appendFileSync(${JSON.stringify(file)}, 'x'.repeat(256 * 1024)); if (++n === 25) clearInterval(t); }, 100);`;
      const { result } = await collect({ command: { argv: [process.execPath, '-e', code] }, stall: { timeoutMs: 1500, progress: () => false } });
      expect(result).toMatchObject({ exitCode: 0, stalled: false });
    });
  });

  it('reveals secrets only for the child and redacts them in output and descriptions', async () => {
    const secrets = new SecretStore();
    const token = secrets.add('hunter2-token');
    const file = join(dir, 'seen');
    const { result, lines } = await collect({
      command: { argv: ['sh', '-c', `printf '%s %s' "$1" "$TOKEN" > ${file}; echo "$1"`, 'sh', token] },
      env: { TOKEN: token },
      secrets,
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('hunter2-token hunter2-token');
    expect(lines).toEqual([['stdout', '***']]);
    expect(describeCommand({ argv: ['curl', token] })).toBe("curl '***'");
  });

  it('says which program is missing and which directory does not exist', async () => {
    await expect(runProcess({ command: { argv: ['no-such-program-sp'] } })).rejects.toThrow(SpawnError);
    await expect(runProcess({ command: { argv: ['no-such-program-sp'] } })).rejects.toThrow(/no-such-program-sp was not found/);
    await expect(runProcess({ command: { argv: ['true'] }, cwd: join(dir, 'missing') })).rejects.toThrow(/working directory .*missing does not exist/);
  });

  it('does not wait for a background child that keeps the output open', async () => {
    const pidFile = join(dir, 'daemon.pid');
    writeFileSync(pidFile, '');
    const { result } = await collect({ command: { shell: `sleep 5 & echo $! > ${pidFile}; echo started` } });
    expect(result.exitCode).toBe(0);
    expect(result.durationMs).toBeLessThan(2000);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });
});

describe('isAlive', () => {
  it('is true for this process and false for a child that has exited', () => {
    expect(isAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', '']);
    expect(child.pid).toBeGreaterThan(0);
    expect(isAlive(child.pid)).toBe(false);
  });
});
