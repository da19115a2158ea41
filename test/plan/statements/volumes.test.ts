import { describe, expect, it } from 'vitest';
import { job } from '../helpers.ts';
import { emptyParts } from '../../../src/plan/job-parts.ts';
import { volumeStatement, volumesStatement } from '../../../src/plan/statements/volumes.ts';
import { statementOf } from '../unit.ts';

describe('volume and volumes', () => {
  it('reads volumes with their own globs and job-wide globs', async () => {
    const j = await job(`job j {\n  volume "/srv" {\n    exclude "tmp/**", "*.log"\n    include "tmp/keep/**"\n  }\n  exclude "**/.cache/**"\n  include ["a", "b"]\n  provider copy\n  target tree "/b"\n}`);
    expect(j.volumes[0]).toMatchObject({ path: '/srv', exclude: ['tmp/**', '*.log'], include: ['tmp/keep/**'] });
    expect(j.exclude).toEqual(['**/.cache/**']);
    expect(j.include).toEqual(['a', 'b']);
  });
});

describe('volumeStatement and volumesStatement on their own', () => {
  it('resolves volumes against the script folder and keeps a volume its own globs', () => {
    const one = statementOf('  volume "data" {\n    exclude "*.tmp"\n  }');
    const parts = emptyParts();
    volumeStatement(one.ev, one.setting, one.spec, one.ctx, parts);
    const many = statementOf('  volumes "/a", "b"');
    volumesStatement(many.ev, many.setting, many.spec, many.ctx, parts);
    expect(parts.volumes.map((v) => [v.plan.path, v.plan.exclude])).toEqual([['/scripts/data', ['*.tmp']], ['/a', []], ['/scripts/b', []]]);
  });
});
