// Stillpoint as a user installs it: `npm pack` of this checkout, `npm install --global` of the
// tarball into a fresh prefix, then the installed `stillpoint` (the bundle in dist/, not the
// TypeScript) on Node 24 and on the oldest Node `engines` allows: check, plan, a copy backup,
// a btrfs backup on a loop device (koffi loaded from the installed package; a `process` writer
// starts the watchdog process, a separate entry point of the bundle), the unit `schedule
// install` writes, run as systemd would run it, an LSP session over stdio, and the PowerShell
// module finding `stillpoint` on the PATH. On Node 22 the install runs with --ignore-scripts:
// koffi must work without its install script, which npm may not run in a global install.
// Everything happens in a temp folder: the checkout is left as it was.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StillpointEvent } from '../../src/events/types.ts';
import { ENTRY_POINTS } from '../../src/package-layout.ts';
import { BATCHED_FILE_BYTES } from '../../src/targets/tree/copy-pool.ts';
import { lspStdioSession } from '../lsp/stdio-session.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { CHECKOUT, installPackage, NODES, nodeInstalled, packPackage, type InstalledPackage } from '../support/installed-package.ts';
import { PWSH, pwsh, runPwsh } from '../support/pwsh.ts';
import { command, describeWith, linux, root, type Requirement } from '../support/requirements.ts';

const { version } = JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { version: string };
const nodes: Requirement[] = NODES.map((node) => ({ ok: nodeInstalled(node.bin), reason: `needs ${node.name} at ${node.bin} (bash scripts/install-old-nodes.sh)` }));
const INSTALL_MS = 600_000;

