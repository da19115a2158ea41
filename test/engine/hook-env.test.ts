import { describe, expect, it } from 'vitest';
import { hookEnvironment, stageVariable } from '../../src/engine/hook-env.ts';

const base = { runId: 'r-1', job: 'ledger', volumes: ['/srv/a', '/srv/b'], volumeIds: ['u-a', 'u-b'] };

describe('hookEnvironment (LANGUAGE.md §7)', () => {
  it('names every stage in upper snake case', () => {
    expect(
      (['before-backup', 'before-snapshot', 'during-freeze', 'after-snapshot', 'after-backup', 'on-error'] as const).map(stageVariable),
    ).toEqual(['BEFORE_BACKUP', 'BEFORE_SNAPSHOT', 'DURING_FREEZE', 'AFTER_SNAPSHOT', 'AFTER_BACKUP', 'ON_ERROR']);
  });

  it('gives the run, job, stage and comma-separated volumes; no snapshot paths before they exist', () => {
    expect(hookEnvironment({ ...base, stage: 'before-snapshot', hookEnv: 'stillpoint' })).toEqual({
      STILLPOINT_RUN_ID: 'r-1',
      STILLPOINT_JOB: 'ledger',
      STILLPOINT_STAGE: 'BEFORE_SNAPSHOT',
      STILLPOINT_VOLUMES: '/srv/a,/srv/b',
      STILLPOINT_VOLUME_IDS: 'u-a,u-b',
    });
  });

  it('adds snapshot paths, status and error where §7 says', () => {
    const env = hookEnvironment({
      ...base,
      stage: 'on-error',
      snapshotPaths: ['/s/a', '/s/b'],
      status: 'cancelled',
      error: 'disk full',
      hookEnv: 'stillpoint',
    });
    expect(env.STILLPOINT_SNAPSHOT_PATHS).toBe('/s/a,/s/b');
    expect(env.STILLPOINT_STATUS).toBe('failed');
    expect(env.STILLPOINT_ERROR).toBe('disk full');
    const after = hookEnvironment({ ...base, stage: 'after-backup', status: 'partial', error: 'x', hookEnv: 'stillpoint' });
    expect(after.STILLPOINT_STATUS).toBe('partial');
    expect(after.STILLPOINT_ERROR).toBeUndefined();
    expect(hookEnvironment({ ...base, stage: 'before-backup', status: 'failed', hookEnv: 'stillpoint' }).STILLPOINT_STATUS).toBeUndefined();
  });

  it('adds the R-Drive Image variables for its four AUX stages only', () => {
    const env = hookEnvironment({ ...base, stage: 'after-snapshot', hookEnv: 'r-drive' });
    expect(env).toMatchObject({
      R_CALLBACK_UID: 'r-1',
      R_CALLBACK_STAGE: 'AFTER_SNAPSHOT',
      R_VOLUME_NAMES: '/srv/a,/srv/b',
      R_VOLUME_GUIDS: 'u-a,u-b',
    });
    expect(hookEnvironment({ ...base, stage: 'during-freeze', hookEnv: 'r-drive' }).R_CALLBACK_STAGE).toBeUndefined();
    expect(hookEnvironment({ ...base, stage: 'before-backup', hookEnv: 'stillpoint' }).R_CALLBACK_STAGE).toBeUndefined();
  });
});
