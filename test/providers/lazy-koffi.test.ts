// koffi (a native addon) must load only when a provider touches a volume, not when the
// registry is imported or the copy provider is used: `check`/`plan` import the registry.

import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeWith, linux } from '../support/requirements.ts';

const registry = new URL('../../src/providers/index.ts', import.meta.url).href;
const ioctl = new URL('../../src/providers/linux/ioctl.ts', import.meta.url).href;

describeWith('koffi loads lazily', [linux()], () => {
  it('is not loaded by the registry, the copy provider or loading btrfs, and is by the first system call', () => {
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ resolve(specifier, context, next) { if (specifier === 'koffi') loaded.push(specifier); return next(specifier, context); } });
      const { loadProvider } = await import(${JSON.stringify(registry)});
      const copy = await loadProvider('copy');
      await copy.probe({ name: 'tmp', root: '/tmp' }, { name: 'copy', retries: 0, retryDelayMs: 0, origin: 'x' });
      await loadProvider('btrfs');
      await loadProvider('fsfreeze');
      const before = loaded.length;
      const { openDirectory } = await import(${JSON.stringify(ioctl)});
      (await openDirectory('/tmp')).close();
      console.log(JSON.stringify({ before, after: loaded.length }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: 0, after: 1 });
  });
});
