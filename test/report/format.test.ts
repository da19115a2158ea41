import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatDurationPrecise, formatLogTime, formatPercent, printable } from '../../src/report/format.ts';

describe('units', () => {
  it('formats bytes in powers of 1024 with three significant digits', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 ** 2 + 1, 2 * 1024 ** 3, 512 * 1024 ** 4].map(formatBytes)).toEqual(['0 B', '1023 B', '1.00 KiB', '1.50 KiB', '10.0 MiB', '2.00 GiB', '512 TiB']);
  });

  it('formats durations: tenths of seconds below 10 s, then seconds, minutes, hours', () => {
    expect([0, 49, 812, 9_960, 10_000, 59_400, 61_000, 3_725_000, -5].map(formatDuration)).toEqual(['0.0 s', '0.0 s', '0.8 s', '10 s', '10 s', '59 s', '1 m 1 s', '1 h 2 m', '0.0 s']);
    expect([40, 812, 1500].map(formatDurationPrecise)).toEqual(['40 ms', '812 ms', '1.5 s']);
  });

  it('formats percent only when the total is known, never above 100%', () => {
    expect(formatPercent(1, 3)).toBe('33%');
    expect(formatPercent(5, 4)).toBe('100%');
    expect(formatPercent(5, undefined)).toBeUndefined();
    expect(formatPercent(5, 0)).toBeUndefined();
  });

  it('drops sub-second digits from log times', () => {
    expect(formatLogTime('2026-11-23T09:30:01.234Z')).toBe('2026-11-23T09:30:01Z');
  });

  it('removes CSI, OSC and lone control characters, keeping the text', () => {
    expect(printable('\u001b[1;31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007 bell\u0007 cr\r del\u007f c1\u009b2Jdone\ttab')).toBe('red link bell cr del c1done  tab');
  });
});
