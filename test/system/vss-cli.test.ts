// `stillpoint run` of a script with `provider vss` and a tree target, end to end through the
// CLI, with the ABI test double standing in for vssapi.dll: the job's files come from the
// double's shadow copy, are restored and compared; a required writer that fails in freeze
// fails the run with its name, and nothing is left in the double's store either way.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { command, describeWith, linux } from '../support/requirements.ts';
import { DOUBLE_LIBRARY, buildDouble, configText, mingwHeaders } from '../providers/vss/double.ts';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../bin/stillpoint.js');

let root: string;

async function stillpoint(args: string[], writers: string): Promise<{ code: number; out: string }> {
  const env = environment(writers);
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env, timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}=${readFileSync(join(dir, d.name), 'utf8')}`],
  );
}

function script(requireWriter: string, extra = ''): string {
  const file = join(root, 'job.still');
  writeFileSync(
    file,
    `job "documents" {\n  volume "${join(root, 'data')}"\n  provider vss { require-writer "${requireWriter}"  timeout 30s }\n${extra}  target tree "${join(root, 'backups')}"\n}\n`,
  );
  return file;
}

function environment(writers: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    STILLPOINT_VSS_LIBRARY: DOUBLE_LIBRARY,
    STILLPOINT_STATE_DIR: join(root, 'state'),
    STILLPOINT_VSS_DOUBLE: `${configText(join(root, 'store'), { asyncMs: 10 })};writers=${writers}`,
  };
}

const shadowSets = () => (existsSync(join(root, 'store')) ? readdirSync(join(root, 'store')).filter((n) => !n.startsWith('.')) : []);

describeWith('stillpoint run with provider vss (ABI test double)', [linux(), command('gcc', 'apt-get install gcc'), mingwHeaders()], () => {
  beforeAll(() => buildDouble(), 120_000);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'stillpoint-vss-cli-'));
    mkdirSync(join(root, 'data', 'reports', '2026'), { recursive: true });
    writeFileSync(join(root, 'data', 'reports', '2026', 'q3.txt'), 'third quarter\n');
    writeFileSync(join(root, 'data', 'notes.md'), '# notes\n');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('backs up from the shadow copy, restores the same files, and leaves nothing behind', async () => {
    const result = await stillpoint(['run', '--plain', script('Stable Writer')], 'Stable Writer:stable');
    expect(result.out).toMatch(/snapshot set set-1 created by vss/);
    expect(result.code).toBe(0);
    const restored = await stillpoint(['restore', join(root, 'backups'), '--to', join(root, 'restored')], '');
    expect(restored.code).toBe(0);
    const [volumeDir] = readdirSync(join(root, 'restored'));
    expect(files(join(root, 'restored', volumeDir!))).toEqual(files(join(root, 'data')));
    expect(readdirSync(join(root, 'store')).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(readdirSync(join(root, 'state', 'vss'))).toEqual([]);
  });

  it('fails the run, naming the writer, when a required writer fails in freeze', async () => {
    const result = await stillpoint(['run', '--plain', script('Flaky Writer')], 'Stable Writer:stable,Flaky Writer:freeze-fail');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/required writer "Flaky Writer" failed while the snapshot was taken: it is in state FAILED_AT_FREEZE with VSS_E_WRITERERROR_RETRYABLE/);
    expect(existsSync(join(root, 'backups')) ? readdirSync(join(root, 'backups')).filter((n) => /^\d{4}-/.test(n)) : []).toEqual([]);
    expect(readdirSync(join(root, 'store')).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('stillpoint cleanup deletes the shadow copies of a run killed after the snapshot', async () => {
    const file = script('Stable Writer', '  hook after-snapshot run "sleep", "30"\n');
    const child = spawn(process.execPath, [CLI, 'run', '--plain', file], { env: environment('Stable Writer:stable'), stdio: 'ignore' });
    try {
      for (let i = 0; i < 300 && shadowSets().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(shadowSets()).toHaveLength(1);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    expect(shadowSets()).toHaveLength(1); // the killed run could not release it
    const cleanup = await stillpoint(['cleanup', file], 'Stable Writer:stable');
    expect(cleanup.code).toBe(0);
    expect(shadowSets()).toEqual([]);
    expect(readdirSync(join(root, 'state', 'vss'))).toEqual([]);
  });
});
