// `stillpoint --version` names the package's version and the Node.js that runs it: the
// installed package runs on whichever Node comes first on the PATH.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCli } from '../engine/support/cli.ts';

describe('stillpoint --version', () => {
  it('prints the package version and the Node.js version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const { code, stdout } = await startCli(['--version']).done;
    expect(code).toBe(0);
    expect(stdout).toBe(`stillpoint ${version} (Node.js ${process.version})\n`);
  });

  it('prints the same line for -V, which the command line itself answers (--version is answered before it loads)', async () => {
    const long = await startCli(['--version']).done;
    const short = await startCli(['-V']).done;
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
  });
});
