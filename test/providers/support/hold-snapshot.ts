// A stand-in for a Stillpoint run that gets killed: it creates a snapshot set through a real
// provider, says so on stdout, and then never releases it. The test kills it (SIGKILL) and
// checks what is left behind.
//
//   node hold-snapshot.ts '<json>'   json: { provider, volumes, options, job, runId,
//                                            freezeTimeoutMs, during: 'wait' | 'block' }
// during (fsfreeze): 'wait' keeps the event loop alive while frozen, 'block' blocks it (a hung
// Stillpoint), so that only the watchdog can thaw.

import { loadProvider } from '../../../src/providers/index.ts';
import type { ProviderName, ProviderPlan } from '../../../src/plan/types.ts';
import type { VolumeInfo } from '../../../src/providers/provider.ts';
import { snapshotContext } from './context.ts';

interface HoldRequest {
  provider: ProviderName;
  volumes: VolumeInfo[];
  options: ProviderPlan;
  job: string;
  runId: string;
  freezeTimeoutMs: number;
  during: 'wait' | 'block';
}

// Alive until killed: a pending promise alone does not keep Node running.
setInterval(() => {}, 60_000);

const request = JSON.parse(process.argv[2]!) as HoldRequest;
const provider = await loadProvider(request.provider);
const context = snapshotContext({
  job: request.job,
  runId: request.runId,
  freezeTimeoutMs: request.freezeTimeoutMs,
  runDuringFreezeHooks: async () => {
    process.stdout.write('frozen\n');
    if (request.during === 'block') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
    await new Promise(() => {});
  },
});
const set = await provider.createSnapshotSet(request.volumes, request.options, context);
process.stdout.write(`created ${JSON.stringify(set.snapshots)}\n`);
