// The VSS requester: the call sequence a backup program makes (as vshadow, DiskShadow and
// restic do), for one snapshot set covering every volume at one instant.
//
//   CoInitializeEx(MTA), CoInitializeSecurity (once per process)
//   CreateVssBackupComponents, InitializeForBackup, SetContext, SetBackupState
//   GatherWriterMetadata -> writers and their components (IVssExamineWriterMetadata)
//   DisableWriterInstances (excluded writers), AddComponent, SetPreviousBackupStamp
//   [GatherWriterStatus: required writers must be stable before anything starts]
//   StartSnapshotSet (retried while another set is in progress), AddToSnapshotSet per volume
//   PrepareForBackup, DoSnapshotSet, GatherWriterStatus, GetSnapshotProperties
//   ... the copy ...
//   SetBackupSucceeded, BackupComplete, DeleteSnapshots, Release
//
// A failure once the writers were prepared (PrepareForBackup) calls AbortBackup, as restic does;
// any failure deletes what was created and releases the components.

import { setTimeout as sleep } from 'node:timers/promises';
import type { BackupType, ProviderPlan } from '../../plan/types.ts';
import { ComObject, GUID_NULL, guidText, outPointer, parseGuid, type Guid, type VssApi } from './com.ts';
import { SetDeadline, runAsync } from './async.ts';
import { COM, VSS_BACKUP_TYPE, VSS_OBJECT_TYPE, VSS_SNAPSHOT_CONTEXT } from './constants.ts';
import { VssError } from './errors.ts';
import { HRESULT, describeHresult, hex } from './hresult.ts';
import {
  isFailedState,
  isRequired,
  selectWriters,
  topLevelComponents,
  vssStateName,
  type VssComponent,
  type VssWriter,
  type WriterStatus,
} from './writers.ts';

export type VssPlan = Extract<ProviderPlan, { name: 'vss' }>;

export interface RequesterEvents {
  warn(message: string, detail?: string): void;
  /** Each writer's state after a GatherWriterStatus, with the step it was gathered at. */
  writerStatus(status: WriterStatus, step: string): void;
}

let comReady: { api: VssApi } | undefined;

/** COM in the multithreaded apartment, with security that lets writers call back (restic #5169). */
export function initializeCom(api: VssApi, events: Pick<RequesterEvents, 'warn'>): void {
  if (comReady?.api === api) return;
  const init = api.coInitializeEx(COM.COINIT_MULTITHREADED);
  if (init !== HRESULT.S_OK && init !== HRESULT.S_FALSE) throw VssError.fromHresult('CoInitializeEx', init);
  const security = api.coInitializeSecurity(COM.RPC_C_AUTHN_LEVEL_PKT_PRIVACY, COM.RPC_C_IMP_LEVEL_IMPERSONATE, COM.EOAC_STATIC_CLOAKING);
  if (security === HRESULT.RPC_E_TOO_LATE) {
    events.warn('COM security was already set in this process; VSS writers may be unable to report back', describeHresult(security).advice);
  } else if (security < 0) {
    throw VssError.fromHresult('CoInitializeSecurity', security);
  }
  comReady = { api };
}

function backupTypeOf(type: BackupType): number {
  switch (type) {
    case 'incremental':
      return VSS_BACKUP_TYPE.VSS_BT_INCREMENTAL;
    case 'differential':
      return VSS_BACKUP_TYPE.VSS_BT_DIFFERENTIAL;
    case 'copy':
      return VSS_BACKUP_TYPE.VSS_BT_COPY;
    default:
      return VSS_BACKUP_TYPE.VSS_BT_FULL;
  }
}

function contextOf(plan: VssPlan): number {
  return plan.context === 'file-share-backup' ? VSS_SNAPSHOT_CONTEXT.VSS_CTX_FILE_SHARE_BACKUP : VSS_SNAPSHOT_CONTEXT.VSS_CTX_BACKUP;
}

interface AddedComponent {
  writer: VssWriter;
  component: VssComponent;
}

