/* The Windows types that vsbackup.h and vss.h use, with their Windows sizes, so that the
 * vtables and structs copied verbatim from MinGW-w64's headers compile with the host's gcc
 * and keep the Windows layout. Differences from Windows are only those of the host ABI
 * (SysV on Linux x64: no __stdcall, a by-value GUID travels in two registers instead of by
 * hidden reference); koffi follows the same ABI on each side. wchar_t is 4 bytes on Linux,
 * so every wide string here is char16_t, as WCHAR is on Windows. */
#ifndef STILLPOINT_WIN_TYPES_H
#define STILLPOINT_WIN_TYPES_H

#include <stdint.h>
#include <uchar.h>

#define STDMETHODCALLTYPE
#define BEGIN_INTERFACE
#define END_INTERFACE
#define CONST_VTBL const

typedef int32_t HRESULT;
typedef uint32_t ULONG;
typedef uint32_t UINT;
typedef uint32_t DWORD;
typedef int32_t LONG;
typedef int32_t INT;
typedef int32_t WINBOOL;
typedef int64_t LONGLONG;
typedef uint8_t boolean;
typedef uint8_t BYTE;
typedef char16_t WCHAR;
typedef WCHAR *BSTR;
typedef const WCHAR *LPCWSTR;

typedef struct GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID;
typedef GUID IID;
typedef const IID *REFIID;

typedef GUID VSS_ID;
typedef WCHAR *VSS_PWSZ;
typedef LONGLONG VSS_TIMESTAMP;

/* C enums are int-sized on both ABIs. */
typedef int32_t VSS_BACKUP_TYPE;
typedef int32_t VSS_RESTORE_TYPE;
typedef int32_t VSS_COMPONENT_TYPE;
typedef int32_t VSS_WRITER_STATE;
typedef int32_t VSS_FILE_RESTORE_STATUS;
typedef int32_t VSS_OBJECT_TYPE;
typedef int32_t VSS_USAGE_TYPE;
typedef int32_t VSS_SOURCE_TYPE;
typedef int32_t VSS_RESTOREMETHOD_ENUM;
typedef int32_t VSS_WRITERRESTORE_ENUM;
typedef int32_t VSS_SNAPSHOT_STATE;

/* Interfaces the double hands out only as opaque pointers (or not at all). */
typedef struct IVssWriterComponentsExt IVssWriterComponentsExt;
typedef struct IVssEnumObject IVssEnumObject;
typedef struct IVssWMFiledesc IVssWMFiledesc;
typedef struct IVssWMDependency IVssWMDependency;
typedef struct IXMLDOMDocument IXMLDOMDocument;

#define S_OK ((HRESULT)0)
#define S_FALSE ((HRESULT)1)
#define E_NOTIMPL ((HRESULT)0x80004001)
#define E_INVALIDARG ((HRESULT)0x80070057)
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)
#define CO_E_NOTINITIALIZED ((HRESULT)0x800401F0)
#define RPC_E_CHANGED_MODE ((HRESULT)0x80010106)
#define RPC_E_TOO_LATE ((HRESULT)0x80010119)

#endif
