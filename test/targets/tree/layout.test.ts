import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { posix } from 'node:path';
import { below, compareNames, comparePaths, compareSnapshotNames, parseSnapshotName, snapshotBaseName, volumeFolder } from '../../../src/targets/tree/layout.ts';

describe('tree layout', () => {
  it('names snapshots by UTC second and orders same-second runs by their sequence', () => {
    expect(snapshotBaseName(new Date('2026-11-23T09:26:51.999Z'))).toBe('2026-11-23T092651Z');
    const names = ['2026-11-23T092651Z-10', '2026-11-23T092651Z', '2026-11-23T092652Z', '2026-11-23T092651Z-02'];
    expect(names.sort(compareSnapshotNames)).toEqual(['2026-11-23T092651Z', '2026-11-23T092651Z-02', '2026-11-23T092651Z-10', '2026-11-23T092652Z']);
    expect(parseSnapshotName('2026-13-01T000000Z')).toBeUndefined();
    expect(parseSnapshotName('.partial-2026-11-23T092651Z')).toBeUndefined();
  });

  it('gives each volume root a stable folder name that no other root shares', () => {
    expect(volumeFolder('/home')).toBe('home');
    expect(volumeFolder('/home/')).toBe('home');
    expect(volumeFolder('/srv/data')).toBe('srv%2Fdata');
    expect(volumeFolder('/')).toBe('%2F');
    expect(volumeFolder('/a_b%c')).toBe('a_b%25c');
    fc.assert(
      fc.property(fc.stringMatching(/^\/[a-z/%_ ]{1,12}$/), fc.stringMatching(/^\/[a-z/%_ ]{1,12}$/), (a, b) => {
        // One path, however many slashes it is written with ("//srv" is "/srv" on Linux).
        const norm = (p: string) => posix.normalize(p).replace(/\/+$/, '') || '/';
        if (norm(a) !== norm(b)) expect(volumeFolder(a)).not.toBe(volumeFolder(b));
      }),
    );
  });

  it('orders paths like a pre-order walk with sorted names', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('a', 'a-b', 'b', 'B', 'a.b', 'é'), { minLength: 1, maxLength: 3 }), { maxLength: 30 }), (lists) => {
        // Build the tree, walk it depth-first with sorted children, and compare with the sort.
        const tree = new Map<string, Set<string>>();
        const all = new Set<string>();
        for (const parts of lists) {
          for (let i = 0; i < parts.length; i++) {
            const parent = parts.slice(0, i).join('/');
            if (!tree.has(parent)) tree.set(parent, new Set());
            tree.get(parent)!.add(parts[i]!);
            all.add(parts.slice(0, i + 1).join('/'));
          }
        }
        const walked: string[] = [];
        const visit = (dir: string) => {
          for (const name of [...(tree.get(dir) ?? [])].sort(compareNames)) {
            const path = dir ? `${dir}/${name}` : name;
            walked.push(path);
            visit(path);
          }
        };
        visit('');
        expect([...all].sort(comparePaths)).toEqual(walked);
      }),
    );
  });

  it('compares two paths as their components compare, one by one (the definition, against the implementation that does not split)', () => {
    const byComponents = (a: string, b: string): number => {
      const ca = a.split('/');
      const cb = b.split('/');
      for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! < cb[i]! ? -1 : 1;
      return ca.length - cb.length;
    };
    const path = fc.array(fc.constantFrom('a', 'ab', 'a-b', 'a.b', 'a b', 'b', 'B', 'é', '😀', 'a0'), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(path, path, (a, b) => {
        expect(Math.sign(comparePaths(a, b))).toBe(Math.sign(byComponents(a, b)));
        expect(Math.sign(comparePaths(a, a))).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('below', () => {
  it('gives what posix.join() gives for a normalized folder and names from readdir', () => {
    for (const [dir, rel] of [['/', 'etc'], ['/', ''], ['/srv/data', ''], ['/srv/data', 'a/b c/d'], ['/srv/data/', 'x'], ['/srv', '..x/.y']]) {
      expect(below(dir!, rel!), `${dir} + ${rel}`).toBe(posix.join(dir!, rel!));
    }
  });
});
