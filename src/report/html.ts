// The HTML run report: one self-contained file (inline CSS, no scripts, no fonts, a Content
// Security Policy that forbids any fetch), readable in a mail client or a browser offline.

import { formatBytes, formatDurationPrecise, formatRate } from './format.ts';
import { html, type Markup } from './html-template.ts';
import type { JobSummary, RunSummary } from './run-summary.ts';

export function renderHtmlReport(run: RunSummary, eventCount: number): string {
  const state = run.state;
  const title = `Stillpoint ${run.jobNames.join(', ') || 'run'}: ${state}`;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Stillpoint run report <span class="status ${state}">${state}</span></h1>
<dl class="facts">
${fact('script', run.script)}${fact('host', run.hostname && `${run.hostname} (${run.platform})`)}${fact('run', run.runId)}
${fact('started', run.startedAt)}${fact('finished', run.finishedAt)}${fact('duration', run.durationMs !== undefined ? formatDurationPrecise(run.durationMs) : undefined)}
${fact('exit code', run.exitCode)}${run.dryRun ? fact('mode', 'dry run: nothing was touched') : ''}
</dl>
</header>
${run.warnings.length ? html`<section class="warnings"><h2>Warnings</h2><ul>${run.warnings.map((w) => html`<li>${w.job ? `${w.job}: ` : ''}${w.message}${w.detail ? html` <span class="dim">(${w.detail})</span>` : ''}</li>`)}</ul></section>` : ''}
${run.jobs.map((job) => jobSection(run, job))}
<footer>Built from ${eventCount} events of run ${run.runId ?? ''}.</footer>
</body>
</html>`.text}\n`;
}

function jobSection(run: RunSummary, job: JobSummary): Markup {
  return html`<section class="job" id="job-${slug(job.name)}">
<h2>Job ${job.name} <span class="status ${job.state}">${job.state}</span></h2>
<dl class="facts">
${fact('volumes', job.volumes.join(', '))}${fact('providers tried', job.providersTried.join(', '))}
${fact('copied', job.bytes !== undefined ? `${formatBytes(job.bytes)} in ${job.files} files` : undefined)}${fact('skipped files', job.skipped)}
${fact('duration', job.durationMs !== undefined ? formatDurationPrecise(job.durationMs) : undefined)}${fact('exit code', job.exitCode)}
</dl>
${job.error ? html`<p class="error">${job.failedStage ? `Failed in stage ${job.failedStage}: ` : ''}${job.error}</p>` : ''}
<h3>Timeline</h3>
${timeline(run, job)}
${job.dryRunSteps.length === 0 ? '' : html`<h3>Dry run: what would happen</h3><ol class="dry-run">${job.dryRunSteps.map((step) => html`<li><strong>${step.stage}</strong>${step.setId ? ` (snapshot set ${step.setId})` : ''}: ${step.action}</li>`)}</ol>`}
<h3>Writers</h3>
${writersTable(job)}
<h3>Providers</h3>
${job.providers.length === 0 ? html`<p class="dim">No provider was asked.</p>` : html`<table class="providers">
<thead><tr><th>provider</th><th>volumes</th><th>outcome</th><th>snapshot set</th><th>reason</th></tr></thead>
<tbody>${job.providers.map((p) => html`<tr class="${p.outcome}"><td>${p.provider}</td><td>${p.volumes.join(', ')}</td><td>${p.outcome}${p.nextProvider ? ` (next: ${p.nextProvider})` : ''}</td><td>${p.setId ?? ''}</td><td>${p.reason ?? ''}</td></tr>`)}</tbody>
</table>`}
${job.snapshotSets.length === 0 ? '' : html`<h3>Snapshot sets</h3><table class="sets">
<thead><tr><th>set</th><th>provider</th><th>state</th><th>snapshots</th><th>created in</th></tr></thead>
<tbody>${job.snapshotSets.map((s) => html`<tr><td>${s.setId}</td><td>${s.provider}</td><td class="${s.state}">${s.state}${s.error ? html`: <span class="error">${s.error}</span>` : ''}</td><td>${s.snapshots.length ? s.snapshots.map((snap) => html`<div>${snap.volume} → <code>${snap.snapshotPath}</code></div>`) : s.volumes.join(', ')}</td><td>${s.durationMs !== undefined ? formatDurationPrecise(s.durationMs) : ''}</td></tr>`)}</tbody>
</table>`}
${job.freezes.length === 0 ? '' : html`<h3>Freeze windows</h3><table class="freezes">
<thead><tr><th>set</th><th>writers</th><th>frozen</th><th>budget</th><th>from</th><th>to</th></tr></thead>
<tbody>${job.freezes.map((f) => html`<tr class="${f.timedOut ? 'failed' : ''}"><td>${f.setId}</td><td>${f.writers.join(', ')}</td><td><strong>${f.windowMs !== undefined ? formatDurationPrecise(f.windowMs) : 'not thawed'}</strong>${f.timedOut ? ' (timed out: thawed by the budget)' : ''}</td><td>${formatDurationPrecise(f.budgetMs)}</td><td>${f.startedAt}</td><td>${f.endedAt ?? ''}</td></tr>`)}</tbody>
</table>`}
<h3>Targets</h3>
${job.targets.length === 0 ? html`<p class="dim">Nothing was copied.</p>` : html`<table class="targets">
<thead><tr><th>target</th><th>status</th><th>copied</th><th>files</th><th>skipped</th><th>throughput</th><th>snapshot</th><th>retention</th></tr></thead>
<tbody>${job.targets.map((t) => html`<tr><td>${t.kind} <code>${t.target}</code></td><td class="${t.state}">${t.state}${t.error ? html`: <span class="error">${t.error}</span>` : ''}</td><td>${formatBytes(t.bytesDone)}${t.totalBytes !== undefined && t.state !== 'succeeded' ? ` of ${formatBytes(t.totalBytes)}` : ''}</td><td>${t.filesDone}</td><td>${t.skipped}</td><td>${t.bytesPerSecond !== undefined ? formatRate(t.bytesPerSecond) : ''}</td><td>${t.snapshotId ?? ''}${t.location ? html`<div class="dim"><code>${t.location}</code></div>` : ''}</td><td>${t.pruned ? `removed ${t.pruned.removed.length}, kept ${t.pruned.kept.length}` : ''}</td></tr>`)}</tbody>
</table>`}
<h3>Skipped files</h3>
${job.skippedFiles.length === 0 ? html`<p class="dim">None: every selected file was copied.</p>` : html`<table class="skipped">
<thead><tr><th>file</th><th>reason</th><th>detail</th></tr></thead>
<tbody>${job.skippedFiles.map((f) => html`<tr><td><code>${f.path}</code></td><td class="reason-${f.reason}">${f.reason}</td><td>${f.detail}</td></tr>`)}</tbody>
</table>`}
${job.hooks.length === 0 ? '' : html`<h3>Hooks</h3><table class="hooks">
<thead><tr><th>stage</th><th>action</th><th>status</th><th>took</th><th>output</th></tr></thead>
<tbody>${job.hooks.map((hook) => html`<tr><td>${hook.stage}</td><td><code>${hook.action}</code><div class="dim">${hook.origin}</div></td><td class="${hook.status ?? ''}">${hook.status ?? 'running'}${hook.exitCode !== undefined && hook.exitCode !== null ? ` (exit ${hook.exitCode})` : ''}${hook.signal ? ` (${hook.signal})` : ''}${hook.error ? html`: <span class="error">${hook.error}</span>` : ''}</td><td>${hook.durationMs !== undefined ? formatDurationPrecise(hook.durationMs) : ''}</td><td>${hook.output.length ? html`<details><summary>${hook.outputLines} ${hook.outputLines === 1 ? 'line' : 'lines'}${hook.outputLines > hook.output.length ? `, last ${hook.output.length}` : ''}</summary><pre>${hook.output.map((o) => `${o.stream === 'stderr' ? '! ' : ''}${o.line}\n`)}</pre></details>` : ''}</td></tr>`)}</tbody>
</table>`}
</section>`;
}

