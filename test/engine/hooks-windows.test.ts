// cmd { } hooks through a real cmd.exe: Wine's, on the Windows lane (scripts/windows-lane.sh),
// or Windows'. The hook gets the §7 environment, R-Drive Image's variables with
// `hook-env r-drive`, Windows paths as they are, and its exit code decides the hook.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { win32 } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { HookFailure, runHooks, type HookRunContext } from '../../src/engine/hooks.ts';
import type { StillpointEventBody } from '../../src/events/types.ts';
import type { HookPlan, HookStage } from '../../src/plan/types.ts';
import { describeWith, windows } from '../support/requirements.ts';
import { hook, hookContext } from './support/hooks.ts';

function cmd(stage: HookStage, code: string, extra: Partial<HookPlan> = {}): HookPlan {
  return hook(stage, [{ kind: 'cmd', code }], { timeoutMs: 20_000, origin: 'nightly.still:4:3', ...extra });
}

const WINDOWS_VOLUMES = {
  runId: 'run-7',
  volumes: ['D:', 'E:'],
  volumeIds: ['{11111111-2222-3333-4444-555555555555}', '{66666666-7777-8888-9999-AAAAAAAAAAAA}'],
  hookEnv: 'r-drive' as const,
};

function context(stage: HookStage, extra: Partial<HookRunContext> = {}) {
  return hookContext(stage, { ...WINDOWS_VOLUMES, ...extra });
}

const stdout = (events: StillpointEventBody[]) => events.flatMap((e) => (e.type === 'hook.output' && e.stream === 'stdout' ? [e.line.trimEnd()] : []));

describeWith('cmd { } hooks through cmd.exe', [windows()], () => {
  const dir = mkdtempSync(win32.join(tmpdir(), 'sp-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the hook the §7 environment and R-Drive Image\'s variables', async () => {
    const { ctx, events } = context('before-snapshot', { setId: 'set-1' });
    await runHooks([cmd('before-snapshot', 'echo %STILLPOINT_JOB% %STILLPOINT_STAGE% %STILLPOINT_VOLUMES%& echo %R_CALLBACK_UID% %R_CALLBACK_STAGE%& echo %R_VOLUME_NAMES% %R_VOLUME_GUIDS%')], ctx);
    expect(stdout(events)).toEqual([
      'ledger BEFORE_SNAPSHOT D:,E:',
      'run-7 BEFORE_SNAPSHOT',
      'D:,E: {11111111-2222-3333-4444-555555555555},{66666666-7777-8888-9999-AAAAAAAAAAAA}',
    ]);
  });

  it('passes the snapshot paths and the hook\'s own variables, and runs in its folder', async () => {
    // ASCII: cmd.exe writes its output to a pipe in the OEM code page, not UTF-8 (a follow-up).
    const folder = win32.join(dir, 'hook folder');
    mkdirSync(folder);
    const device = '\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy3\\';
    const { ctx, events } = context('after-snapshot', { snapshotPaths: [device, `${device}data`], hookEnv: 'stillpoint' });
    await runHooks([cmd('after-snapshot', 'echo %STILLPOINT_SNAPSHOT_PATHS%& echo %GREETING%& cd& echo written> out.txt', { env: { GREETING: 'hello there' }, cwd: folder })], ctx);
    expect(stdout(events)).toEqual([`${device},${device}data`, 'hello there', folder]);
    expect(readFileSync(win32.join(folder, 'out.txt'), 'utf8').trim()).toBe('written');
    expect(events.some((e) => e.type === 'hook.output' && e.line.includes('R_CALLBACK'))).toBe(false);
  });

  it('fails the hook with cmd.exe\'s exit code, naming the hook', async () => {
    const { ctx, events } = context('before-backup');
    const failure = await runHooks([cmd('before-backup', 'echo going wrong& exit /b 3')], ctx).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(HookFailure);
    expect((failure as Error).message).toMatch(/before-backup hook at nightly\.still:4:3 \(cmd\) exited with code 3/);
    expect(stdout(events)).toEqual(['going wrong']);
  });
});
