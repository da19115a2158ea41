import { describe, expect, it } from 'vitest';
import { HOOK_STAGES, MONITOR_KINDS, PROVIDERS, TARGET_KINDS, WRITER_KINDS } from '../../src/language/catalog.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { evalText } from './helpers.ts';

interface Schema {
  $defs: Record<string, { oneOf?: { properties: Record<string, { const?: string }> }[]; properties: Record<string, { enum?: string[] }> }>;
}

// Every statement kind at once, so that each branch of the schema is exercised by a real plan.
const EVERYTHING = `let pw = secret(env("PW") ?? "x")
job everything {
  volume "/srv" { exclude "tmp/**"  include "tmp/keep/**" }
  volumes "/a", "/b"
  exclude "*.log"
  include "keep.log"
  exclude-system-files false
  one-file-system false
  ignore-read-errors true
  backup-type incremental
  provider vss { context backup  include-writer "A"  exclude-writer "B"  require-writer "C"  provider-id "{b5946137-7b9f-4925-af80-51abd60b20d5}"  timeout 5m }
  providers wmi, btrfs, zfs, fsfreeze
  provider lvm { size 10% }
  provider copy { retries 3  retry-delay 1s }
  quiesce { idle 2s  within 1m  on-timeout fail }
  freeze-timeout 15s
  snapshot-timeout 5m
  writer "s" sqlite "/srv/app.db" { timeout 10s  required false }
  writer "p" postgres "postgres://u:\${pw}@db/app" { backup-mode true }
  writer "q" process { pid-file "/run/app.pid" }
  writer "c" command { prepare ["sync"]  freeze "fsfreeze -f /srv"  thaw "fsfreeze -u /srv"  post-snapshot "true"  backup-complete ["logger", "done"] }
  hook before-backup run "echo", pw
  hook during-freeze sh { gcloud compute disks snapshot d }
  hook after-snapshot { run "rsync", snapshot_paths  cwd "/tmp"  allow-failure  timeout 1m  env TOKEN = pw }
  hook-env r-drive
  target tree "/b" { keep last 3, daily 7, weekly 4, monthly 6 }
  target restic "/repo" { password pw  tags "t"  args "--verbose"  keep last 2 }
  target exec "rsync" { args "-a", snapshot_paths, "/nas" }
  schedule "30 23 * * 1-5"
  monitor healthchecks "https://hc.invalid/ping/x"
  monitor webhook "https://hooks.invalid/x" { on failure, partial }
  monitor textfile "/var/lib/node_exporter/stillpoint.prom"
}`;

describe('plan.schema.json', () => {
  it('accepts a plan that uses every statement', async () => {
    const result = await evalText(EVERYTHING, { env: { PW: 'pw' } });
    expect(result.diagnostics).toEqual([]);
    expect(await validatePlan(JSON.parse(JSON.stringify(result.plan)))).toEqual([]);
  });

  it('rejects a plan with an unknown field, a wrong type or a missing field, saying where', async () => {
    const result = await evalText(EVERYTHING, { env: { PW: 'pw' } });
    const plan = JSON.parse(JSON.stringify(result.plan));
    plan.jobs[0].freezeTimeout = 5;
    expect(await validatePlan(plan)).toContain('/jobs/0: must NOT have additional properties (freezeTimeout)');
    const wrongType = JSON.parse(JSON.stringify(result.plan));
    wrongType.jobs[0].freezeTimeoutMs = '10s';
    expect(await validatePlan(wrongType)).toContain('/jobs/0/freezeTimeoutMs: must be integer');
    const missing = JSON.parse(JSON.stringify(result.plan));
    delete missing.runId;
    expect(await validatePlan(missing)).toContain("/: must have required property 'runId'");
  });

  it('names the same providers, writer kinds, target kinds and hook stages as the catalog', async () => {
    const schema = (await import('../../src/plan/plan.schema.json', { with: { type: 'json' } })).default as unknown as Schema;
    const branches = (name: string, key: string) => schema.$defs[name]!.oneOf!.map((b) => b.properties[key]!.const);
    expect(branches('provider', 'name')).toEqual(PROVIDERS.map((p) => p.name));
    expect(branches('writer', 'kind')).toEqual(WRITER_KINDS.map((w) => w.name));
    expect(branches('target', 'kind')).toEqual(TARGET_KINDS.map((t) => t.name));
    expect(schema.$defs['hook']!.properties['stage']!.enum).toEqual(HOOK_STAGES.map((h) => h.name));
    expect(schema.$defs['monitor']!.properties['kind']!.enum).toEqual(MONITOR_KINDS.map((m) => m.name));
  });
});
