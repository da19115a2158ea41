// The restic target against the real restic binary (Debian's package) and real local
// repositories in temporary directories.

import { execFileSync, spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SecretStore } from '../../../src/base/secret.ts';
import type { TargetPlan } from '../../../src/plan/types.ts';
import { createResticTarget } from '../../../src/targets/restic/restic.ts';
import type { CopySource, TargetContext } from '../../../src/targets/target.ts';
import { command, describeWith, root } from '../../support/requirements.ts';

const PASSWORD = 'correct horse battery staple';

interface Recorded {
  progress: number;
  skipped: Array<{ path: string; reason: string }>;
  warnings: string[];
  output: string[];
}

function targetContext(overrides: Partial<TargetContext> = {}): { context: TargetContext; recorded: Recorded } {
  const recorded: Recorded = { progress: 0, skipped: [], warnings: [], output: [] };
  const context: TargetContext = {
    runId: 'run-1',
    job: 'ledger',
    hostname: 'db1',
    started: new Date(),
    signal: new AbortController().signal,
    ignoreReadErrors: false,
    snapshots: [],
    env: {},
    progress: () => recorded.progress++,
    skipped: (p, reason) => recorded.skipped.push({ path: p, reason }),
    warn: (m) => recorded.warnings.push(m),
    output: (_s, line) => recorded.output.push(line),
    ...overrides,
  };
  return { context, recorded };
}

function source(rootDir: string, readPath = rootDir, over: Partial<CopySource> = {}): CopySource {
  return { volume: rootDir, root: rootDir, readPath, include: [], exclude: [], excludeSystemFiles: true, oneFileSystem: true, ...over };
}

function resticCli(repo: string, args: string[], password = PASSWORD): string {
  return execFileSync('restic', ['-r', repo, ...args], { encoding: 'utf8', env: { ...process.env, RESTIC_PASSWORD: password } });
}

describeWith('restic target', [command('restic', 'apt-get install restic')], () => {
  let dir: string;
  let repo: string;
  let data: string;
  const secrets = new SecretStore();
  let plan: Extract<TargetPlan, { kind: 'restic' }>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-restic-'));
    repo = path.join(dir, 'repo');
    data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'books/tmp'), { recursive: true });
    writeFileSync(path.join(data, 'books/ledger.db'), 'ledger v1\n');
    writeFileSync(path.join(data, 'books/tmp/scratch'), 'scratch\n');
    writeFileSync(path.join(data, 'notes.txt'), 'notes\n'.repeat(1000));
    resticCli(repo, ['init']);
    plan = { kind: 'restic', repository: repo, password: secrets.add(PASSWORD), tags: ['nightly'], args: [], stallTimeoutMs: 60_000, origin: 't:1:1' };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up, reports restic\'s summary and progress, tags the job, and restores byte for byte', async () => {
    const target = createResticTarget(plan, secrets);
    const { context, recorded } = targetContext();
    const result = await target.write([source(data, data, { exclude: ['books/tmp/**'] })], context);
    expect(result.status).toBe('succeeded');
    expect(result.snapshotId).toMatch(/^[0-9a-f]{8,64}$/);
    expect(result.files).toBe(2);
    expect(result.details?.filesNew).toBe(2);
    expect(recorded.progress).toBeGreaterThan(0);

    const snapshots = JSON.parse(resticCli(repo, ['snapshots', '--json'])) as Array<{ id: string; tags: string[]; hostname: string; paths: string[] }>;
    const snapshot = snapshots.find((s) => s.id.startsWith(result.snapshotId!))!;
    expect(snapshot.hostname).toBe('db1');
    expect(snapshot.tags).toEqual(expect.arrayContaining(['stillpoint', 'stillpoint-job=ledger', 'nightly']));
    expect(snapshot.paths).toEqual([data]);

    const restored = path.join(dir, 'restored');
    resticCli(repo, ['restore', result.snapshotId!, '--target', restored]);
    expect(readFileSync(path.join(restored, data, 'books/ledger.db'), 'utf8')).toBe('ledger v1\n');
    expect(readFileSync(path.join(restored, data, 'notes.txt'))).toEqual(readFileSync(path.join(data, 'notes.txt')));
    expect(() => readFileSync(path.join(restored, data, 'books/tmp/scratch'))).toThrow(/ENOENT/);
  });

  it('a wrong password fails clearly and never prints the password', async () => {
    const wrong = new SecretStore();
    const target = createResticTarget({ ...plan, password: wrong.add('not-the-password-xyz') }, wrong);
    const { context, recorded } = targetContext();
    const error = await target.write([source(data)], context).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/wrong password; check the target's `password`/);
    expect(JSON.stringify({ message: error?.message, recorded })).not.toContain('not-the-password-xyz');
  });

  it('a missing repository says how to create it', async () => {
    const target = createResticTarget({ ...plan, repository: path.join(dir, 'nowhere') }, secrets);
    await expect(target.write([source(data)], targetContext().context)).rejects.toThrow(/there is no restic repository at .*nowhere: create it with `restic init`/);
  });

  it('a missing restic binary is a clear error', async () => {
    const target = createResticTarget(plan, secrets, path.join(dir, 'no-restic-here'));
    await expect(target.write([source(data)], targetContext().context)).rejects.toThrow(/restic is not installed/);
  });

  it('retention becomes restic forget --keep-* --prune, for this job only', async () => {
    const target = createResticTarget(plan, secrets);
    for (let i = 0; i < 2; i++) {
      writeFileSync(path.join(data, 'notes.txt'), `round ${i}\n`);
      await target.write([source(data)], targetContext().context);
    }
    const other = createResticTarget(plan, secrets);
    await other.write([source(data)], targetContext({ job: 'other-job' }).context);
    const before = JSON.parse(resticCli(repo, ['snapshots', '--json'])) as Array<{ short_id: string; tags: string[] }>;
    const ledgerCount = before.filter((s) => s.tags.includes('stillpoint-job=ledger')).length;
    expect(ledgerCount).toBe(3);

    const { removed, kept } = await target.prune({ last: 1 }, targetContext().context);
    expect(kept).toHaveLength(1);
    expect(removed).toHaveLength(2);
    const after = JSON.parse(resticCli(repo, ['snapshots', '--json'])) as Array<{ short_id: string; tags: string[] }>;
    expect(after.filter((s) => s.tags.includes('stillpoint-job=ledger')).map((s) => s.short_id)).toEqual(kept);
    expect(after.filter((s) => s.tags.includes('stillpoint-job=other-job'))).toHaveLength(1);
  });
});

