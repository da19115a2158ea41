// The language's speed: parse + evaluate + validate a generated 5,000-line script (goal: median
// under 100 ms after warm-up), and `stillpoint check` on a small file as a whole process
// (goal: under 300 ms median), next to `node -e 0`, the floor any Node CLI pays.
//
//   node bench/language.ts
//
// Prints a markdown table and writes it to bench/results/language.md.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from '../src/language/parse.ts';
import { loadPlanFromText } from '../src/plan/load.ts';
import { validatePlan } from '../src/plan/validate.ts';
import { machineNote, median, timeOnce } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const machine = machineNote();

/** A realistic script of about `lines` lines: many jobs with lets, ifs, hooks, writers, targets. */
function generateScript(lines: number): string {
  const out = ['# generated for bench/language.ts', 'let root = env("BACKUP_ROOT") ?? "/mnt/backup"', 'let pw = secret(env("RESTIC_PASSWORD"))', ''];
  out.push('defaults {', '  providers btrfs, copy', '  exclude "**/*.tmp", "**/.cache/**"', '  freeze-timeout 15s', '  schedule "0 1 * * *"', '}', '');
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `job "service-${i}" {`,
      `  volume "/srv/service-${i}" {`,
      '    exclude "tmp/**", "cache/**"',
      '    include "tmp/keep/**"',
      '  }',
      '  quiesce {',
      '    idle 2s',
      '    within 1m',
      '  }',
      `  writer "db-${i}" sqlite "/srv/service-${i}/data.db"`,
      `  writer "pg-${i}" postgres "postgres://backup:\${pw}@db-${i}/app" {`,
      '    backup-mode true',
      '  }',
      '  if platform == "linux" and not (hostname == "build") {',
      `    hook before-backup run "systemctl", "start", "service-${i}-maintenance"`,
      '  } else {',
      '    hook before-backup run "true"',
      '  }',
      '  hook after-snapshot run "logger", "snapshot", snapshot_paths',
      '  hook after-backup {',
      '    sh {',
      '      logger "job ${STILLPOINT_JOB}: ${STILLPOINT_STATUS}"',
      '    }',
      '    allow-failure',
      '  }',
      '  target tree path(root, hostname, job, date("yyyy")) {',
      '    keep last 14, daily 7, weekly 4',
      '  }',
      `  target restic "/mnt/restic/${i}" {`,
      '    password pw',
      '    tags "bench", job',
      '  }',
      '}',
      '',
    );
  }
  return out.join('\n');
}

/** Median wall time and median CPU time (this process, all threads) of `fn`, after `warmup` runs. */
async function timeAsync(runs: number, warmup: number, fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await fn();
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** Median wall time and median CPU time of running `node args` as a whole process. */
function timeProcess(runs: number, args: string[], extraEnv: Record<string, string> = {}): { wall: number; cpu: number } {
  const options = { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...extraEnv } };
  timeOnce([process.execPath, ...args], options); // warm the file cache (and the compile cache, when given)
  const times = Array.from({ length: runs }, () => timeOnce([process.execPath, ...args], options));
  return { wall: median(times.map((t) => t.wall)), cpu: median(times.map((t) => t.cpu)) };
}

/**
 * Where the start-up CPU time of `check` goes: each stage imported in a fresh process, CPU time
 * per stage, median of `runs` processes.
 */