describeWith('the installed package', [linux(), root(), command('npm'), command('mkfs.btrfs'), command('btrfs'), command('losetup'), ...nodes], () => {
  let dir: string;
  let tarball: string;
  let btrfs: LoopFilesystem;
  let writer: ChildProcess;
  let outputsBefore: string[];
  const installs: InstalledPackage[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stillpoint-installed-'));
    outputsBefore = packageOutputs();
    tarball = packPackage(dir);
    btrfs = createLoopFilesystem('btrfs');
    execFileSync('btrfs', ['subvolume', 'create', join(btrfs.mountPoint, 'ledger')], { stdio: 'ignore' });
    writeFileSync(join(btrfs.mountPoint, 'ledger', 'books.txt'), 'opening balance 100\n');
    // The application the `process` writer stops for the snapshot.
    writer = spawn('sleep', ['600'], { stdio: 'ignore' });
  }, INSTALL_MS);

  afterAll(() => {
    writer?.kill();
    btrfs?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the bundle and the files it needs at run time, not the TypeScript', () => {
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    const entryPoints = ENTRY_POINTS.map((entry) => `package/dist/${basename(entry)}.js`);
    expect(listed).toEqual(expect.arrayContaining([...entryPoints, 'package/bin/stillpoint.js', 'package/dist/events.schema.json', 'package/dist/pwsh-block.ps1', 'package/powershell/Stillpoint.psd1', 'package/grammar/stillpoint.tmLanguage.json']));
    expect(listed.filter((file) => file.endsWith('.ts') || file.startsWith('package/src/'))).toEqual([]);
  });

  it('packs without writing to the checkout', () => {
    expect(packageOutputs()).toEqual(outputsBefore);
  });

  for (const [index, node] of NODES.entries()) {
    const npmOptions = index === 0 ? [] : ['--ignore-scripts'];
    let installed: InstalledPackage;
    let home: string;
    const stillpoint = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(installed.stillpoint, args, { cwd: home, env: { ...installed.env, STILLPOINT_STATE_DIR: join(home, 'state'), NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 120_000 });

    it(`installs with npm ${npmOptions.join(' ') || '(default options)'} and runs on ${node.name}`, () => {
      home = join(dir, `node-${index}`);
      installed = installPackage(tarball, join(home, 'prefix'), node.bin, npmOptions);
      installs.push(installed);
      const nodeVersion = execFileSync(join(node.bin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
      const result = stillpoint(['--version']);
      expect(result.stdout).toBe(`stillpoint ${version} (Node.js ${nodeVersion})\n`);
      expect(existsSync(join(installed.root, 'src'))).toBe(false);
      if (index > 0) expect(nodeVersion).toBe('v22.18.0');
    }, INSTALL_MS);

    it(`checks and plans a script, and points at a mistake (${node.name})`, () => {
      writeFileSync(join(home, 'bad.still'), 'job "a" {\n  volume "data"\n  provider copy\n  hook befor-backup run "x"\n}\n');
      const bad = stillpoint(['check', 'bad.still']);
      expect(bad.status).toBe(2);
      expect(bad.stderr + bad.stdout).toMatch(/bad\.still:4:8/);
      expect(bad.stderr + bad.stdout).toContain('before-backup');
      writeFileSync(join(home, 'copy.still'), 'job "documents" {\n  volume "data"\n  provider copy\n  target tree path("backups") {\n    keep last 2\n  }\n  schedule "30 23 * * *"\n}\n');
      const good = stillpoint(['check', 'copy.still']);
      expect(good.stderr + good.stdout).toContain('no errors');
      expect(good.status).toBe(0);
      const plan = stillpoint(['plan', 'copy.still', '--json']);
      expect(plan.status, plan.stderr).toBe(0);
      expect(JSON.parse(plan.stdout).jobs[0].name).toBe('documents');
    });

    it(`backs up with the copy provider, on the worker threads (${node.name})`, () => {
      cpSync(join(CHECKOUT, 'scripts-examples', 'sample-data'), join(home, 'data'), { recursive: true });
      // A large file is copied on a copy thread, never on the walking thread: the bundle's
      // copy-worker entry point runs (a few small files alone start no thread).
      writeFileSync(join(home, 'data', 'large.bin'), randomBytes(BATCHED_FILE_BYTES + 1));
      const run = stillpoint(['run', 'copy.still', '--json']);
      expect(run.status, run.stderr).toBe(0);
      const finished = events(run.stdout).find((e) => e.type === 'copy.finished');
      expect(finished).toMatchObject({ status: 'succeeded', skipped: 0 });
      const [copy] = readdirSync(join(home, 'backups')).filter((name) => !name.startsWith('.'));
      expect(sameTree(join(home, 'data'), join(home, 'backups', copy!))).toBe(true);
    });

    it(`backs up a btrfs subvolume through koffi, with a process writer and its watchdog (${node.name})`, () => {
      const script = join(home, 'btrfs.still');
      writeFileSync(
        script,
        `job "ledger" {\n  volume '${join(btrfs.mountPoint, 'ledger')}'\n  provider btrfs\n  writer "app" process {\n    pid ${writer.pid}\n  }\n  target tree '${join(home, 'ledger-backups')}'\n}\n`,
      );
      const run = stillpoint(['run', script, '--json']);
      expect(run.status, run.stderr + run.stdout).toBe(0);
      const created = events(run.stdout).find((e) => e.type === 'snapshot-set.created');
      expect(created).toMatchObject({ provider: 'btrfs' });
      expect(events(run.stdout).filter((e) => e.type === 'snapshot-set.released')).toHaveLength(1);
      const [copy] = readdirSync(join(home, 'ledger-backups'));
      const books = execFileSync('find', [join(home, 'ledger-backups', copy!), '-name', 'books.txt'], { encoding: 'utf8' }).trim();
      expect(readFileSync(books, 'utf8')).toBe('opening balance 100\n');
      // The writer's process runs again.
      expect(readFileSync(`/proc/${writer.pid}/stat`, 'utf8').split(') ')[1]![0]).not.toBe('T');
    });

    it(`writes a unit whose command runs the installed package (${node.name})`, () => {
      const units = join(home, 'units');
      const install = stillpoint(['schedule', 'install', 'copy.still', '--unit-dir', units]);
      expect(install.status).toBe(1); // written, not enabled: systemd was not asked
      const service = readFileSync(join(units, 'stillpoint-documents.service'), 'utf8');
      const execStart = /^ExecStart=(.*)$/m.exec(service)![1]!.split(' ');
      expect(execStart.slice(0, 3)).toEqual([join(node.bin, 'node'), join(installed.root, 'bin', 'stillpoint.js'), 'run']);
      // As systemd runs it: no PATH of the user's.
      const [program, ...args] = execStart;
      const run = spawnSync(program!, args, { cwd: '/', env: { STILLPOINT_STATE_DIR: join(home, 'state') }, encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(readdirSync(join(home, 'backups')).filter((name) => !name.startsWith('.')).length).toBe(2);
    });

    it(`serves an editor over stdio (${node.name})`, async () => {
      const session = await lspStdioSession(installed.stillpoint, ['lsp', '--stdio'], 'job "a" {\n  volume "/srv"\n  hook befor-backup run "x"\n}\n', installed.env);
      expect(session.initialized.capabilities.completionProvider, session.stderr).toBeDefined();
      expect(session.diagnostics.map((d) => d.message).join('\n')).toContain('before-backup');
      expect(session.exitCode).toBe(0);
    });
  }

  it.skipIf(!pwsh().ok && process.env.STILLPOINT_NO_SKIP !== '1')('the PowerShell module, installed on its own, finds `stillpoint` on the PATH', async () => {
    expect(existsSync(PWSH), pwsh().reason).toBe(true);
    const [installed] = installs;
    const module = join(dir, 'modules', 'Stillpoint');
    cpSync(join(installed.root, 'powershell'), module, { recursive: true });
    const result = await runPwsh(
      `Import-Module '${join(module, 'Stillpoint.psd1')}'; Test-StillpointScript -Path '${join(dir, 'node-0', 'bad.still')}' | ForEach-Object { "$($_.Line):$($_.Column) $($_.Message)" }`,
      { PATH: installed!.env.PATH! },
    );
    expect(result.stdout, result.stderr).toMatch(/^4:8 unknown hook stage `befor-backup`$/m);
  });
});

function events(stdout: string): StillpointEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as StillpointEvent);
}

/** The backup holds the same files with the same contents as the source (diff -r). */
function sameTree(source: string, backup: string): boolean {
  const [copied] = readdirSync(backup).filter((name) => !name.endsWith('.json') && !name.endsWith('.ndjson'));
  return spawnSync('diff', ['-r', source, join(backup, copied!)]).status === 0;
}

/** What a pack could leave in the checkout: dist/'s files with their times, and tarballs. */
function packageOutputs(): string[] {
  const dist = join(CHECKOUT, 'dist');
  const built = existsSync(dist) ? readdirSync(dist).map((name) => `dist/${name} ${statSync(join(dist, name)).mtimeMs}`) : [];
  return [...built, ...readdirSync(CHECKOUT).filter((name) => name.endsWith('.tgz'))].sort();
}