/** Stages as bars on the run's time axis, with each freeze window laid over them. */
function timeline(run: RunSummary, job: JobSummary): Markup {
  const t0 = Date.parse(run.startedAt ?? job.startedAt);
  const end = Math.max(t0 + 1, Date.parse(run.finishedAt ?? run.lastEventAt ?? job.finishedAt ?? job.startedAt));
  const span = end - t0;
  const position = (fromMs: number, toMs: number) => {
    const left = ((fromMs - t0) / span) * 100;
    const width = Math.max(0.4, ((toMs - fromMs) / span) * 100);
    return `left:${Math.min(99.6, left).toFixed(2)}%;width:${Math.min(width, 100 - Math.min(99.6, left)).toFixed(2)}%`;
  };
  const rows = [...run.stages, ...job.stages].filter((s) => s.startedAt !== undefined);
  const lastEvent = Date.parse(run.lastEventAt ?? job.startedAt);
  const freezeBands = job.freezes.map((f) => {
    const from = Date.parse(f.startedAt);
    const to = f.endedAt ? Date.parse(f.endedAt) : lastEvent;
    return { freeze: f, style: position(from, to) };
  });
  return html`<div class="timeline" id="timeline-${slug(job.name)}">
<div class="axis"><span class="label"></span><div class="track">${[0, 0.25, 0.5, 0.75, 1].map((f) => html`<span class="tick" style="left:${(f * 100).toFixed(0)}%">${formatDurationPrecise(f * span)}</span>`)}</div><span class="duration"></span></div>
${rows.map((s) => {
    // A finished stage is drawn as the time it reports, ending when it finished: `plan`
    // reports evaluation that happened before the run's first event.
    const to = s.finishedAt !== undefined ? Date.parse(s.finishedAt) : lastEvent;
    const from = s.durationMs !== undefined ? Math.max(t0, to - s.durationMs) : Date.parse(s.startedAt!);
    return html`<div class="row"><span class="label">${s.stage}</span><div class="track">${freezeBands.map((b) => html`<span class="freeze-band" style="${b.style}"></span>`)}<span class="bar ${s.state}" style="${position(from, to)}" title="${s.stage}: ${s.state}${s.error ? `: ${s.error}` : ''}"></span></div><span class="duration">${s.state === 'skipped' ? 'skipped' : s.durationMs !== undefined ? formatDurationPrecise(s.durationMs) : s.state}</span></div>`;
  })}
${freezeBands.map((b) => html`<div class="row freeze-row"><span class="label">frozen ${b.freeze.setId}</span><div class="track"><span class="bar frozen" style="${b.style}"></span></div><span class="duration">${b.freeze.windowMs !== undefined ? `${formatDurationPrecise(b.freeze.windowMs)} of ${formatDurationPrecise(b.freeze.budgetMs)}` : 'not thawed'}</span></div>`)}
</div>`;
}

