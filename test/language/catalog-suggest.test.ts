import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from '../../src/language/suggest.ts';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions, and a swap of neighbours as one', () => {
    expect(editDistance('btrfs', 'btrfs')).toBe(0);
    expect(editDistance('btrf', 'btrfs')).toBe(1);
    expect(editDistance('btrfs', 'btrfz')).toBe(1);
    expect(editDistance('bfrts', 'btrfs')).toBe(2);
    expect(editDistance('brtfs', 'btrfs')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('suggest', () => {
  const stages = ['before-backup', 'before-snapshot', 'during-freeze', 'after-snapshot', 'after-backup', 'on-error'];

  it('finds the closest word within a third of the length', () => {
    expect(suggest('befor-backup', stages)).toBe('before-backup');
    expect(suggest('after-snapshto', stages)).toBe('after-snapshot');
    expect(suggest('ON-ERROR', stages)).toBe('on-error');
  });

  it('suggests nothing for a word that is not a likely typo', () => {
    expect(suggest('cleanup', stages)).toBeUndefined();
    expect(suggest('x', ['vss', 'zfs'])).toBeUndefined();
  });

  it('takes a word that is the start of a candidate', () => {
    expect(suggest('snapshot', ['snapshot-timeout', 'schedule'])).toBe('snapshot-timeout');
  });

  it('phrases the hint for a diagnostic detail', () => {
    expect(didYouMean('zfz', ['zfs', 'lvm'])).toBe(' Did you mean `zfs`?');
    expect(didYouMean('qqq', ['zfs', 'lvm'])).toBe('');
  });
});
