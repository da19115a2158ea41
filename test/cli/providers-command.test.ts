import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providersCommand } from '../../src/cli/providers-command.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-providers-'));
  await mkdir(join(dir, 'data'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probe(body: string, json = false): Promise<{ code: number; text: string }> {
  const file = join(dir, 'p.still');
  await writeFile(file, `job "probe" {\n${body}\n  target tree '${join(dir, 'out')}'\n}\n`);
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await providersCommand(file, { json }, out);
  return { code, text };
}

describe('stillpoint providers', () => {
  it('says, for each volume and provider, available or why not, and marks the one a run chooses', async () => {
    const { code, text } = await probe(`  volume '${join(dir, 'data')}'\n  providers btrfs, copy`);
    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines[0]).toBe('job "probe"');
    expect(lines[1]).toMatch(new RegExp(`^  volume ${join(dir, 'data')} \\(`));
    expect(lines[2]).toMatch(/^ {4}btrfs {2}not available: .*btrfs/);
    expect(lines[3]).toBe('    copy   available  <- a run chooses this one');
  });

  it('exits 1 and names the volume when a volume does not exist or no provider takes it', async () => {
    const missing = join(dir, 'missing');
    const { code, text } = await probe(`  volumes '${missing}', '${join(dir, 'data')}'\n  provider btrfs`);
    expect(code).toBe(1);
    expect(text).toContain(`volume ${missing}: volume "${missing}" does not exist`);
    expect(text).toContain('no provider can snapshot this volume');
  });

  it('prints the probes as JSON with --json', async () => {
    const { text } = await probe(`  volume '${join(dir, 'data')}'\n  providers btrfs, copy`, true);
    const rows = JSON.parse(text);
    expect(rows).toEqual([
      expect.objectContaining({
        job: 'probe',
        volume: join(dir, 'data'),
        providers: [expect.objectContaining({ provider: 'btrfs', available: false, chosen: false }), { provider: 'copy', available: true, chosen: true }],
      }),
    ]);
  });
});