function writersTable(job: JobSummary): Markup {
  if (job.writers.length === 0) return html`<p class="dim">No application writers.</p>`;
  const frozenFor = (writer: string) => Math.max(-1, ...job.freezes.flatMap((f) => f.frozen ?? []).filter((w) => w.writer === writer).map((w) => w.frozenMs));
  return html`<table class="writers">
<thead><tr><th>writer</th><th>kind</th><th>state</th><th>last step</th><th>frozen for</th><th>last error</th></tr></thead>
<tbody>${job.writers.map((w) => {
    const frozen = frozenFor(w.name);
    return html`<tr><td>${w.name}</td><td>${w.kind}</td><td class="${w.state}">${w.state}</td><td>${w.step ?? ''}</td><td>${frozen >= 0 ? formatDurationPrecise(frozen) : ''}</td><td class="error">${w.lastError ?? ''}</td></tr>`;
  })}</tbody>
</table>`;
}

function fact(name: string, value: string | number | undefined): Markup {
  return value === undefined || value === '' ? html`` : html`<div><dt>${name}</dt><dd>${value}</dd></div>`;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-');
}

const STYLE = `
:root { color-scheme: light; --good: #1a7f37; --bad: #cf222e; --warn: #9a6700; --busy: #0969da; --dim: #6e7781; --freeze: rgba(207, 34, 46, 0.14); }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; } h3 { font-size: 15px; margin: 20px 0 6px; }
code, pre { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; } pre { margin: 4px 0; white-space: pre-wrap; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; } .facts div { display: flex; gap: 6px; } dt { color: var(--dim); } dd { margin: 0; }
.status { font-size: 13px; padding: 2px 8px; border-radius: 10px; color: #fff; background: var(--dim); vertical-align: middle; }
.status.succeeded { background: var(--good); } .status.failed { background: var(--bad); } .status.partial, .status.cancelled { background: var(--warn); } .status.running { background: var(--busy); }
.error, td.failed, td.release-failed, td.timed-out, td.stalled { color: var(--bad); } td.succeeded, td.released, td.created, td.thawed { color: var(--good); } td.partial, td.frozen, td.allowed-failure { color: var(--warn); }
.dim { color: var(--dim); }
table { border-collapse: collapse; width: 100%; margin: 4px 0; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; } th { font-weight: 600; background: #f6f8fa; }
tr.skipped td, tr.failed td:first-child { color: var(--dim); } tr.failed td:nth-child(3) { color: var(--bad); } tr.chosen td:nth-child(3) { color: var(--good); }
.timeline { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; }
.timeline .row, .timeline .axis { display: flex; align-items: center; height: 22px; }
.timeline .label { width: 150px; flex: none; color: #424a53; font-size: 13px; }
.timeline .track { position: relative; flex: 1; height: 100%; }
.timeline .axis .track { border-bottom: 1px solid #d0d7de; }
.timeline .tick { white-space: nowrap; position: absolute; top: 2px; font-size: 11px; color: var(--dim); transform: translateX(-50%); } .timeline .tick:first-child { transform: none; } .timeline .tick:last-child { transform: translateX(-100%); }
.timeline .bar { position: absolute; top: 5px; height: 12px; border-radius: 3px; background: var(--busy); }
.timeline .bar.succeeded { background: var(--good); } .timeline .bar.failed { background: var(--bad); } .timeline .bar.skipped, .timeline .bar.pending { background: #d0d7de; } .timeline .bar.frozen { background: var(--bad); }
.timeline .freeze-band { position: absolute; top: 0; bottom: 0; background: var(--freeze); border-left: 1px dashed var(--bad); border-right: 1px dashed var(--bad); }
.timeline .duration { width: 90px; flex: none; text-align: right; font-size: 12px; color: var(--dim); }
.timeline .freeze-row .label { color: var(--bad); font-weight: 600; }
footer { margin-top: 32px; color: var(--dim); font-size: 12px; }
`;
