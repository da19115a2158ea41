import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processState, procStatFields } from '../../src/base/proc-stat.ts';

describe('procStatFields', () => {
  it('reads the fields after the command name, which may hold spaces and parentheses', () => {
    expect(procStatFields('4242 (a) (b c) S 1 4200 4200 0 -1').slice(0, 3)).toEqual(['S', '1', '4200']);
  });

  it.runIf(process.platform === 'linux')('reads the state and parent of this very process', () => {
    const fields = procStatFields(readFileSync('/proc/self/stat', 'utf8'));
    expect(fields[0]).toMatch(/^[RS]$/);
    expect(Number(fields[1])).toBe(process.ppid);
  });

  it.runIf(process.platform === 'linux')('gives the state of a live process, and none for a pid that is gone', () => {
    expect(processState(process.pid)).toMatch(/^[RS]$/);
    expect(processState(2 ** 22 + 1)).toBeUndefined();
  });
});
