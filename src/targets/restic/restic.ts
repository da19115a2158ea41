// `target restic REPOSITORY { password  tags  args  keep }`: hands the snapshot to restic.
//
// - The repository and password reach restic through its environment (RESTIC_REPOSITORY,
//   RESTIC_PASSWORD), never its command line, so neither shows in `ps`, a log or a report.
// - Paths stored in restic are the ORIGINAL paths: on Linux, restic runs in a private mount
//   namespace where each snapshot is bind-mounted read-only over its volume's root, so that
//   `restic restore` puts files back where a user expects.
// - restic's JSON status lines become copy progress; its summary goes into the result.
// - The stall rule (`stall-timeout`): restic goes on printing its status while it retries a
//   server that is gone, so progress is a status whose bytes or files advanced (or data the
//   process group moves beyond its own output), not a line printed.
// - A stale lock (a killed restic's) is reported after each backup with how to remove it,
//   never removed (locks.ts).
// - Exit code 3 (some files unreadable): partial under `ignore-read-errors`; otherwise the job
//   fails and the incomplete restic snapshot is forgotten, so nothing incomplete looks complete.

import { runProcess, SpawnError } from '../../base/process.ts';
import { redactUrl, shown, type SecretStore } from '../../base/secret.ts';
import type { KeepPlan, PlanText, TargetPlan } from '../../plan/types.ts';
import type { CopySource, Target, TargetContext, TargetResult } from '../target.ts';
import { explainResticFailure, explainResticStall, type ResticEnding } from './errors.ts';
import { findStaleLocks } from './locks.ts';
import { errorText, parseMessage, statusProgress, textProgress, type ResticSummary } from './messages.ts';

type ResticPlan = Extract<TargetPlan, { kind: 'restic' }>;

const SYSTEM_FILES = ['pagefile.sys', 'hiberfil.sys', 'swapfile.sys', '*.swap', 'swapfile'];

export function createResticTarget(plan: ResticPlan, secrets: SecretStore, program = process.env.STILLPOINT_RESTIC ?? 'restic'): Target {
  const location = redactUrl(shown(plan.repository));

  function environment(): Record<string, PlanText> {
    const env: Record<string, PlanText> = { RESTIC_REPOSITORY: plan.repository, RESTIC_PROGRESS_FPS: '2' };
    if (plan.password !== undefined) env.RESTIC_PASSWORD = plan.password;
    return env;
  }

  /** Runs restic, optionally behind a wrapper command (the mount namespace), under the stall rule. */
  async function restic(
    args: PlanText[],
    context: TargetContext,
    onStdout: (line: string) => void,
    options: { wrapper?: string[]; progress?: (line: string) => boolean } = {},
  ): Promise<ResticEnding & { stalled: boolean }> {
    const stderr: string[] = [];
    const progress = options.progress ?? textProgress();
    try {
      const result = await runProcess({
        command: { argv: [...(options.wrapper ?? []), program, ...args] },
        secrets,
        env: environment(),
        signal: context.signal,
        stall: { timeoutMs: plan.stallTimeoutMs, progress: (stream, line) => stream === 'stdout' && progress(line) },
        onLine: (stream, line) => {
          if (stream === 'stdout') onStdout(line);
          else stderr.push(line);
        },
      });
      if (result.aborted) throw new Error('restic was stopped: the run was cancelled');
      return { exitCode: result.exitCode, signal: result.signal, stderr, stalled: result.stalled };
    } catch (error) {
      if (error instanceof SpawnError && error.code === 'ENOENT') {
        throw new Error(`restic is not installed: install the restic package (apt-get install restic) or set STILLPOINT_RESTIC to its path`);
      }
      throw error;
    }
  }

  async function reportStaleLocks(context: TargetContext): Promise<void> {
    const stale = await findStaleLocks(async (args) => {
      const lines: string[] = [];
      const ending = await restic(args, context, (line) => lines.push(line));
      return ending.exitCode === 0 ? lines : undefined;
    });
    for (const lock of stale) {
      context.warn(
        `the restic repository ${location} holds a stale ${lock}`,
        'a restic that was killed leaves its lock behind; it blocks `restic prune` (this target\'s `keep`) and `restic check`. Remove it with `restic unlock` (with the same repository and password); Stillpoint never removes locks itself',
      );
    }
  }

  /** restic ended without success: the sentence that says why. */
  function failure(ending: ResticEnding & { stalled: boolean }, status = 'its output stopped changing'): Error {
    return new Error(ending.stalled ? explainResticStall(ending.stderr, location, plan.stallTimeoutMs, status) : explainResticFailure(ending, location));
  }

  return {
    kind: 'restic',
    location,

    async write(sources: CopySource[], context: TargetContext): Promise<TargetResult> {
      const { wrapper, paths } = originalPaths(sources, context);
      const args: PlanText[] = [
        'backup',
        '--json',
        '--host',
        context.hostname,
        ...tags(plan, context.job).flatMap((t) => ['--tag', t]),
        ...(sources.some((s) => s.oneFileSystem) ? ['--one-file-system'] : []),
        ...sources.flatMap(excludeArgs),
        ...plan.args,
        ...paths,
      ];
      let summary: ResticSummary | undefined;
      let skipped = 0;
      const status = statusProgress();
      // restic 0.14 writes status and summary to stdout and errors (as JSON) to stderr; later
      // versions may swap streams, so both are read the same way.
      const onMessage = (line: string, stream: 'stdout' | 'stderr'): boolean => {
        const message = parseMessage(line);
        if (!message) return false;
        if (message.message_type === 'status' && 'percent_done' in message) {
          context.progress({ bytesDone: message.bytes_done ?? 0, filesDone: message.files_done ?? 0, totalBytes: message.total_bytes, totalFiles: message.total_files });
        } else if (message.message_type === 'summary' && 'snapshot_id' in message) {
          summary = message;
        } else if (message.message_type === 'error' && 'item' in message) {
          skipped++;
          context.skipped(message.item, 'unreadable', errorText(message));
        } else {
          context.output(stream, line);
        }
        return true;
      };
      const ending = await restic(args, context, (line) => onMessage(line, 'stdout') || context.output('stdout', line), { wrapper, progress: status.advanced });
      const { exitCode } = ending;
      const stderrText = ending.stderr.filter((line) => !onMessage(line, 'stderr'));
      for (const line of stderrText) context.output('stderr', line);
      if (ending.stalled) throw failure({ ...ending, stderr: stderrText }, status.describe());
      if (exitCode === 0 || exitCode === 3) {
        if (!summary) throw new Error(`restic ended without a summary; its last words: ${stderrText.slice(-3).join('; ')}`);
        if (exitCode === 3 && !context.ignoreReadErrors) {
          await restic(['forget', summary.snapshot_id], context, () => {});
          throw new Error(
            `restic could not read ${skipped || 'some'} file(s) (listed above), so its snapshot ${summary.snapshot_id} was incomplete and has been forgotten; fix the files' permissions, or set \`ignore-read-errors true\` to keep such backups as partial`,
          );
        }
        await reportStaleLocks(context);
        return {
          status: exitCode === 3 ? 'partial' : 'succeeded',
          bytes: summary.total_bytes_processed,
          files: summary.total_files_processed,
          skipped,
          snapshotId: summary.snapshot_id,
          location,
          details: {
            filesNew: summary.files_new,
            filesChanged: summary.files_changed,
            filesUnmodified: summary.files_unmodified,
            bytesAdded: summary.data_added,
          },
        };
      }
      throw failure({ ...ending, stderr: stderrText });
    },

    async prune(keep: KeepPlan, context: TargetContext) {
      const policy = Object.entries(keep).flatMap(([k, v]) => (v === undefined ? [] : [`--keep-${k}`, String(v)]));
      if (policy.length === 0) return { removed: [], kept: [] };
      type Group = { keep?: Array<{ short_id: string }>; remove?: Array<{ short_id: string }> | null };
      let groups: Group[] = [];
      const ending = await restic(['forget', '--json', '--host', context.hostname, '--tag', jobTag(context.job), ...policy, '--prune'], context, (line) => {
        // The forget result is one JSON array; the prune that follows prints text.
        const parsed = line.startsWith('[{') || line === '[]' ? (JSON.parse(line) as Group[]) : undefined;
        if (parsed) groups = parsed;
        else context.output('stdout', line);
      });
      if (ending.exitCode !== 0) throw failure(ending);
      return {
        removed: groups.flatMap((g) => (g.remove ?? []).map((s) => s.short_id)),
        kept: groups.flatMap((g) => (g.keep ?? []).map((s) => s.short_id)),
      };
    },
  };
}

