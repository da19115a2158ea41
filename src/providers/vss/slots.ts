// The COM vtables the VSS binding calls through, as data: every interface's methods in slot
// order (IUnknown's three first), and the C parameter list of each method the binding calls,
// written with the same type names as the Windows SDK. test/providers/vss/slots.test.ts checks
// both, method for method and parameter for parameter, against MinGW-w64's vsbackup.h and
// vss.h; com.ts registers every type name used here with koffi, so a prototype below is
// exactly what the header declares.

export const VTABLES = {
  IVssBackupComponents: [
    'QueryInterface', 'AddRef', 'Release',
    'GetWriterComponentsCount', 'GetWriterComponents', 'InitializeForBackup', 'SetBackupState',
    'InitializeForRestore', 'SetRestoreState', 'GatherWriterMetadata', 'GetWriterMetadataCount',
    'GetWriterMetadata', 'FreeWriterMetadata', 'AddComponent', 'PrepareForBackup', 'AbortBackup',
    'GatherWriterStatus', 'GetWriterStatusCount', 'FreeWriterStatus', 'GetWriterStatus',
    'SetBackupSucceeded', 'SetBackupOptions', 'SetSelectedForRestore', 'SetRestoreOptions',
    'SetAdditionalRestores', 'SetPreviousBackupStamp', 'SaveAsXML', 'BackupComplete',
    'AddAlternativeLocationMapping', 'AddRestoreSubcomponent', 'SetFileRestoreStatus',
    'AddNewTarget', 'SetRangesFilePath', 'PreRestore', 'PostRestore', 'SetContext',
    'StartSnapshotSet', 'AddToSnapshotSet', 'DoSnapshotSet', 'DeleteSnapshots', 'ImportSnapshots',
    'BreakSnapshotSet', 'GetSnapshotProperties', 'Query', 'IsVolumeSupported',
    'DisableWriterClasses', 'EnableWriterClasses', 'DisableWriterInstances', 'ExposeSnapshot',
    'RevertToSnapshot', 'QueryRevertStatus',
  ],
  IVssAsync: ['QueryInterface', 'AddRef', 'Release', 'Cancel', 'Wait', 'QueryStatus'],
  IVssExamineWriterMetadata: [
    'QueryInterface', 'AddRef', 'Release',
    'GetIdentity', 'GetFileCounts', 'GetIncludeFile', 'GetExcludeFile', 'GetComponent',
    'GetRestoreMethod', 'GetAlternateLocationMapping', 'GetBackupSchema', 'GetDocument',
    'SaveAsXML', 'LoadFromXML',
  ],
  IVssWMComponent: [
    'QueryInterface', 'AddRef', 'Release',
    'GetComponentInfo', 'FreeComponentInfo', 'GetFile', 'GetDatabaseFile', 'GetDatabaseLogFile',
    'GetDependency',
  ],
} as const;

export type InterfaceName = keyof typeof VTABLES;
export type MethodOf<I extends InterfaceName> = (typeof VTABLES)[I][number];

/** Which header declares each interface. */
export const HEADER_OF: Record<InterfaceName, string> = {
  IVssBackupComponents: 'vsbackup.h',
  IVssAsync: 'vss.h',
  IVssExamineWriterMetadata: 'vsbackup.h',
  IVssWMComponent: 'vsbackup.h',
};

interface Prototype {
  returns: 'HRESULT' | 'ULONG';
  /** After `This`; `_Out_` marks what koffi copies back. */
  params: string[];
}

const hr = (...params: string[]): Prototype => ({ returns: 'HRESULT', params });
const IUNKNOWN_RELEASE: Prototype = { returns: 'ULONG', params: [] };

