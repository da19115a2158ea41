// The language server's latency on a 1,000-line script (goal: diagnostics within 50 ms of a
// change): a change sent over JSON-RPC to the server (in-process, in-memory streams, as in
// test/lsp) until its publishDiagnostics arrives; completion and hover at the end of the
// script; the re-check of 10 open scripts that import a changed file (goal: under 200 ms until
// the last of them has its diagnostics); and, as the peer, `stillpoint check` on the same file
// as its own process, which is what an editor without a language server runs on save.
//
//   node bench/lsp.ts
//
// Prints a markdown table and writes it to bench/results/lsp.md.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlanFromText } from '../src/plan/load.ts';
import { startServer } from '../test/lsp/client.ts';
import { machineNote, median } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const WARM_UP = 10;
const CHANGES = 60;
const CHECK_RUNS = 10;
const IMPORTERS = 10;
const machine = machineNote();

/** About `lines` lines of jobs with volumes, writers, hooks with raw blocks, targets and lets; `variant` changes one value. */
function script(lines: number, variant: number): string {
  const out = ['# generated for bench/lsp.ts', `let keep_days = ${7 + (variant % 5)}`, 'let base = env("BACKUP_ROOT") ?? "/mnt/backup"', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `job "app-${i}" {`,
      `  let dir = path(base, "app-${i}")`,
      `  volume "/srv/app-${i}" { exclude "tmp/**", "**/*.log" }`,
      '  providers btrfs, copy',
      '  quiesce { idle 2s  within 1m }',
      `  writer "db" sqlite "/srv/app-${i}/app.db" { timeout 30s }`,
      '  hook before-snapshot {',
      '    sh {',
      `      systemctl reload app-${i} || true`,
      '    }',
      '    timeout 2m',
      '  }',
      `  hook after-backup run "logger", "app-${i} done"`,
      '  target tree dir { keep last 16, daily keep_days, weekly 4 }',
      '  schedule "30 23 * * 1-5"',
      '}',
      '',
    );
  }
  return `${out.join('\n')}\n`;
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-bench-lsp-'));
try {
  const file = join(dir, 'big.still');
  const text = script(1000, 0);
  writeFileSync(file, text);
  const lines = text.split('\n').length - 1;
  const uri = pathToFileURL(file).href;

  const client = await startServer();
  const opened = await client.open(uri, text);
  const errors = opened.diagnostics.filter((d) => d.severity === 1);
  if (errors.length > 0) throw new Error(`the generated script has errors: ${errors[0]!.message}`);

  const diagnostics: number[] = [];
  const diagnosticsCpu: number[] = [];
  for (let i = 1; i <= WARM_UP + CHANGES; i++) {
    const changed = script(1000, i);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await client.change(uri, changed);
    if (i <= WARM_UP) continue;
    diagnostics.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    diagnosticsCpu.push((used.user + used.system) / 1000);
  }
  // Ten open scripts of about 200 lines that import one shared file: a change to the shared
  // file (unsaved) until every importer has its new diagnostics.
  const shared = (variant: number) => `let base = env("BACKUP_ROOT") ?? "/mnt/backup"\nlet keep_days = ${7 + (variant % 5)}\ndefaults {\n  freeze-timeout 10s\n  hook on-error run "logger", "failed"\n}\n`;
  const sharedUri = pathToFileURL(join(dir, 'shared.still')).href;
  writeFileSync(join(dir, 'shared.still'), shared(0));
  await client.open(sharedUri, shared(0));
  const importers = Array.from({ length: IMPORTERS }, (_, i) => pathToFileURL(join(dir, `importer-${i}.still`)).href);
  for (const importerUri of importers) {
    const importerText = `import "shared.still"\n${script(200, 0).replace(/^let (keep_days|base) = .*$/gm, '')}`;
    const published = await client.open(importerUri, importerText);
    const importerErrors = published.diagnostics.filter((d) => d.severity === 1);
    if (importerErrors.length > 0) throw new Error(`a generated importer has errors: ${importerErrors[0]!.message}`);
  }
  const importerChecks: number[] = [];
  for (let i = 1; i <= WARM_UP + CHANGES; i++) {
    const start = performance.now();
    const all = Promise.all(importers.map((u) => client.nextDiagnostics(u)));
    await client.change(sharedUri, shared(i));
    await all;
    if (i > WARM_UP) importerChecks.push(performance.now() - start);
  }

  const last = text.split('\n').length - 2;
  const completion: number[] = [];
  const hover: number[] = [];
  for (let i = 0; i < 20; i++) {
    let start = performance.now();
    await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: last - 3, character: 2 } });
    completion.push(performance.now() - start);
    start = performance.now();
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: last - 4, character: 30 } });
    hover.push(performance.now() - start);
  }
  client.close();

  // The loader alone, without the server and the protocol: what any change costs at least.
  const load: number[] = [];
  const loadCpu: number[] = [];
  for (let i = 1; i <= WARM_UP + CHANGES; i++) {
    const changed = script(1000, i);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await loadPlanFromText(file, changed);
    if (i <= WARM_UP) continue;
    load.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    loadCpu.push((used.user + used.system) / 1000);
  }

  const check: number[] = [];
  for (let i = 0; i < CHECK_RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, [join(ROOT, 'bin/stillpoint.js'), 'check', file], { encoding: 'utf8' });
    check.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`stillpoint check failed: ${result.stdout}${result.stderr}`);
  }

  const rows = [
    ['diagnostics after a change (didChange → publishDiagnostics)', diagnostics, `goal: under 50 ms; ${median(diagnostics) < 50 ? 'met' : 'NOT met'} in wall time`],
    ['the same, CPU time of the process (server and client)', diagnosticsCpu, `what the change costs without waiting for a core; ${median(diagnosticsCpu) < 50 ? 'under' : 'over'} 50 ms`],
    ['the loader alone (`loadPlanFromText`, in-process, no server)', load, 'the part of a change that is parse and evaluation'],
    ['the loader alone, CPU time', loadCpu, ''],
    [`re-check of ${IMPORTERS} open importers after a change in the file they import`, importerChecks, `goal: under 200 ms; ${median(importerChecks) < 200 ? 'met' : 'NOT met'} in wall time`],
    ['completion at a statement start', completion, ''],
    ['hover on a `let` name (evaluated value)', hover, ''],
    ['peer: `stillpoint check` as a process (what runs on save without a server)', check, ''],
  ] as const;
  const table = [
    `Script: ${lines} lines (${Math.round(lines / 17)} jobs). ${CHANGES} changes after ${WARM_UP} warm-up changes, ${CHECK_RUNS} check runs.`,
    '',
    machine(),
    '',
    '| measurement | median | p95 | ratio to check | note |',
    '|---|---:|---:|---:|---|',
    ...rows.map(([name, xs, note]) => `| ${name} | ${ms(median(xs))} | ${ms(p95(xs))} | ${(median(xs) / median(check)).toFixed(3)} | ${note} |`),
  ].join('\n');
  const doc = [
    '# Language server latency (bench/lsp.ts)',
    '',
    'Run with `node bench/lsp.ts`. The server runs in the benchmark\'s process, spoken to over in-memory',
    'streams by a JSON-RPC client, so each figure includes the protocol round trip. Each change replaces',
    'the whole text (full sync) and the server re-runs the loader of `stillpoint check` on it (parse,',
    'evaluate, validate). The p95 column shows how much the figures vary within the run.',
    '',
    table,
    '',
  ].join('\n');
  console.log(table);
  writeFileSync(join(ROOT, 'bench/results/lsp.md'), doc);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
