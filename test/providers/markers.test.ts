import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMarkerOf, parseMarker, snapshotMarker } from '../../src/providers/markers.ts';

describe('snapshot markers', () => {
  it('names a snapshot after the job and run, readably', () => {
    expect(snapshotMarker('nightly', '20261123T093000Z-ab12')).toBe('stillpoint-nightly.20261123T093000Z-ab12');
    expect(snapshotMarker('db backup', 'r_1.2')).toBe('stillpoint-db_20backup.r_5f1_2e2');
  });

  it('parses back every job and run id, and uses only characters LVM, ZFS and btrfs all accept', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 6, unit: 'binary' }), fc.string({ minLength: 1, maxLength: 10 }), (job, runId) => {
        const marker = snapshotMarker(job, runId);
        expect(marker).toMatch(/^[A-Za-z0-9_.-]+$/);
        expect(parseMarker(marker)).toEqual({ job, runId });
        expect(isMarkerOf(marker, job)).toBe(true);
      }),
    );
  });

  it('qualifies a marker where one run needs several names, and parses the qualifier back', () => {
    const marker = snapshotMarker('nightly', 'run', 'vg0/data');
    expect(marker).toBe('stillpoint-nightly.run.vg0_2fdata');
    expect(parseMarker(marker)).toEqual({ job: 'nightly', runId: 'run', qualifier: 'vg0/data' });
    expect(isMarkerOf(marker, 'nightly')).toBe(true);
  });

  it('never takes the snapshots of job "nightly-db" for those of job "nightly"', () => {
    const other = snapshotMarker('nightly-db', 'run');
    expect(isMarkerOf(other, 'nightly')).toBe(false);
    expect(isMarkerOf(other, 'nightly-db')).toBe(true);
    expect(isMarkerOf(snapshotMarker('nightly', 'db-run'), 'nightly-db')).toBe(false);
  });

  it('ignores names that are not markers', () => {
    for (const name of ['home', 'stillpoint-', 'stillpoint-nightly', 'stillpoint-a.b.c.d', 'stillpoint-a..b', 'stillpoint-a_zz.b', 'autosnap_2026']) {
      expect(parseMarker(name)).toBeUndefined();
    }
  });

  it('refuses a job name too long for a snapshot name, saying what to change', () => {
    expect(() => snapshotMarker('x'.repeat(200), 'run')).toThrow(/give the job a shorter name/);
  });
});
