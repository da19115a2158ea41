// Every HRESULT that vsserror.h defines (test/providers/vss/hresult.test.ts checks that none is
// missing and every code is right), plus the COM codes a requester meets, each with a
// sentence that says what to do about it.

export interface HresultInfo {
  name: string;
  /** What happened and what to do, for the person running the backup. */
  advice: string;
}

const ADMIN = 'Run Stillpoint from an elevated prompt, or as a member of Backup Operators (and, for a scheduled task, tick "Run with highest privileges").';

const TABLE: Array<[number, string, string]> = [
  // COM and Win32 codes a VSS requester meets
  [0x00000001, 'S_FALSE', 'COM was already initialised on this thread; nothing to do.'],
  [0x80004001, 'E_NOTIMPL', 'This VSS implementation does not offer the call; it needs a newer Windows version.'],
  [0x80004005, 'E_FAIL', 'VSS failed without saying why; look at the Application event log (source VSS) for the cause.'],
  [0x8000FFFF, 'E_UNEXPECTED', 'VSS reported an unexpected internal error; see the Application event log (source VSS), and restart the "Volume Shadow Copy" service if it persists.'],
  [0x80070005, 'E_ACCESSDENIED', `Access denied: VSS needs administrator rights or the Backup Operators group. ${ADMIN}`],
  [0x8007000E, 'E_OUTOFMEMORY', 'The system ran out of memory while VSS was working; free memory and run again.'],
  [0x80070057, 'E_INVALIDARG', 'VSS rejected an argument: check that every volume is a local NTFS or ReFS volume and that provider-id is a valid GUID.'],
  [0x800401F0, 'CO_E_NOTINITIALIZED', 'COM was not initialised before VSS was called; this is a bug in Stillpoint, please report it.'],
  [0x80010106, 'RPC_E_CHANGED_MODE', 'This thread already runs COM in single-threaded mode; VSS needs the multithreaded apartment. Run Stillpoint in its own process (not inside a host that initialised COM as STA).'],
  [0x80010119, 'RPC_E_TOO_LATE', 'COM security was already set for this process, so writers may not be able to call back; run Stillpoint in its own process.'],
  [0x8007045B, 'ERROR_SHUTDOWN_IN_PROGRESS', 'Windows is shutting down; run the backup after the restart.'],
  [0x80070015, 'ERROR_NOT_READY', 'The volume is not ready (a removable or disconnected disk?); check that it is mounted.'],
  // vsserror.h
  [0x80042301, 'VSS_E_BAD_STATE', 'VSS calls arrived in an order VSS does not allow (or a previous call on this set failed); this is a bug in Stillpoint or the set was already aborted.'],
  [0x80042302, 'VSS_E_UNEXPECTED', 'VSS hit an unexpected error; see the Application event log (source VSS) and restart the "Volume Shadow Copy" service if it persists.'],
  [0x80042303, 'VSS_E_PROVIDER_ALREADY_REGISTERED', 'The shadow copy provider is already registered; nothing for a backup to do.'],
  [0x80042304, 'VSS_E_PROVIDER_NOT_REGISTERED', 'The provider named by provider-id is not registered on this machine; list providers with `vssadmin list providers` and fix provider-id, or remove it to let VSS choose.'],
  [0x80042306, 'VSS_E_PROVIDER_VETO', 'The shadow copy provider refused to create the snapshot; the System event log (volsnap, or the hardware provider\'s source) says why.'],
  [0x80042307, 'VSS_E_PROVIDER_IN_USE', 'The shadow copy provider is busy with another operation; run again later.'],
  [0x80042308, 'VSS_E_OBJECT_NOT_FOUND', 'The volume or shadow copy does not exist (any more); check the volume path, or ignore this when cleaning up a snapshot that Windows already removed.'],
  [0x00042309, 'VSS_S_ASYNC_PENDING', 'The VSS operation is still running.'],
  [0x0004230A, 'VSS_S_ASYNC_FINISHED', 'The VSS operation finished.'],
  [0x0004230B, 'VSS_S_ASYNC_CANCELLED', 'The VSS operation was cancelled.'],
  [0x8004230C, 'VSS_E_VOLUME_NOT_SUPPORTED', 'Shadow copies are not supported on this volume (FAT, exFAT, network or removable?); use a local NTFS or ReFS volume, or add `provider copy` as a fallback.'],
  [0x8004230E, 'VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER', 'The provider named by provider-id does not support this volume; remove provider-id to let VSS choose the system provider.'],
  [0x8004230D, 'VSS_E_OBJECT_ALREADY_EXISTS', 'The volume is already part of this snapshot set; list each volume once in the job.'],
  [0x8004230F, 'VSS_E_UNEXPECTED_PROVIDER_ERROR', 'The shadow copy provider failed unexpectedly; see the System and Application event logs for the provider\'s error.'],
  [0x80042310, 'VSS_E_CORRUPT_XML_DOCUMENT', 'A writer\'s metadata document is corrupt; find the writer with `vssadmin list writers` and restart its service.'],
  [0x80042311, 'VSS_E_INVALID_XML_DOCUMENT', 'A writer\'s metadata document is not valid; find the writer with `vssadmin list writers` and restart its service.'],
  [0x80042312, 'VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED', 'Too many volumes in one snapshot set (VSS allows 64); split the job.'],
  [0x80042313, 'VSS_E_FLUSH_WRITES_TIMEOUT', 'Windows could not flush the file system within its time limit (heavy disk I/O); run the backup when the disks are quieter, or add a `quiesce` gate.'],
  [0x80042314, 'VSS_E_HOLD_WRITES_TIMEOUT', 'Windows could not hold writes long enough to take the snapshot (heavy disk I/O); run the backup when the disks are quieter, or add a `quiesce` gate.'],
  [0x80042315, 'VSS_E_UNEXPECTED_WRITER_ERROR', 'A VSS writer failed unexpectedly; `vssadmin list writers` shows which, and restarting its service usually helps.'],
  [0x80042316, 'VSS_E_SNAPSHOT_SET_IN_PROGRESS', 'Another snapshot set is being created on this machine (another backup program?); Stillpoint retried until its timeout. Schedule the jobs apart or raise `timeout` in the vss block.'],
  [0x80042317, 'VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED', 'The volume already has the most shadow copies VSS allows (64 or 512); delete old ones with `vssadmin delete shadows /for=C: /oldest`.'],
  [0x80042318, 'VSS_E_WRITER_INFRASTRUCTURE', 'The VSS writer infrastructure is not working; restart the "Volume Shadow Copy" and "COM+ Event System" services, then check `vssadmin list writers`.'],
  [0x80042319, 'VSS_E_WRITER_NOT_RESPONDING', 'A VSS writer did not respond; `vssadmin list writers` shows it, restart its service or exclude it with exclude-writer.'],
  [0x8004231A, 'VSS_E_WRITER_ALREADY_SUBSCRIBED', 'A writer subscribed twice; restart the writer\'s service.'],
  [0x8004231B, 'VSS_E_UNSUPPORTED_CONTEXT', 'The provider does not support this snapshot context; use `context backup`, or remove provider-id.'],
  [0x8004231D, 'VSS_E_VOLUME_IN_USE', 'The volume is in use by another shadow copy operation (a revert or resync?); run again later.'],
  [0x8004231E, 'VSS_E_MAXIMUM_DIFFAREA_ASSOCIATIONS_REACHED', 'The volume has the most shadow storage associations allowed; remove one with `vssadmin delete shadowstorage`.'],
  [0x8004231F, 'VSS_E_INSUFFICIENT_STORAGE', 'Not enough shadow storage space on the volume; free space or enlarge it with `vssadmin resize shadowstorage /for=C: /on=C: /maxsize=15%`.'],
  [0x80042320, 'VSS_E_NO_SNAPSHOTS_IMPORTED', 'No shadow copies were imported (transportable shadow copies); nothing for a backup to do.'],
  [0x00042321, 'VSS_S_SOME_SNAPSHOTS_NOT_IMPORTED', 'Some shadow copies were not imported (transportable shadow copies).'],
  [0x80042321, 'VSS_E_SOME_SNAPSHOTS_NOT_IMPORTED', 'Some shadow copies were not imported (transportable shadow copies).'],
  [0x80042322, 'VSS_E_MAXIMUM_NUMBER_OF_REMOTE_MACHINES_REACHED', 'Too many remote machines are involved in this shadow copy; split the job.'],
  [0x80042323, 'VSS_E_REMOTE_SERVER_UNAVAILABLE', 'The file server holding a share in the set is unreachable; check the network and the server\'s "File Server VSS Agent Service".'],
  [0x80042324, 'VSS_E_REMOTE_SERVER_UNSUPPORTED', 'The file server holding a share does not support shadow copies of shares; install the "File Server VSS Agent Service" there or back the share up with `provider copy`.'],
  [0x80042325, 'VSS_E_REVERT_IN_PROGRESS', 'The volume is being reverted to a shadow copy; wait until the revert finishes.'],
  [0x80042326, 'VSS_E_REVERT_VOLUME_LOST', 'The volume was lost during a revert; check the disk.'],
  [0x80042327, 'VSS_E_REBOOT_REQUIRED', 'Windows needs a restart before it can create shadow copies; restart and run again.'],
  [0x80042328, 'VSS_E_TRANSACTION_FREEZE_TIMEOUT', 'The Kernel Transaction Manager could not freeze its transactions in time; run the backup when fewer transactions are active.'],
  [0x80042329, 'VSS_E_TRANSACTION_THAW_TIMEOUT', 'Transactions stayed frozen too long and were thawed; run the backup when the system is less busy.'],
  [0x8004232D, 'VSS_E_VOLUME_NOT_LOCAL', 'The volume is not local to this machine; back it up on the machine that owns it, or use `provider copy`.'],
  [0x8004232E, 'VSS_E_CLUSTER_TIMEOUT', 'A cluster operation timed out while creating the shadow copy of a cluster shared volume; check the cluster\'s health and run again.'],
  [0x800423F0, 'VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT', 'A writer says the shadow copy is inconsistent for its data (it contains only part of the writer\'s volumes); add every volume the writer uses to the job.'],
  [0x800423F1, 'VSS_E_WRITERERROR_OUTOFRESOURCES', 'A writer ran out of resources (memory, handles); free resources and run again.'],
  [0x800423F2, 'VSS_E_WRITERERROR_TIMEOUT', 'A writer timed out between freeze and thaw (Windows allows 60 s); run the backup when the application is less busy, or exclude the writer with exclude-writer.'],
  [0x800423F3, 'VSS_E_WRITERERROR_RETRYABLE', 'A writer failed with a transient error; running the backup again usually works.'],
  [0x800423F4, 'VSS_E_WRITERERROR_NONRETRYABLE', 'A writer failed with an error that retrying will not fix; look at the writer\'s application event log and restart its service.'],
  [0x800423F5, 'VSS_E_WRITERERROR_RECOVERY_FAILED', 'The writer could not recover the shadow copy (auto-recovery failed); see the writer\'s event log.'],
  [0x800423F6, 'VSS_E_BREAK_REVERT_ID_FAILED', 'Breaking a shadow copy set failed while reverting disk identifiers; nothing for a backup to do.'],
  [0x800423F7, 'VSS_E_LEGACY_PROVIDER', 'The shadow copy provider is a legacy one that this operation does not support; remove provider-id to use the system provider.'],
  [0x800423F8, 'VSS_E_MISSING_DISK', 'A disk needed for the operation is missing; check the disks.'],
  [0x800423F9, 'VSS_E_MISSING_HIDDEN_VOLUME', 'A hidden volume needed for the operation is missing; check the disks.'],
  [0x800423FA, 'VSS_E_MISSING_VOLUME', 'A volume needed for the operation is missing; check the volumes in the job.'],
  [0x800423FB, 'VSS_E_AUTORECOVERY_FAILED', 'Auto-recovery of the shadow copy failed; see the System event log.'],
  [0x800423FC, 'VSS_E_DYNAMIC_DISK_ERROR', 'A dynamic disk error occurred; check the disks in Disk Management.'],
  [0x800423FD, 'VSS_E_NONTRANSPORTABLE_BCD', 'The boot configuration data is not transportable; nothing for a file backup to do.'],
  [0x800423FE, 'VSS_E_CANNOT_REVERT_DISKID', 'The disk identifier could not be reverted; nothing for a file backup to do.'],
  [0x800423FF, 'VSS_E_RESYNC_IN_PROGRESS', 'A LUN resynchronisation is in progress on the volume; run again after it finishes.'],
  [0x80042400, 'VSS_E_CLUSTER_ERROR', 'The cluster reported an error; check the cluster\'s health and run again.'],
  [0x8004232A, 'VSS_E_UNSELECTED_VOLUME', 'A writer\'s component lives on a volume that is not in the set; add that volume to the job, or exclude the writer.'],
  [0x8004232B, 'VSS_E_SNAPSHOT_NOT_IN_SET', 'The shadow copy is not part of the set; this is a bug in Stillpoint, please report it.'],
  [0x8004232C, 'VSS_E_NESTED_VOLUME_LIMIT', 'The volume is nested too deeply (a VHD inside a VHD...) for shadow copies; back it up from its host volume.'],
  [0x8004232F, 'VSS_E_NOT_SUPPORTED', 'This VSS operation is not supported on this Windows version or volume.'],
  [0x80042336, 'VSS_E_WRITERERROR_PARTIAL_FAILURE', 'A writer failed for some of its components; the writer\'s event log names them.'],
  [0x80042401, 'VSS_E_ASRERROR_DISK_ASSIGNMENT_FAILED', 'Automated System Recovery could not assign disks; not used by a file backup.'],
  [0x80042402, 'VSS_E_ASRERROR_DISK_RECREATION_FAILED', 'Automated System Recovery could not recreate a disk; not used by a file backup.'],
  [0x80042403, 'VSS_E_ASRERROR_NO_ARCPATH', 'Automated System Recovery found no ARC path for a disk; not used by a file backup.'],
  [0x80042404, 'VSS_E_ASRERROR_MISSING_DYNDISK', 'Automated System Recovery is missing a dynamic disk; not used by a file backup.'],
  [0x80042405, 'VSS_E_ASRERROR_SHARED_CRIDISK', 'Automated System Recovery found a critical disk that is shared; not used by a file backup.'],
  [0x80042406, 'VSS_E_ASRERROR_DATADISK_RDISK0', 'Automated System Recovery found a data disk as the boot disk; not used by a file backup.'],
  [0x80042407, 'VSS_E_ASRERROR_RDISK0_TOOSMALL', 'Automated System Recovery: the boot disk is too small; not used by a file backup.'],
  [0x80042408, 'VSS_E_ASRERROR_CRITICAL_DISKS_TOO_SMALL', 'Automated System Recovery: the critical disks are too small; not used by a file backup.'],
  [0x80042409, 'VSS_E_WRITER_STATUS_NOT_AVAILABLE', 'A writer\'s status is not available (it was not part of this backup, or VSS lost it); run `vssadmin list writers`.'],
  [0x8004240A, 'VSS_E_ASRERROR_DYNAMIC_VHD_NOT_SUPPORTED', 'Automated System Recovery does not support dynamic VHDs; not used by a file backup.'],
  [0x80042411, 'VSS_E_CRITICAL_VOLUME_ON_INVALID_DISK', 'A critical volume is on a disk that cannot be used for system state backups; not used by a file backup.'],
  [0x80042412, 'VSS_E_ASRERROR_RDISK_FOR_SYSTEM_DISK_NOT_FOUND', 'Automated System Recovery found no disk for the system disk; not used by a file backup.'],
  [0x80042413, 'VSS_E_ASRERROR_NO_PHYSICAL_DISK_AVAILABLE', 'Automated System Recovery found no physical disk; not used by a file backup.'],
  [0x80042414, 'VSS_E_ASRERROR_FIXED_PHYSICAL_DISK_AVAILABLE_AFTER_DISK_EXCLUSION', 'Automated System Recovery: a fixed disk remains after exclusions; not used by a file backup.'],
  [0x80042415, 'VSS_E_ASRERROR_CRITICAL_DISK_CANNOT_BE_EXCLUDED', 'Automated System Recovery: a critical disk cannot be excluded; not used by a file backup.'],
  [0x80042416, 'VSS_E_ASRERROR_SYSTEM_PARTITION_HIDDEN', 'Automated System Recovery: the system partition is hidden; not used by a file backup.'],
  [0x80042417, 'VSS_E_FSS_TIMEOUT', 'The File Server VSS Agent on a file server timed out; check that server and run again.'],
];