export interface CreatedSnapshot {
  volumePath: string;
  snapshotId: string;
  deviceObject: string;
  /** The original volume's GUID, from its name `\\?\Volume{GUID}\`, when VSS gives one. */
  volumeGuid?: string;
}

/** One IVssBackupComponents, from creation to release. */
export class Requester {
  readonly #api: VssApi;
  readonly #components: ComObject<'IVssBackupComponents'>;
  readonly #events: RequesterEvents;
  readonly #added: AddedComponent[] = [];
  #setId: Guid | undefined;
  #prepared = false;
  #snapshotStarted = false;
  #completed = false;

  constructor(api: VssApi, events: RequesterEvents) {
    this.#api = api;
    this.#events = events;
    initializeCom(api, events);
    this.#components = api.createBackupComponents();
  }

  get setId(): string | undefined {
    return this.#setId && guidText(this.#setId);
  }

  #async(method: 'GatherWriterMetadata' | 'PrepareForBackup' | 'DoSnapshotSet' | 'GatherWriterStatus' | 'BackupComplete', deadline: SetDeadline, signal?: AbortSignal): Promise<void> {
    return runAsync(
      (box) => this.#components.invoke(method, box),
      `IVssBackupComponents::${method}`,
      (ptr) => new ComObject('IVssAsync', ptr),
      deadline,
      signal,
    );
  }

  /** InitializeForBackup and SetContext: enough for IsVolumeSupported and DeleteSnapshots. */
  initialize(context: number): void {
    this.#components.invoke('InitializeForBackup', null);
    this.#components.invoke('SetContext', context);
  }

  isVolumeSupported(volumePath: string, providerId: string | undefined): boolean {
    const supported = [0];
    this.#components.invoke('IsVolumeSupported', providerId ? parseGuid(providerId) : GUID_NULL, volumePath, supported);
    return supported[0] !== 0;
  }

  /** Deletes a snapshot set; false when VSS no longer has it. */
  deleteSet(setId: Guid): boolean {
    const deleted = [0];
    const hr = this.#components.call('DeleteSnapshots', setId, VSS_OBJECT_TYPE.VSS_OBJECT_SNAPSHOT_SET, 1, deleted, {});
    if (hr === HRESULT.VSS_E_OBJECT_NOT_FOUND) return false;
    if (hr < 0) throw VssError.fromHresult('IVssBackupComponents::DeleteSnapshots', hr, ` for snapshot set ${guidText(setId)}`);
    return true;
  }

  #readWriters(): VssWriter[] {
    const count = [0];
    this.#components.invoke('GetWriterMetadataCount', count);
    const writers: VssWriter[] = [];
    for (let i = 0; i < count[0]!; i++) {
      const box: unknown[] = [null];
      this.#components.invoke('GetWriterMetadata', i, {}, box);
      const metadata = new ComObject('IVssExamineWriterMetadata', outPointer(box)!);
      try {
        const instance = {} as Guid;
        const writer = {} as Guid;
        const name: unknown[] = [null];
        metadata.invoke('GetIdentity', instance, writer, name, [0], [0]);
        const writerName = this.#api.takeBstr(name[0]);
        const counts = [[0], [0], [0]] as const;
        metadata.invoke('GetFileCounts', counts[0], counts[1], counts[2]);
        const components: VssComponent[] = [];
        for (let c = 0; c < counts[2][0]!; c++) {
          const componentBox: unknown[] = [null];
          metadata.invoke('GetComponent', c, componentBox);
          const component = new ComObject('IVssWMComponent', outPointer(componentBox)!);
          try {
            const { type, logicalPath, name: componentName, selectable } = this.#api.componentInfo(component);
            components.push({ type, logicalPath, name: componentName, selectable });
          } finally {
            component.release();
          }
        }
        writers.push({ name: writerName, writerId: guidText(writer), instanceId: guidText(instance), components });
      } finally {
        metadata.release();
      }
    }
    return writers;
  }

  async gatherWriterStatus(deadline: SetDeadline, step: string, signal?: AbortSignal): Promise<WriterStatus[]> {
    await this.#async('GatherWriterStatus', deadline, signal);
    const count = [0];
    this.#components.invoke('GetWriterStatusCount', count);
    const statuses: WriterStatus[] = [];
    try {
      for (let i = 0; i < count[0]!; i++) {
        const instance = {} as Guid;
        const writer = {} as Guid;
        const name: unknown[] = [null];
        const state = [0];
        const failure = [0];
        this.#components.invoke('GetWriterStatus', i, instance, writer, name, state, failure);
        statuses.push({ name: this.#api.takeBstr(name[0]), writerId: guidText(writer), instanceId: guidText(instance), state: state[0]!, failure: failure[0]! });
      }
    } finally {
      this.#components.invoke('FreeWriterStatus');
    }
    for (const status of statuses) this.#events.writerStatus(status, step);
    return statuses;
  }

  /** Everything up to DoSnapshotSet, then the snapshot itself. */
  async createSet(
    volumePaths: string[],
    plan: VssPlan,
    backupType: BackupType,
    previousStamp: string | undefined,
    deadline: SetDeadline,
    signal: AbortSignal | undefined,
    beforeSnapshot: (setId: string) => Promise<void>,
  ): Promise<CreatedSnapshot[]> {
    const selection = { include: plan.includeWriters, exclude: plan.excludeWriters, require: plan.requireWriters };
    this.initialize(contextOf(plan));
    // Component mode: the writers' components are chosen below; no bootable system state.
    this.#components.invoke('SetBackupState', 1, 0, backupTypeOf(backupType), 0);

    await this.#async('GatherWriterMetadata', deadline, signal);
    const writers = this.#readWriters();
    const { selected, disabled, unmatched } = selectWriters(writers, selection);
    if (unmatched.length > 0) {
      this.#events.warn(`include-writer/exclude-writer name no writer on this machine: ${unmatched.map((n) => `"${n}"`).join(', ')}`, `writers present: ${writers.map((w) => w.name).join(', ') || 'none'}`);
    }
    if (disabled.length > 0) {
      this.#components.invoke('DisableWriterInstances', disabled.map((w) => parseGuid(w.instanceId)), disabled.length);
    }
    for (const writer of selected) {
      for (const component of topLevelComponents(writer)) {
        this.#components.invoke('AddComponent', parseGuid(writer.instanceId), parseGuid(writer.writerId), component.type, component.logicalPath || null, component.name);
        this.#added.push({ writer, component });
      }
    }
    if (previousStamp && (backupType === 'incremental' || backupType === 'differential')) {
      for (const { writer, component } of this.#added) {
        this.#components.invoke('SetPreviousBackupStamp', parseGuid(writer.writerId), component.type, component.logicalPath || null, component.name, previousStamp);
      }
    }
    if (selection.require.length > 0) {
      const before = await this.gatherWriterStatus(deadline, 'before-snapshot', signal);
      this.#failRequired(before, selection, 'before the snapshot started');
    }

    this.#setId = await this.#startSnapshotSet(deadline, signal);
    await beforeSnapshot(guidText(this.#setId));
    const providerId = plan.providerId ? parseGuid(plan.providerId) : GUID_NULL;
    const snapshotIds: Guid[] = [];
    for (const volumePath of volumePaths) {
      const id = {} as Guid;
      this.#components.invoke('AddToSnapshotSet', volumePath, providerId, id);
      snapshotIds.push(id);
    }

    // From PrepareForBackup on, writers hold state for this backup: a failure must AbortBackup.
    this.#prepared = true;
    await this.#async('PrepareForBackup', deadline, signal);
    this.#components.invoke('FreeWriterMetadata');
    this.#snapshotStarted = true;
    try {
      await this.#async('DoSnapshotSet', deadline, signal);
    } catch (error) {
      throw await this.#withWriterStates(error);
    }

    const after = await this.gatherWriterStatus(new SetDeadline(Math.max(deadline.remainingMs(), 30_000)), 'after-snapshot', signal);
    this.#failRequired(after, selection, 'while the snapshot was taken');
    for (const status of after.filter((s) => isFailedState(s.state) && !isRequired(s, selection))) {
      this.#events.warn(
        `VSS writer "${status.name}" failed (${vssStateName(status.state)}); its data in this snapshot is crash-consistent only`,
        `${describeHresult(status.failure).name}: ${describeHresult(status.failure).advice} Add require-writer "${status.name}" to fail the backup instead.`,
      );
    }

    return volumePaths.map((volumePath, i) => {
      const props = this.#api.snapshotProperties(this.#components, snapshotIds[i]!);
      const volumeGuid = /\{[0-9A-Fa-f-]{36}\}/.exec(props.originalVolumeName)?.[0];
      return { volumePath, snapshotId: guidText(snapshotIds[i]!), deviceObject: props.deviceObject, ...(volumeGuid ? { volumeGuid } : {}) };
    });
  }

  async #startSnapshotSet(deadline: SetDeadline, signal?: AbortSignal): Promise<Guid> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      const id = {} as Guid;
      const hr = this.#components.call('StartSnapshotSet', id);
      if (hr >= 0) return id;
      if (hr !== HRESULT.VSS_E_SNAPSHOT_SET_IN_PROGRESS || deadline.remainingMs() <= delay || signal?.aborted) {
        throw VssError.fromHresult('IVssBackupComponents::StartSnapshotSet', hr);
      }
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }

  /** A DoSnapshotSet that timed out or failed: name the writers that were not stable. */
  async #withWriterStates(error: unknown): Promise<unknown> {
    if (!(error instanceof VssError)) return error;
    try {
      const statuses = await this.gatherWriterStatus(new SetDeadline(10_000), 'snapshot');
      const troubled = statuses.filter((s) => isFailedState(s.state));
      if (troubled.length === 0) return error;
      const names = troubled.map((s) => `"${s.name}" (${vssStateName(s.state)}${s.failure ? `, ${describeHresult(s.failure).name}` : ''})`).join(', ');
      return new VssError(error.operation, error.outcome, `${error.message} Writers not stable: ${names}.`, error.hresult);
    } catch {
      return error;
    }
  }

  #failRequired(statuses: WriterStatus[], selection: { require: string[] }, when: string): void {
    for (const required of selection.require) {
      const status = statuses.find((s) => isRequired(s, { require: [required] }));
      if (!status) {
        throw new VssError('require-writer', 'failed', `required writer "${required}" did not report a status ${when}; it is not taking part in the backup. Check it with \`vssadmin list writers\`.`);
      }
      if (isFailedState(status.state)) {
        const { name, advice } = describeHresult(status.failure);
        throw new VssError(
          'require-writer',
          'failed',
          `required writer "${status.name}" failed ${when}: it is in state ${vssStateName(status.state)} with ${name} (${hex(status.failure)}). ${advice}`,
          status.failure,
        );
      }
    }
  }

  /** Stage 7: tell the writers whether the copy succeeded. */
  async backupComplete(succeeded: boolean, timeoutMs: number): Promise<void> {
    for (const { writer, component } of this.#added) {
      this.#components.invoke('SetBackupSucceeded', parseGuid(writer.instanceId), parseGuid(writer.writerId), component.type, component.logicalPath || null, component.name, succeeded ? 1 : 0);
    }
    await this.#async('BackupComplete', new SetDeadline(timeoutMs));
    this.#completed = true;
  }

  /** Aborts a prepared backup unless completed, deletes the set's shadow copies, releases the components. */
  release(): string[] {
    const problems: string[] = [];
    if (this.#components.released) return problems;
    if (this.#prepared && !this.#completed) {
      const hr = this.#components.call('AbortBackup');
      if (hr < 0 && hr !== HRESULT.VSS_E_BAD_STATE) problems.push(`AbortBackup: ${describeHresult(hr).name}`);
    }
    if (this.#setId && this.#snapshotStarted) {
      try {
        this.deleteSet(this.#setId);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    this.#components.release();
    return problems;
  }
}