function jobTag(job: string): string {
  // restic splits tags at commas.
  return `stillpoint-job=${job.replaceAll(',', '_')}`;
}

function tags(plan: ResticPlan, job: string): string[] {
  return ['stillpoint', jobTag(job), ...plan.tags];
}

/** Exclude and re-include patterns anchored at each volume's root, as restic reads them (later wins). */
function excludeArgs(source: CopySource): string[] {
  const root = source.root.replace(/\/+$/, '');
  const anchored = (pattern: string) => `${root}/${pattern.replace(/^\/+/, '')}`;
  return [
    ...(source.excludeSystemFiles ? SYSTEM_FILES.map((p) => `${root}/**/${p}`) : []),
    ...source.exclude.map(anchored),
    ...source.include.map((p) => `!${anchored(p)}`),
  ].flatMap((p) => ['--exclude', p]);
}

/**
 * What restic is given to read so that it stores the original paths. On Linux as root: a
 * private mount namespace with each snapshot bind-mounted read-only over its root.
 * Elsewhere the snapshot paths themselves, with a warning that restic will store those.
 */
function originalPaths(sources: CopySource[], context: TargetContext): { wrapper: string[]; paths: string[] } {
  const roots = sources.map((s) => s.root);
  const moved = sources.filter((s) => s.readPath !== s.root);
  if (moved.length === 0) return { wrapper: [], paths: roots };
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    const script = 'set -e; while [ "$1" != "--" ]; do mount --bind -o ro "$1" "$2"; shift 2; done; shift; exec "$@"';
    return {
      wrapper: ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', script, 'stillpoint-restic', ...moved.flatMap((s) => [s.readPath, s.root]), '--'],
      paths: roots,
    };
  }
  context.warn(
    'restic will store the snapshot paths, not the original ones',
    'mapping a snapshot onto its original path needs a private mount namespace (Linux, as root); restore with `restic restore --include` from the snapshot path',
  );
  return { wrapper: [], paths: sources.map((s) => s.readPath) };
}