const BY_CODE = new Map<number, HresultInfo>(TABLE.map(([code, name, advice]) => [code | 0, { name, advice }]));

/** Every entry, for the completeness test. */
export function hresultTable(): ReadonlyMap<number, HresultInfo> {
  return BY_CODE;
}

export function hex(hr: number): string {
  return `0x${(hr >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

export function isFailure(hr: number): boolean {
  return (hr | 0) < 0;
}

/** Name and advice for any HRESULT; an unknown one gets its hex code and a pointer to the event log. */
export function describeHresult(hr: number): HresultInfo {
  return (
    BY_CODE.get(hr | 0) ?? {
      name: hex(hr),
      advice: 'Unknown error code; `certutil -error ' + hex(hr) + '` explains it, and the Application event log (source VSS) may say more.',
    }
  );
}

export const HRESULT = {
  S_OK: 0,
  S_FALSE: 1,
  RPC_E_TOO_LATE: 0x80010119 | 0,
  VSS_E_BAD_STATE: 0x80042301 | 0,
  VSS_E_OBJECT_NOT_FOUND: 0x80042308 | 0,
  VSS_E_SNAPSHOT_SET_IN_PROGRESS: 0x80042316 | 0,
  VSS_S_ASYNC_PENDING: 0x00042309,
  VSS_S_ASYNC_FINISHED: 0x0004230a,
  VSS_S_ASYNC_CANCELLED: 0x0004230b,
} as const;
