import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WriterPlan } from '../../src/plan/types.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { createWriter } from '../../src/writers/index.ts';
import { WriterVeto } from '../../src/writers/writer.ts';
import { writerContext } from './context.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plan(steps: Omit<Extract<WriterPlan, { kind: 'command' }>, 'kind' | 'name' | 'timeoutMs' | 'stallTimeoutMs' | 'required' | 'origin'>, timeoutMs = 5000, stallTimeoutMs = 5000) {
  return { kind: 'command' as const, name: 'app', timeoutMs, stallTimeoutMs, required: true, origin: 't.still:3:5', ...steps };
}

describe('command writer', () => {
  it('runs each step with the hook environment, argv without a shell and strings through sh', async () => {
    const log = join(dir, 'steps.log');
    const writer = await createWriter(
      plan({
        prepare: { shell: `echo "prepare $STILLPOINT_JOB $STILLPOINT_STAGE" >> ${log}` },
        freeze: { argv: ['sh', '-c', `echo "freeze $1" >> ${log}`, 'sh', 'a b'] },
        thaw: { shell: `echo thaw >> ${log}` },
        postSnapshot: { shell: `echo post >> ${log}` },
        backupComplete: { shell: `echo complete >> ${log}` },
      }),
      new SecretStore(),
    );
    const context = writerContext({ env: { STILLPOINT_JOB: 'ledger', STILLPOINT_STAGE: 'BEFORE_SNAPSHOT' } });
    await writer.prepareBackup(context, undefined);
    await writer.freeze(context);
    await writer.thaw(context);
    await writer.postSnapshot(context);
    await writer.backupComplete(context, undefined);
    expect(readFileSync(log, 'utf8')).toBe('prepare ledger BEFORE_SNAPSHOT\nfreeze a b\nthaw\npost\ncomplete\n');
    expect((await writer.identify(context)).subject).toMatch(/^prepare: .*; freeze: sh -c .* sh 'a b'; thaw: /);
  });

  it('vetoes on a non-zero exit in prepare or freeze, naming the writer, the step and the output', async () => {
    const writer = await createWriter(plan({ prepare: { shell: 'echo busy >&2; exit 3' }, freeze: { shell: 'exit 1' }, thaw: { shell: 'exit 2' } }), new SecretStore());
    const prepare = await writer.prepareBackup(writerContext(), undefined).catch((e: unknown) => e);
    expect(prepare).toBeInstanceOf(WriterVeto);
    expect(prepare).toMatchObject({ writer: 'app', step: 'prepare', message: expect.stringMatching(/exited with code 3: busy/) });
    await expect(writer.freeze(writerContext())).rejects.toBeInstanceOf(WriterVeto);
    const thaw = await writer.thaw(writerContext()).catch((e: unknown) => e);
    expect(thaw).toBeInstanceOf(Error);
    expect(thaw).not.toBeInstanceOf(WriterVeto);
  });

  it('kills a step that outlives the writer timeout (a failure, not a veto)', async () => {
    const writer = await createWriter(plan({ freeze: { shell: 'sleep 30' } }, 200), new SecretStore());
    const started = performance.now();
    const error = await writer.freeze(writerContext()).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(error).not.toBeInstanceOf(WriterVeto);
    expect((error as Error).message).toMatch(/freeze command \(sleep 30\) timed out after 200 ms/);
  });

  it('stops a step that makes no progress at its stall-timeout (a failure, not a veto)', async () => {
    const writer = await createWriter(plan({ freeze: { shell: 'echo pausing; sleep 30' } }, 60_000, 300), new SecretStore());
    const started = performance.now();
    const error = await writer.freeze(writerContext()).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).not.toBeInstanceOf(WriterVeto);
    expect((error as Error).message).toMatch(/freeze command \(echo pausing; sleep 30\) made no progress for 300ms \(stall-timeout: no output, no data read or written\) and was stopped: pausing/);
  });

  it('reveals a secret argument only to the step and keeps it out of messages', async () => {
    const secrets = new SecretStore();
    const token = secrets.add('tok-123456');
    const writer = await createWriter(plan({ freeze: { argv: ['sh', '-c', 'echo "$1"; exit 1', 'sh', token] } }), secrets);
    const error = (await writer.freeze(writerContext()).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('tok-123456');
    expect(error.message).toContain('***');
  });
});