/** The methods the binding calls, with their C parameters (without `This`). */
export const PROTOTYPES = {
  IVssBackupComponents: {
    Release: IUNKNOWN_RELEASE,
    InitializeForBackup: hr('BSTR bstrXML'),
    SetBackupState: hr('boolean bSelectComponents', 'boolean bBackupBootableSystemState', 'VSS_BACKUP_TYPE backupType', 'boolean bPartialFileSupport'),
    GatherWriterMetadata: hr('_Out_ IVssAsync **pAsync'),
    GetWriterMetadataCount: hr('_Out_ UINT *pcWriters'),
    GetWriterMetadata: hr('UINT iWriter', '_Out_ VSS_ID *pidInstance', '_Out_ IVssExamineWriterMetadata **ppMetadata'),
    FreeWriterMetadata: hr(),
    AddComponent: hr('VSS_ID instanceId', 'VSS_ID writerId', 'VSS_COMPONENT_TYPE ct', 'LPCWSTR wszLogicalPath', 'LPCWSTR wszComponentName'),
    PrepareForBackup: hr('_Out_ IVssAsync **ppAsync'),
    AbortBackup: hr(),
    GatherWriterStatus: hr('_Out_ IVssAsync **pAsync'),
    GetWriterStatusCount: hr('_Out_ UINT *pcWriters'),
    FreeWriterStatus: hr(),
    GetWriterStatus: hr('UINT iWriter', '_Out_ VSS_ID *pidInstance', '_Out_ VSS_ID *pidWriter', '_Out_ BSTR *pbstrWriter', '_Out_ VSS_WRITER_STATE *pnStatus', '_Out_ HRESULT *phResultFailure'),
    SetBackupSucceeded: hr('VSS_ID instanceId', 'VSS_ID writerId', 'VSS_COMPONENT_TYPE ct', 'LPCWSTR wszLogicalPath', 'LPCWSTR wszComponentName', 'boolean bSucceded'),
    SetPreviousBackupStamp: hr('VSS_ID writerId', 'VSS_COMPONENT_TYPE ct', 'LPCWSTR wszLogicalPath', 'LPCWSTR wszComponentName', 'LPCWSTR wszPreviousBackupStamp'),
    BackupComplete: hr('_Out_ IVssAsync **ppAsync'),
    SetContext: hr('LONG lContext'),
    StartSnapshotSet: hr('_Out_ VSS_ID *pSnapshotSetId'),
    AddToSnapshotSet: hr('VSS_PWSZ pwszVolumeName', 'VSS_ID ProviderId', '_Out_ VSS_ID *pidSnapshot'),
    DoSnapshotSet: hr('_Out_ IVssAsync **ppAsync'),
    DeleteSnapshots: hr('VSS_ID SourceObjectId', 'VSS_OBJECT_TYPE eSourceObjectType', 'WINBOOL bForceDelete', '_Out_ LONG *plDeletedSnapshots', '_Out_ VSS_ID *pNondeletedSnapshotID'),
    GetSnapshotProperties: hr('VSS_ID SnapshotId', 'VSS_SNAPSHOT_PROP *pProp'),
    IsVolumeSupported: hr('VSS_ID ProviderId', 'VSS_PWSZ pwszVolumeName', '_Out_ WINBOOL *pbSupportedByThisProvider'),
    DisableWriterInstances: hr('const VSS_ID *rgWriterInstanceId', 'UINT cInstanceId'),
  },
  IVssAsync: {
    Release: IUNKNOWN_RELEASE,
    Cancel: hr(),
    Wait: hr('DWORD dwMilliseconds'),
    QueryStatus: hr('_Out_ HRESULT *pHrResult', 'INT *pReserved'),
  },
  IVssExamineWriterMetadata: {
    Release: IUNKNOWN_RELEASE,
    GetIdentity: hr('_Out_ VSS_ID *pidInstance', '_Out_ VSS_ID *pidWriter', '_Out_ BSTR *pbstrWriterName', '_Out_ VSS_USAGE_TYPE *pUsage', '_Out_ VSS_SOURCE_TYPE *pSource'),
    GetFileCounts: hr('_Out_ UINT *pcIncludeFiles', '_Out_ UINT *pcExcludeFiles', '_Out_ UINT *pcComponents'),
    GetComponent: hr('UINT iComponent', '_Out_ IVssWMComponent **ppComponent'),
  },
  IVssWMComponent: {
    Release: IUNKNOWN_RELEASE,
    GetComponentInfo: hr('_Out_ PVSSCOMPONENTINFO *ppInfo'),
    FreeComponentInfo: hr('PVSSCOMPONENTINFO pInfo'),
  },
} as const satisfies { [I in InterfaceName]: Partial<Record<MethodOf<I>, Prototype>> };

export type CalledMethod<I extends InterfaceName> = keyof (typeof PROTOTYPES)[I] & string;

export function slotOf<I extends InterfaceName>(iface: I, method: MethodOf<I>): number {
  return (VTABLES[iface] as readonly string[]).indexOf(method);
}

/** Structs the binding reads, field names in declaration order (checked against the headers). */
export const STRUCTS = {
  VSS_SNAPSHOT_PROP: {
    header: 'vss.h',
    fields: [
      ['VSS_ID', 'm_SnapshotId'], ['VSS_ID', 'm_SnapshotSetId'], ['LONG', 'm_lSnapshotsCount'],
      ['VSS_PWSZ', 'm_pwszSnapshotDeviceObject'], ['VSS_PWSZ', 'm_pwszOriginalVolumeName'],
      ['VSS_PWSZ', 'm_pwszOriginatingMachine'], ['VSS_PWSZ', 'm_pwszServiceMachine'],
      ['VSS_PWSZ', 'm_pwszExposedName'], ['VSS_PWSZ', 'm_pwszExposedPath'], ['VSS_ID', 'm_ProviderId'],
      ['LONG', 'm_lSnapshotAttributes'], ['VSS_TIMESTAMP', 'm_tsCreationTimestamp'],
      ['VSS_SNAPSHOT_STATE', 'm_eStatus'],
    ],
  },
  VSS_COMPONENTINFO: {
    header: 'vsbackup.h',
    fields: [
      ['VSS_COMPONENT_TYPE', 'type'], ['BSTR', 'bstrLogicalPath'], ['BSTR', 'bstrComponentName'],
      ['BSTR', 'bstrCaption'], ['BYTE *', 'pbIcon'], ['UINT', 'cbIcon'], ['boolean', 'bRestoreMetadata'],
      ['boolean', 'bNotifyOnBackupComplete'], ['boolean', 'bSelectable'], ['boolean', 'bSelectableForRestore'],
      ['DWORD', 'dwComponentFlags'], ['UINT', 'cFileCount'], ['UINT', 'cDatabases'], ['UINT', 'cLogFiles'],
      ['UINT', 'cDependencies'],
    ],
  },
} as const;