describeWith('restic target: servers that fail, locks left behind', [command('restic', 'apt-get install restic')], () => {
  let dir: string;
  let data: string;
  const secrets = new SecretStore();
  const base = () => ({ kind: 'restic' as const, password: secrets.add(PASSWORD), tags: [], args: [], stallTimeoutMs: 60_000, origin: 't:1:1' });

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-restic-fail-'));
    data = path.join(dir, 'data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'a.txt'), 'a\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a server that refuses connections is reported as unreachable, not as a missing repository', async () => {
    const port = await closedPort();
    const target = createResticTarget({ ...base(), repository: `rest:http://127.0.0.1:${port}/` }, secrets);
    const error = await failure(target.write([source(data)], targetContext().context));
    expect(error.message).toMatch(new RegExp(`restic could not reach the repository rest:http://127.0.0.1:${port}/ \\(.*connection refused\\): check that the server is running`));
    expect(error.message).not.toMatch(/there is no restic repository/);
  });

  it('a server that accepts but never answers: restic is stopped by the stall rule, which says what stalled', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket)); // reads the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const target = createResticTarget({ ...base(), repository: `rest:http://127.0.0.1:${port}/`, stallTimeoutMs: 1500 }, secrets);
      const started = performance.now();
      const error = await failure(target.write([source(data)], targetContext().context));
      expect(error.message).toMatch(/^restic made no progress for 1\.5s \(stall-timeout\) and was stopped with its child processes; it had not reported any status\. No snapshot was recorded\./);
      expect(error.message).toMatch(/`restic unlock`/);
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('a stale lock from a killed restic: prune says whose lock it is and how to remove it, a backup warns, and the lock stays', async () => {
    const repo = path.join(dir, 'locked-repo');
    resticCli(repo, ['init']);
    const killed = await killedMidBackup(repo);
    const locks = () => resticCli(repo, ['list', 'locks', '--no-lock']).trim().split('\n').filter(Boolean);
    expect(locks()).toHaveLength(1);

    const target = createResticTarget({ ...base(), repository: repo }, secrets);
    const { context, recorded } = targetContext();
    await target.write([source(data)], context);
    expect(recorded.warnings).toEqual([expect.stringMatching(new RegExp(`holds a stale lock [0-9a-f]{8} of PID ${killed} on ${os.hostname()}.*\\(that process is gone\\)`))]);

    const error = await failure(target.prune({ last: 1 }, targetContext().context));
    expect(error.message).toMatch(new RegExp(`the restic repository .*locked-repo is locked by PID ${killed} on ${os.hostname()} by \\S+, since .* ago\\); if no restic is still running there .* remove the stale lock with \`restic unlock\``));
    expect(locks()).toHaveLength(1); // never removed silently
  });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `restic backup --stdin` (which holds its lock while it waits for input) and kills it with SIGKILL: its lock stays. */
