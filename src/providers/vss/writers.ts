// Which VSS writers take part in a snapshot set. `include-writer` keeps only the writers it
// names, `exclude-writer` leaves writers out (VSS no longer sends them events), and
// `require-writer` makes a writer's absence or failure fail the set: DiskShadow's
// `writer verify`, without which a missing writer is silently left out. A writer is named by
// its name (case-insensitive), its writer class id or its instance id.

import type { WriterState } from '../../events/types.ts';
import { VSS_WRITER_STATES } from './constants.ts';

export interface VssComponent {
  type: number;
  logicalPath: string;
  name: string;
  selectable: boolean;
}

export interface VssWriter {
  name: string;
  /** Writer class id, "{...}". */
  writerId: string;
  /** Instance id, "{...}". */
  instanceId: string;
  components: VssComponent[];
}

export interface WriterSelection {
  include: string[];
  exclude: string[];
  require: string[];
}

export interface SelectedWriters {
  /** Writers whose components are added to the backup. */
  selected: VssWriter[];
  /** Writers VSS is told to leave out (DisableWriterInstances). */
  disabled: VssWriter[];
  /** Names given in include-writer/exclude-writer that match no writer. */
  unmatched: string[];
}

function matches(writer: Pick<VssWriter, 'name' | 'writerId' | 'instanceId'>, key: string): boolean {
  const k = key.trim().toLowerCase();
  const bare = (id: string) => id.replace(/[{}]/g, '').toLowerCase();
  return writer.name.toLowerCase() === k || bare(writer.writerId) === bare(k) || bare(writer.instanceId) === bare(k);
}

function list(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/** Chooses the writers; throws when a required writer is missing or also excluded. */
export function selectWriters(writers: VssWriter[], selection: WriterSelection): SelectedWriters {
  for (const required of selection.require) {
    if (selection.exclude.some((e) => e.trim().toLowerCase() === required.trim().toLowerCase())) {
      throw new Error(`writer "${required}" is both required (require-writer) and excluded (exclude-writer); remove one of the two`);
    }
    if (!writers.some((w) => matches(w, required))) {
      const present = writers.length > 0 ? `the writers on this machine are ${list(writers.map((w) => w.name))}` : 'VSS reported no writers at all (is the "Volume Shadow Copy" service running, and is Stillpoint elevated?)';
      throw new Error(`required writer "${required}" is not on this machine: ${present}. Start the application's service, or correct the name in require-writer`);
    }
  }
  const keep = (w: VssWriter) =>
    selection.require.some((r) => matches(w, r)) ||
    ((selection.include.length === 0 || selection.include.some((i) => matches(w, i))) && !selection.exclude.some((e) => matches(w, e)));
  const unmatched = [...selection.include, ...selection.exclude].filter((n) => !writers.some((w) => matches(w, n)));
  return { selected: writers.filter(keep), disabled: writers.filter((w) => !keep(w)), unmatched };
}

export function isRequired(writer: Pick<VssWriter, 'name' | 'writerId' | 'instanceId'>, selection: Pick<WriterSelection, 'require'>): boolean {
  return selection.require.some((r) => matches(writer, r));
}

/** A component's full path, as VSS joins logical path and name. */
function fullPath(c: VssComponent): string {
  return c.logicalPath ? `${c.logicalPath}\\${c.name}` : c.name;
}

/**
 * The components to add: the top-level ones. A component under another (its logical path
 * starts with the other's full path) comes with its parent, as vshadow selects them.
 */
export function topLevelComponents(writer: VssWriter): VssComponent[] {
  const paths = writer.components.map(fullPath);
  return writer.components.filter((c) => {
    const path = c.logicalPath.toLowerCase();
    return !path || !paths.some((p) => path === p.toLowerCase() || path.startsWith(`${p.toLowerCase()}\\`));
  });
}

export interface WriterStatus {
  name: string;
  writerId: string;
  instanceId: string;
  /** VSS_WRITER_STATE value. */
  state: number;
  /** The writer's failure HRESULT (0 when none). */
  failure: number;
}

export function vssStateName(state: number): string {
  return (VSS_WRITER_STATES[state] ?? `VSS_WS_${state}`).replace(/^VSS_WS_/, '');
}

/** Stillpoint's writer state for a VSS_WRITER_STATE. */
export function writerState(state: number): WriterState {
  const name = vssStateName(state);
  if (name.startsWith('FAILED_')) return 'failed';
  switch (name) {
    case 'STABLE':
      return 'stable';
    case 'WAITING_FOR_FREEZE':
      return 'preparing';
    case 'WAITING_FOR_THAW':
      return 'frozen';
    case 'WAITING_FOR_POST_SNAPSHOT':
    case 'WAITING_FOR_BACKUP_COMPLETE':
      return 'thawed';
    default:
      return 'failed';
  }
}

export function isFailedState(state: number): boolean {
  return writerState(state) === 'failed';
}