function startupBreakdown(dir: string, runs: number, extraEnv: Record<string, string> = {}): Record<string, number> {
  const url = (path: string) => pathToFileURL(join(ROOT, path)).href;
  const trivial = join(dir, 'one-line.ts');
  writeFileSync(trivial, 'export const one: number = 1;\n');
  const stages: [string, string][] = [
    ['a one-line .ts file (Node sets up its type stripper)', pathToFileURL(trivial).href],
    ['commander', url('node_modules/commander/esm.mjs')],
    ['src/cli/main.ts and every command module', url('src/cli/main.ts')],
    ['chevrotain (its one-file bundle, through src/language/chevrotain.ts)', url('src/language/chevrotain.ts')],
    ['src/language/parse.ts (lexer, parser)', url('src/language/parse.ts')],
    ['src/plan/load.ts (evaluator, catalog)', url('src/plan/load.ts')],
  ];
  const script = join(dir, 'stages.mjs');
  writeFileSync(
    script,
    [
      'const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };',
      `const stages = ${JSON.stringify(stages)};`,
      'const out = {};',
      'for (const [name, spec] of stages) { const c = cpu(); await import(spec); out[name] = cpu() - c; }',
      `const c = cpu(); const { loadPlan } = await import(${JSON.stringify(url('src/plan/load.ts'))}); await loadPlan(${JSON.stringify(join(ROOT, 'scripts-examples/quickstart.still'))}); out['first loadPlan (parser set-up, parse, evaluate)'] = cpu() - c;`,
      'process.stdout.write(JSON.stringify(out));',
    ].join('\n'),
  );
  const samples: Record<string, number[]> = {};
  for (let i = 0; i < runs + 1; i++) {
    const result = spawnSync(process.execPath, [script], { env: { ...process.env, ...extraEnv }, encoding: 'utf8' });
    if (i === 0) continue; // warms the file cache and the compile cache
    for (const [name, ms] of Object.entries(JSON.parse(result.stdout) as Record<string, number>)) (samples[name] ??= []).push(ms);
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-bench-language-'));
try {
  const text = generateScript(5000);
  const lineCount = text.split('\n').length;
  const file = join(dir, 'big.still');
  writeFileSync(file, text);
  const options = { runId: 'bench', started: new Date('2026-11-23T23:30:00Z'), hostname: 'bench', platform: 'linux' as const, env: { RESTIC_PASSWORD: 'x' } };

  const first = await loadPlanFromText(file, text, options);
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !first.plan) throw new Error(`the generated script has errors: ${errors.map((d) => d.summary).join('; ')}`);
  const jobs = first.plan.jobs.length;
  const problems = await validatePlan(JSON.parse(JSON.stringify(first.plan)));
  if (problems.length) throw new Error(`the plan does not validate: ${problems.join('; ')}`);

  const runs = 20;
  const warmup = 5;
  const parseOnly = await timeAsync(runs, warmup, () => parse(text, file));
  const whole = await timeAsync(runs, warmup, async () => {
    const result = await loadPlanFromText(file, text, options);
    await validatePlan(result.plan);
  });
  const validateOnly = await timeAsync(runs, warmup, () => validatePlan(first.plan));

  const small = 'scripts-examples/quickstart.still';
  const processRuns = 15;
  const floor = timeProcess(processRuns, ['-e', '0']);
  const check = timeProcess(processRuns, ['bin/stillpoint.js', 'check', small]);
  const help = timeProcess(processRuns, ['bin/stillpoint.js', '--version']);
  // Node's on-disk compile cache keeps the type-stripped, compiled modules between runs.
  const cached = timeProcess(processRuns, ['bin/stillpoint.js', 'check', small], { NODE_COMPILE_CACHE: join(dir, 'compile-cache') });

  const plain = startupBreakdown(dir, 7);
  const cachedBreakdown = startupBreakdown(dir, 7, { NODE_COMPILE_CACHE: join(dir, 'compile-cache-stages') });

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const breakdown = [
    '| start-up stage of `check` (CPU time, median) | plain | with `NODE_COMPILE_CACHE` |',
    '|---|---|---|',
    ...Object.keys(plain).map((name) => `| ${name} | ${ms(plain[name]!)} | ${ms(cachedBreakdown[name]!)} |`),
  ].join('\n');
  const proc = (label: string, t: { wall: number; cpu: number }, goal: string) =>
    `| ${label} | ${ms(t.wall)} (CPU ${ms(t.cpu)}) | ${goal} | ${goal ? (t.wall < 300 ? 'met' : 'NOT met') + '; ' : ''}${(t.wall / floor.wall).toFixed(2)}x the floor |`;
  const table = [
    '| measurement | median | goal | note |',
    '|---|---|---|---|',
    `| parse, ${lineCount} lines (${jobs} jobs) | ${ms(parseOnly.wall)} (CPU ${ms(parseOnly.cpu)}) | | lexer + parser + AST |`,
    `| parse + evaluate + validate, same script | ${ms(whole.wall)} (CPU ${ms(whole.cpu)}) | < 100 ms | ${whole.wall < 100 ? 'met' : 'NOT met'}; loadPlanFromText + ajv |`,
    `| validate the plan alone (ajv) | ${ms(validateOnly.wall)} (CPU ${ms(validateOnly.cpu)}) | | |`,
    proc('`node -e 0` (the floor)', floor, ''),
    proc('`stillpoint --version`', help, ''),
    proc(`\`stillpoint check ${small}\``, check, '< 300 ms'),
    proc('the same with `NODE_COMPILE_CACHE` set (check itself caches only the modules it loads after start-up)', cached, '< 300 ms'),
  ].join('\n');

  const report = [
    '# Language benchmark',
    '',
    'Command: `node bench/language.ts` (Node ' + process.versions.node + `, ${runs} runs after ${warmup} warm-up runs in-process; ${processRuns} whole-process runs).`,
    machine(),
    '',
    table,
    '',
    'Where the start-up time of `check` goes (each stage imported in a fresh process; type stripping',
    'of the TypeScript sources is most of it; Node\'s compile cache keeps that work between runs, and',
    'bin/stillpoint.js turns it on, so every run after a user\'s first gets the second column):',
    '',
    breakdown,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n\n${breakdown}\n`);
  writeFileSync(join(ROOT, 'bench/results/language.md'), report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
