// A copied file is created with its final mode, and chown and chmod run only where creation
// did not already give the source's owner and mode (issue #18: two syscalls fewer per file).
// Counted with strace in a child process, under the umask and default ACL each case sets;
// the result is compared with the source whatever the count.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { tempDir, writeTree } from '../targets/tree/fixture.ts';

const SAME_AS_CREATED = 20;

/**
 * Runs one tree-target write under `umask`, traced; returns the fchmod and fchown calls made on
 * the files the copy created (open with O_EXCL): a reflink attempt's copy, which Node creates
 * and chowns on its own before the filesystem refuses it, is not one of them.
 */
function tracedWrite(umask: string, target: string, source: string): { fchmod: number; fchown: number } {
  using trace = tempDir('strace');
  const log = join(trace.path, 'log');
  const child = join(import.meta.dirname, '../targets/tree/write-child.ts');
  // -ff: a log per thread, so that no call is split by another thread's.
  const script = `umask ${umask} && exec strace -ff -qq -e trace=openat,fchmod,fchown -o "$0" "$@"`;
  execFileSync('sh', ['-c', script, log, process.execPath, child, target, source], { stdio: ['ignore', 'pipe', 'pipe'] });
  const calls = { fchmod: 0, fchown: 0 };
  for (const name of readdirSync(trace.path)) {
    const created = new Set<string>();
    for (const line of readFileSync(join(trace.path, name), 'utf8').split('\n')) {
      const open = /^openat\(.*\) = (\d+)$/.exec(line);
      if (open && line.includes('O_EXCL') && line.includes(target)) created.add(open[1]!);
      else if (open) created.delete(open[1]!);
      const call = /^(fchmod|fchown)\((\d+),.*= 0$/.exec(line);
      if (call && created.has(call[2]!)) calls[call[1] as 'fchmod' | 'fchown']++;
    }
  }
  return calls;
}

function modesAndOwners(dir: string): Record<string, [number, number, number]> {
  return Object.fromEntries(readdirSync(dir).map((name) => {
    const stat = lstatSync(join(dir, name));
    return [name, [stat.mode & 0o7777, stat.uid, stat.gid]];
  }));
}

function snapshotFolder(target: string): string {
  const snapshot = readdirSync(target).find((name) => !name.startsWith('.'))!;
  const volume = readdirSync(join(target, snapshot)).find((name) => !name.endsWith('.json') && !name.endsWith('.ndjson'))!;
  return join(target, snapshot, volume);
}

describeWith('tree target: files are created with their mode and owner', [linux(), root(), command('strace'), command('setfacl')], () => {
  function source(dir: string): void {
    const files: Record<string, string> = { 'group-writable': 'g', 'setuid-tool': '#!/bin/sh\n', 'owned-by-other': 'o', private: 'p' };
    for (let i = 0; i < SAME_AS_CREATED; i++) files[`plain-${i}`] = `file ${i}`;
    writeTree(dir, files);
    for (let i = 0; i < SAME_AS_CREATED; i++) chmodSync(join(dir, `plain-${i}`), 0o644);
    chmodSync(join(dir, 'group-writable'), 0o664);
    chmodSync(join(dir, 'setuid-tool'), 0o4755);
    chmodSync(join(dir, 'private'), 0o600);
    chmodSync(join(dir, 'owned-by-other'), 0o644);
    chownSync(join(dir, 'owned-by-other'), 1234, 5678);
  }

  it('skips chmod and chown where creation gave them, and still sets what the umask took or another owner', () => {
    using src = tempDir('src');
    using target = tempDir('dst');
    source(src.path);
    const calls = tracedWrite('022', target.path, src.path);
    expect(modesAndOwners(snapshotFolder(target.path))).toEqual(modesAndOwners(src.path));
    // 0664 loses g+w to the umask and 04755 has a set-uid bit creation never gives; the
    // other owner needs its chown (and the chown clears nothing: 0644 has no set-id bit).
    expect(calls).toEqual({ fchmod: 2, fchown: 1 });
  });

  it('keeps every mode under a umask that takes more, and under a default ACL on the target', () => {
    using src = tempDir('src');
    using strict = tempDir('dst');
    using acl = tempDir('dst');
    source(src.path);
    const underUmask = tracedWrite('077', strict.path, src.path);
    expect(modesAndOwners(snapshotFolder(strict.path))).toEqual(modesAndOwners(src.path));
    // Only `private` (0600) is what a 077 umask lets a new file have.
    expect(underUmask.fchmod).toBe(SAME_AS_CREATED + 3);

    // A default ACL replaces the umask: new files get group and other read only through its mask.
    execFileSync('setfacl', ['-d', '-m', 'u::rwx,g::r-x,o::---,m::r-x', acl.path]);
    const underAcl = tracedWrite('000', acl.path, src.path);
    expect(modesAndOwners(snapshotFolder(acl.path))).toEqual(modesAndOwners(src.path));
    expect(underAcl.fchmod).toBe(SAME_AS_CREATED + 3);
  });
});