async function killedMidBackup(repo: string): Promise<number> {
  const child = spawn('restic', ['-r', repo, 'backup', '--stdin'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD }, stdio: ['pipe', 'ignore', 'ignore'] });
  const deadline = Date.now() + 20_000;
  while (resticCli(repo, ['list', 'locks', '--no-lock']).trim() === '') {
    if (Date.now() > deadline) throw new Error('restic backup --stdin took no lock within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

describeWith('restic target reading a snapshot', [command('restic'), root(), command('unshare'), command('setpriv')], () => {
  let dir: string;
  const secrets = new SecretStore();

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-restic-ns-'));
    execFileSync('restic', ['-r', path.join(dir, 'repo'), 'init'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the original paths with the snapshot\'s content (bind mount in a private namespace)', async () => {
    const live = path.join(dir, 'live');
    const frozen = path.join(dir, 'frozen-copy');
    mkdirSync(live);
    writeFileSync(path.join(live, 'state'), 'changed after the snapshot\n');
    mkdirSync(frozen);
    writeFileSync(path.join(frozen, 'state'), 'as of the snapshot\n');
    const target = createResticTarget({ kind: 'restic', repository: path.join(dir, 'repo'), password: secrets.add(PASSWORD), tags: [], args: [], stallTimeoutMs: 60_000, origin: 't:1:1' }, secrets);
    const result = await target.write([source(live, frozen)], targetContext().context);
    const restored = path.join(dir, 'restored');
    execFileSync('restic', ['-r', path.join(dir, 'repo'), 'restore', result.snapshotId!, '--target', restored], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
    expect(readFileSync(path.join(restored, live, 'state'), 'utf8')).toBe('as of the snapshot\n');
    // The host's mount table is untouched: the bind mount lived only in restic's namespace.
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(live);
  });

  it('an unreadable file: partial under ignore-read-errors, else a failure that forgets the incomplete snapshot', async () => {
    // restic runs as `nobody` (through a wrapper) so that a mode-000 file is really unreadable.
    const repo = path.join(dir, 'repo-nobody');
    const data = path.join(dir, 'unreadable-data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'ok.txt'), 'fine\n');
    writeFileSync(path.join(data, 'secret.key'), 'nobody may read this\n');
    chmodSync(path.join(data, 'secret.key'), 0o000);
    chmodSync(dir, 0o755);
    execFileSync('restic', ['-r', repo, 'init'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
    execFileSync('chown', ['-R', 'nobody', repo]);
    chownSync(data, 0, 0);
    const wrapper = path.join(dir, 'restic-as-nobody');
    writeFileSync(wrapper, `#!/bin/sh\nexport HOME=/tmp XDG_CACHE_HOME=${dir}/cache-nobody\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups restic "$@"\n`, { mode: 0o755 });
    mkdirSync(path.join(dir, 'cache-nobody'), { recursive: true });
    execFileSync('chown', ['nobody', path.join(dir, 'cache-nobody')]);
    const plan = { kind: 'restic' as const, repository: repo, password: secrets.add(PASSWORD), tags: [], args: [], stallTimeoutMs: 60_000, origin: 't:1:1' };

    const partial = targetContext({ ignoreReadErrors: true });
    const result = await createResticTarget(plan, secrets, wrapper).write([source(data)], partial.context);
    expect(result.status).toBe('partial');
    expect(partial.recorded.skipped.map((s) => s.path)).toEqual([path.join(data, 'secret.key')]);

    const strict = targetContext();
    await expect(createResticTarget(plan, secrets, wrapper).write([source(data)], strict.context)).rejects.toThrow(/incomplete and has been forgotten/);
    const snapshots = JSON.parse(execFileSync('restic', ['-r', repo, 'snapshots', '--json', '--no-lock'], { encoding: 'utf8', env: { ...process.env, RESTIC_PASSWORD: PASSWORD } })) as unknown[];
    expect(snapshots).toHaveLength(1); // only the partial one kept under ignore-read-errors
  });
});
