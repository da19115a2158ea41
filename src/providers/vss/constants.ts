// Enum values the binding passes to or reads from VSS, named as in vss.h / vswriter.h
// (test/providers/vss/slots.test.ts checks each against the header).

export const VSS_BACKUP_TYPE = { VSS_BT_FULL: 1, VSS_BT_INCREMENTAL: 2, VSS_BT_DIFFERENTIAL: 3, VSS_BT_COPY: 5 } as const;

export const VSS_SNAPSHOT_CONTEXT = { VSS_CTX_BACKUP: 0x0, VSS_CTX_FILE_SHARE_BACKUP: 0x10, VSS_CTX_ALL: -1 } as const;

export const VSS_OBJECT_TYPE = { VSS_OBJECT_SNAPSHOT_SET: 2, VSS_OBJECT_SNAPSHOT: 3 } as const;

/** VSS_WRITER_STATE, index = value. */
export const VSS_WRITER_STATES = [
  'VSS_WS_UNKNOWN',
  'VSS_WS_STABLE',
  'VSS_WS_WAITING_FOR_FREEZE',
  'VSS_WS_WAITING_FOR_THAW',
  'VSS_WS_WAITING_FOR_POST_SNAPSHOT',
  'VSS_WS_WAITING_FOR_BACKUP_COMPLETE',
  'VSS_WS_FAILED_AT_IDENTIFY',
  'VSS_WS_FAILED_AT_PREPARE_BACKUP',
  'VSS_WS_FAILED_AT_PREPARE_SNAPSHOT',
  'VSS_WS_FAILED_AT_FREEZE',
  'VSS_WS_FAILED_AT_THAW',
  'VSS_WS_FAILED_AT_POST_SNAPSHOT',
  'VSS_WS_FAILED_AT_BACKUP_COMPLETE',
  'VSS_WS_FAILED_AT_PRE_RESTORE',
  'VSS_WS_FAILED_AT_POST_RESTORE',
  'VSS_WS_FAILED_AT_BACKUPSHUTDOWN',
] as const;

/** CoInitializeEx / CoInitializeSecurity arguments (objbase.h, rpcdce.h, objidl.h). */
export const COM = {
  COINIT_MULTITHREADED: 0x0,
  RPC_C_AUTHN_LEVEL_PKT_PRIVACY: 6,
  RPC_C_IMP_LEVEL_IMPERSONATE: 3,
  EOAC_STATIC_CLOAKING: 0x20,
} as const;
