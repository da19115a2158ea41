// COM security is process-wide and set once: when something in the process set it first, too
// weak for writers to call back, Stillpoint warns, and require-writer catches the writers'
// absence. Runs in a child process so that its weak security stays there.

import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux } from '../../support/requirements.ts';
import { DOUBLE_LIBRARY, buildDouble, mingwHeaders, useDouble } from './double.ts';

describeWith('COM security set too weak by someone else in the process', [linux(), command('gcc', 'apt-get install gcc'), mingwHeaders()], () => {
  beforeAll(() => buildDouble(), 120_000);

  it('warns that writers may not report back, and require-writer catches their absence', async () => {
    const double = await useDouble({ writers: [['Stable Writer', 'stable']] });
    try {
      const root = join(double.root, 'volume');
      mkdirSync(root);
      const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, 'fixtures', 'weak-security.ts'), DOUBLE_LIBRARY, root], { env: process.env });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as { warnings: string[]; error: string | null };
      expect(result.warnings).toContain('COM security was already set in this process; VSS writers may be unable to report back');
      expect(result.error).toMatch(/required writer "Stable Writer" is not on this machine: VSS reported no writers at all/);
    } finally {
      await double.dispose();
    }
  });
});
