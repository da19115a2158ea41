/* An ABI-true test double of vssapi.dll (and of the few ole32/oleaut32 calls a requester
 * makes), for running Stillpoint's VSS binding on Linux through koffi on the same code path
 * as on Windows. The vtables come from MinGW-w64's vsbackup.h/vss.h (generated into
 * build/vss_vtables.h); this file implements the methods the binding calls.
 *
 * What it simulates:
 *   - VSS's call order: a call out of order returns VSS_E_BAD_STATE;
 *   - IVssAsync objects that complete later, on their own thread (Wait, QueryStatus, Cancel);
 *   - writers: `stable`, `freeze-fail` (fails in freeze: VSS_WS_FAILED_AT_FREEZE) and
 *     `freeze-timeout` (does not answer the freeze: DoSnapshotSet stays pending);
 *   - writers reach the requester only when CoInitializeSecurity allowed them to call back;
 *   - "snapshots": DoSnapshotSet copies each volume (a directory) under the store directory,
 *     and the device object it reports is that copy;
 *   - one snapshot set at a time per store (VSS_E_SNAPSHOT_SET_IN_PROGRESS across processes);
 *   - non-persistent backup context: releasing the components deletes their snapshots,
 *     a killed requester leaves them until DeleteSnapshots.
 *
 * Configuration: STILLPOINT_VSS_DOUBLE="store=DIR;writers=NAME:BEHAVIOUR,...;async-ms=N;
 * hang-ms=N;fail=Method:0xHRESULT,..." read when CreateVssBackupComponentsInternal runs.
 * VssDoubleJournal() returns the calls made so far, one per line; VssDoubleLive() counts
 * objects, BSTRs and property blocks not yet released or freed. Neither is used by the
 * binding. */

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform.h"
#include "vss_vtables.h"

#define VSS_E_BAD_STATE ((HRESULT)0x80042301)
#define VSS_E_PROVIDER_NOT_REGISTERED ((HRESULT)0x80042304)
#define VSS_E_OBJECT_NOT_FOUND ((HRESULT)0x80042308)
#define VSS_S_ASYNC_PENDING ((HRESULT)0x00042309)
#define VSS_S_ASYNC_FINISHED ((HRESULT)0x0004230A)
#define VSS_S_ASYNC_CANCELLED ((HRESULT)0x0004230B)
#define VSS_E_OBJECT_ALREADY_EXISTS ((HRESULT)0x8004230D)
#define VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED ((HRESULT)0x80042312)
#define VSS_E_SNAPSHOT_SET_IN_PROGRESS ((HRESULT)0x80042316)
#define VSS_E_UNSUPPORTED_CONTEXT ((HRESULT)0x8004231B)
#define VSS_E_WRITERERROR_TIMEOUT ((HRESULT)0x800423F2)
#define VSS_E_WRITERERROR_RETRYABLE ((HRESULT)0x800423F3)

enum { WS_STABLE = 1, WS_WAITING_FOR_BACKUP_COMPLETE = 5, WS_FAILED_AT_FREEZE = 9 };
enum { BEHAVIOUR_STABLE, BEHAVIOUR_FREEZE_FAIL, BEHAVIOUR_FREEZE_TIMEOUT };
enum { OP_METADATA, OP_PREPARE, OP_SNAPSHOT, OP_STATUS, OP_COMPLETE };
static const char *const OP_NAMES[] = {"GatherWriterMetadata", "PrepareForBackup", "DoSnapshotSet",
                                       "GatherWriterStatus", "BackupComplete"};
enum { NOT_STARTED, PENDING, DONE };

/* Microsoft Software Shadow Copy provider 1.0 */
static const VSS_ID SYSTEM_PROVIDER = {0xb5946137, 0x7b9f, 0x4925, {0xaf, 0x80, 0x51, 0xab, 0xd6, 0x0b, 0x20, 0xd5}};

#define MAX_WRITERS 8
#define MAX_VOLUMES 64
#define MAX_FAULTS 8

typedef struct Writer {
  char name[128];
  VSS_ID instance;
  VSS_ID id;
  int behaviour;
  int disabled;
  int components_added;
  VSS_WRITER_STATE state;
  HRESULT failure;
} Writer;

typedef struct Config {
  char store[1024];
  Writer writers[MAX_WRITERS];
  int nwriters;
  long async_ms;
  long hang_ms;
  char fault_method[MAX_FAULTS][64];
  HRESULT fault_hr[MAX_FAULTS];
  int nfaults;
} Config;

typedef struct Backup {
  IVssBackupComponents iface;
  int refs;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  Config cfg;
  int initialized, context_set, state_set, aborted, holds_lock, pending;
  LONG context;
  VSS_BACKUP_TYPE backup_type;
  int phase[5]; /* by OP_*: NOT_STARTED, PENDING, DONE */
  int set_started, set_deleted;
  VSS_ID set_id;
  int nvolumes;
  char volumes[MAX_VOLUMES][1024];
  VSS_ID snapshot_ids[MAX_VOLUMES];
  int writers_visible;
} Backup;

typedef struct Async {
  IVssAsync iface;
  int refs;
  Backup *owner;
  int op;
  HRESULT status;
  int cancel;
} Async;

typedef struct Metadata {
  IVssExamineWriterMetadata iface;
  int refs;
  Writer writer;
} Metadata;

typedef struct Component {
  IVssWMComponent iface;
  int refs;
  int index; /* 0: "Data" at the writer's root, 1: "Logs" under "Data" */
} Component;

/* ---- process-wide state: COM, the journal, leak counters ---- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_com_initialized, g_com_mode = -1, g_security_set, g_writers_can_call_back;
static char *g_journal;
static size_t g_journal_len;
static long g_live;
static Backup *g_lock_holder;

static void journal(const char *fmt, ...) {
  char line[1400];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  pthread_mutex_lock(&g_mu);
  char *grown = realloc(g_journal, g_journal_len + n + 1);
  if (grown) {
    g_journal = grown;
    memcpy(g_journal + g_journal_len, line, n);
    g_journal_len += n;
    g_journal[g_journal_len] = 0;
  }
  pthread_mutex_unlock(&g_mu);
}

static void live(long delta) {
  pthread_mutex_lock(&g_mu);
  g_live += delta;
  pthread_mutex_unlock(&g_mu);
}

const char *VssDoubleJournal(void) { return g_journal ? g_journal : ""; }

void VssDoubleResetJournal(void) {
  pthread_mutex_lock(&g_mu);
  g_journal_len = 0;
  if (g_journal) g_journal[0] = 0;
  pthread_mutex_unlock(&g_mu);
}

long VssDoubleLive(void) {
  pthread_mutex_lock(&g_mu);
  long n = g_live;
  pthread_mutex_unlock(&g_mu);
  return n;
}

/* ---- strings: UTF-16 (WCHAR) <-> UTF-8 ---- */

static void to_utf8(const WCHAR *in, char *out, size_t size) {
  size_t o = 0;
  for (; in && *in && o + 4 < size; in++) {
    uint32_t c = *in;
    if (c >= 0xD800 && c < 0xDC00 && in[1] >= 0xDC00 && in[1] < 0xE000) c = 0x10000 + ((c - 0xD800) << 10) + (*++in - 0xDC00);
    if (c < 0x80) out[o++] = (char)c;
    else if (c < 0x800) { out[o++] = (char)(0xC0 | c >> 6); out[o++] = (char)(0x80 | (c & 0x3F)); }
    else if (c < 0x10000) { out[o++] = (char)(0xE0 | c >> 12); out[o++] = (char)(0x80 | (c >> 6 & 0x3F)); out[o++] = (char)(0x80 | (c & 0x3F)); }
    else { out[o++] = (char)(0xF0 | c >> 18); out[o++] = (char)(0x80 | (c >> 12 & 0x3F)); out[o++] = (char)(0x80 | (c >> 6 & 0x3F)); out[o++] = (char)(0x80 | (c & 0x3F)); }
  }
  out[o] = 0;
}

/* Returns the number of UTF-16 units written to out (may be NULL to count). */
static size_t from_utf8(const char *in, WCHAR *out) {
  size_t n = 0;
  const unsigned char *s = (const unsigned char *)in;
  while (*s) {
    uint32_t c;
    if (*s < 0x80) c = *s++;
    else if ((*s & 0xE0) == 0xC0) { c = (uint32_t)(*s++ & 0x1F) << 6; c |= *s++ & 0x3F; }
    else if ((*s & 0xF0) == 0xE0) { c = (uint32_t)(*s++ & 0x0F) << 12; c |= (uint32_t)(*s++ & 0x3F) << 6; c |= *s++ & 0x3F; }
    else { c = (uint32_t)(*s++ & 0x07) << 18; c |= (uint32_t)(*s++ & 0x3F) << 12; c |= (uint32_t)(*s++ & 0x3F) << 6; c |= *s++ & 0x3F; }
    if (c >= 0x10000) {
      if (out) { out[n] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10)); out[n + 1] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF)); }
      n += 2;
    } else {
      if (out) out[n] = (WCHAR)c;
      n++;
    }
  }
  if (out) out[n] = 0;
  return n;
}

static WCHAR *wide_dup(const char *utf8) {
  size_t n = from_utf8(utf8, NULL);
  WCHAR *w = malloc((n + 1) * sizeof(WCHAR));
  from_utf8(utf8, w);
  return w;
}

/* BSTR: a 4-byte byte length before the characters, as oleaut32 lays it out. */
static BSTR bstr_alloc(const char *utf8) {
  size_t n = from_utf8(utf8, NULL);
  uint32_t *block = malloc(4 + (n + 1) * sizeof(WCHAR));
  block[0] = (uint32_t)(n * sizeof(WCHAR));
  from_utf8(utf8, (WCHAR *)(block + 1));
  live(1);
  return (BSTR)(block + 1);
}

void SysFreeString(BSTR s) {
  if (!s) return;
  free((uint32_t *)s - 1);
  live(-1);
}

/* ---- GUIDs ---- */

static VSS_ID new_guid(void) {
  VSS_ID g;
  platform_random(&g, sizeof g);
  g.Data3 = (uint16_t)((g.Data3 & 0x0FFF) | 0x4000);
  g.Data4[0] = (uint8_t)((g.Data4[0] & 0x3F) | 0x80);
  return g;
}

static int guid_is_null(const VSS_ID *g) {
  static const VSS_ID zero;
  return memcmp(g, &zero, sizeof zero) == 0;
}

static int guid_eq(const VSS_ID *a, const VSS_ID *b) { return memcmp(a, b, sizeof *a) == 0; }

static void guid_text(const VSS_ID *g, char out[37]) {
  snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", g->Data1, g->Data2, g->Data3, g->Data4[0],
           g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

/* ---- helpers: paths, time ---- */

static void set_dir(const Backup *b, char *out, size_t size) {
  char id[37];
  guid_text(&b->set_id, id);
  snprintf(out, size, "%s" PLATFORM_SEP "%s", b->cfg.store, id);
}

static void snapshot_dir(const Backup *b, int i, char *out, size_t size) {
  char set[1100], id[37];
  set_dir(b, set, sizeof set);
  guid_text(&b->snapshot_ids[i], id);
  snprintf(out, size, "%s" PLATFORM_SEP "%s", set, id);
}

static void deadline_in(struct timespec *ts, long ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) { ts->tv_sec++; ts->tv_nsec -= 1000000000L; }
}

/* ---- the snapshot-set lock shared by every process using one store ---- */

static void lock_path(const Backup *b, char *out, size_t size) { snprintf(out, size, "%s" PLATFORM_SEP ".set-in-progress", b->cfg.store); }

/* 1: taken; 0: another requester is creating a set; -1: the store is not writable. */
static int take_set_lock(Backup *b) {
  char path[1100];
  lock_path(b, path, sizeof path);
  FILE *f = platform_fopen(path, "r");
  if (f) {
    long pid = 0;
    int read = fscanf(f, "%ld", &pid);
    fclose(f);
    int alive = read == 1 && pid > 0 && platform_process_alive(pid);
    if (alive && (pid != platform_pid() || (g_lock_holder && g_lock_holder != b))) return 0;
  }
  f = platform_fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "%ld\n", platform_pid());
  fclose(f);
  g_lock_holder = b;
  b->holds_lock = 1;
  return 1;
}

static void drop_set_lock(Backup *b) {
  if (!b->holds_lock) return;
  char path[1100];
  lock_path(b, path, sizeof path);
  platform_remove_file(path);
  b->holds_lock = 0;
  if (g_lock_holder == b) g_lock_holder = NULL;
}

/* ---- configuration ---- */

static void writer_ids(Writer *w, int index) {
  /* Stable ids per name and position, so two runs see the same writer. */
  memset(&w->id, 0, sizeof w->id);
  w->id.Data1 = 0x5717b001u + (uint32_t)index;
  w->id.Data2 = 0x7700;
  w->id.Data3 = 0x4000;
  for (size_t i = 0; i < 8 && w->name[i]; i++) w->id.Data4[i] = (uint8_t)w->name[i];
  w->instance = w->id;
  w->instance.Data2 = 0x1157;
}

static void parse_config(Config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->store, sizeof cfg->store, "/tmp/stillpoint-vss-double");
  cfg->async_ms = 20;
  cfg->hang_ms = 600000;
  char *copy = platform_getenv("STILLPOINT_VSS_DOUBLE");
  if (!copy) copy = strdup("");
  char *save = NULL;
  for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(item, '=');
    if (!eq) continue;
    *eq = 0;
    const char *key = item, *value = eq + 1;
    if (!strcmp(key, "store")) snprintf(cfg->store, sizeof cfg->store, "%s", value);
    else if (!strcmp(key, "async-ms")) cfg->async_ms = atol(value);
    else if (!strcmp(key, "hang-ms")) cfg->hang_ms = atol(value);
    else if (!strcmp(key, "writers") || !strcmp(key, "fail")) {
      char *list = strdup(value), *save2 = NULL;
      for (char *entry = strtok_r(list, ",", &save2); entry; entry = strtok_r(NULL, ",", &save2)) {
        char *colon = strrchr(entry, ':');
        if (!colon) continue;
        *colon = 0;
        if (!strcmp(key, "writers") && cfg->nwriters < MAX_WRITERS) {
          Writer *w = &cfg->writers[cfg->nwriters];
          snprintf(w->name, sizeof w->name, "%s", entry);
          w->behaviour = !strcmp(colon + 1, "freeze-fail") ? BEHAVIOUR_FREEZE_FAIL
                         : !strcmp(colon + 1, "freeze-timeout") ? BEHAVIOUR_FREEZE_TIMEOUT
                                                                : BEHAVIOUR_STABLE;
          w->state = WS_STABLE;
          writer_ids(w, cfg->nwriters++);
        } else if (!strcmp(key, "fail") && cfg->nfaults < MAX_FAULTS) {
          snprintf(cfg->fault_method[cfg->nfaults], 64, "%s", entry);
          cfg->fault_hr[cfg->nfaults++] = (HRESULT)strtoul(colon + 1, NULL, 16);
        }
      }
      free(list);
    }
  }
  free(copy);
}

static HRESULT fault(const Backup *b, const char *method) {
  for (int i = 0; i < b->cfg.nfaults; i++)
    if (!strcmp(b->cfg.fault_method[i], method)) return b->cfg.fault_hr[i];
  return S_OK;
}

/* `fail=async:DoSnapshotSet:0x...` makes the async call complete with that HRESULT. */
static HRESULT async_fault(const Backup *b, int op) {
  char name[80];
  snprintf(name, sizeof name, "async:%s", OP_NAMES[op]);
  return fault(b, name);
}

/* ---- ole32 / oleaut32 ---- */

HRESULT CoInitializeEx(void *reserved, DWORD mode) {
  (void)reserved;
  journal("CoInitializeEx mode=%u", mode);
  pthread_mutex_lock(&g_mu);
  HRESULT hr = S_OK;
  if (g_com_initialized) hr = (int)mode == g_com_mode ? S_FALSE : RPC_E_CHANGED_MODE;
  else { g_com_initialized = 1; g_com_mode = (int)mode; }
  pthread_mutex_unlock(&g_mu);
  return hr;
}

void CoUninitialize(void) { journal("CoUninitialize"); }

HRESULT CoInitializeSecurity(void *sd, LONG cAuthSvc, void *asAuthSvc, void *reserved1, DWORD authnLevel,
                             DWORD impLevel, void *authList, DWORD capabilities, void *reserved3) {
  (void)sd; (void)asAuthSvc; (void)reserved1; (void)authList; (void)reserved3;
  journal("CoInitializeSecurity cAuthSvc=%d authn=%u imp=%u caps=0x%x", cAuthSvc, authnLevel, impLevel, capabilities);
  pthread_mutex_lock(&g_mu);
  HRESULT hr = S_OK;
  if (!g_com_initialized) hr = CO_E_NOTINITIALIZED;
  else if (g_security_set) hr = RPC_E_TOO_LATE;
  else {
    g_security_set = 1;
    /* Writers run in other processes and call the requester back; with less than packet
     * privacy, impersonation and static cloaking they are refused (restic #5169). */
    g_writers_can_call_back = authnLevel == 6 && impLevel == 3 && (capabilities & 0x20);
  }
  pthread_mutex_unlock(&g_mu);
  return hr;
}

/* ---- IVssAsync ---- */

static const IVssAsyncVtbl *async_vtbl(void) { return &IVssAsync_vtbl; }

ULONG IVssBackupComponents_AddRef(IVssBackupComponents *This);
ULONG IVssBackupComponents_Release(IVssBackupComponents *This);

ULONG IVssAsync_AddRef(IVssAsync *This) {
  Async *a = (Async *)This;
  pthread_mutex_lock(&a->owner->mu);
  ULONG n = (ULONG)++a->refs;
  pthread_mutex_unlock(&a->owner->mu);
  return n;
}

ULONG IVssAsync_Release(IVssAsync *This) {
  Async *a = (Async *)This;
  Backup *b = a->owner;
  pthread_mutex_lock(&b->mu);
  ULONG n = (ULONG)--a->refs;
  pthread_mutex_unlock(&b->mu);
  if (n == 0) {
    free(a);
    live(-1);
    IVssBackupComponents_Release(&b->iface);
  }
  return n;
}

HRESULT IVssAsync_Cancel(IVssAsync *This) {
  Async *a = (Async *)This;
  journal("IVssAsync.Cancel %s", OP_NAMES[a->op]);
  pthread_mutex_lock(&a->owner->mu);
  HRESULT hr = S_OK;
  if (a->status == VSS_S_ASYNC_PENDING) {
    a->cancel = 1;
    pthread_cond_broadcast(&a->owner->cv);
  } else if (a->status == VSS_S_ASYNC_FINISHED) {
    hr = VSS_S_ASYNC_FINISHED;
  } else if (a->status == VSS_S_ASYNC_CANCELLED) {
    hr = VSS_S_ASYNC_CANCELLED;
  }
  pthread_mutex_unlock(&a->owner->mu);
  return hr;
}

HRESULT IVssAsync_Wait(IVssAsync *This, DWORD ms) {
  Async *a = (Async *)This;
  Backup *b = a->owner;
  struct timespec until;
  deadline_in(&until, ms == 0xFFFFFFFFu ? 3600L * 1000 * 24 : (long)ms);
  pthread_mutex_lock(&b->mu);
  while (a->status == VSS_S_ASYNC_PENDING) {
    if (pthread_cond_timedwait(&b->cv, &b->mu, &until) == ETIMEDOUT) break;
  }
  pthread_mutex_unlock(&b->mu);
  return S_OK;
}

HRESULT IVssAsync_QueryStatus(IVssAsync *This, HRESULT *result, INT *reserved) {
  (void)reserved;
  Async *a = (Async *)This;
  if (!result) return E_INVALIDARG;
  pthread_mutex_lock(&a->owner->mu);
  *result = a->status;
  pthread_mutex_unlock(&a->owner->mu);
  return S_OK;
}

/* Sleeps on the backup's condition for ms, or until the call is cancelled; mu held. */
static int sleep_unless_cancelled(Async *a, long ms) {
  struct timespec until;
  deadline_in(&until, ms);
  while (!a->cancel) {
    if (pthread_cond_timedwait(&a->owner->cv, &a->owner->mu, &until) == ETIMEDOUT) break;
  }
  return a->cancel;
}

static HRESULT take_snapshots(Backup *b) {
  char set[1100];
  set_dir(b, set, sizeof set);
  if (platform_make_dirs(set) != 0) return (HRESULT)0x8004230F;
  for (int i = 0; i < b->nvolumes; i++) {
    char dst[1200];
    snapshot_dir(b, i, dst, sizeof dst);
    if (platform_copy_tree(b->volumes[i], dst) != 0) return (HRESULT)0x8004230F;
  }
  return S_OK;
}

static HRESULT run_snapshot(Async *a) {
  Backup *b = a->owner;
  /* Freeze: every enabled writer; a writer that does not answer keeps the call pending. */
  for (int i = 0; i < b->cfg.nwriters; i++) {
    Writer *w = &b->cfg.writers[i];
    if (w->disabled || !b->writers_visible) continue;
    if (w->behaviour == BEHAVIOUR_FREEZE_TIMEOUT && sleep_unless_cancelled(a, b->cfg.hang_ms)) {
      w->state = WS_FAILED_AT_FREEZE;
      w->failure = VSS_E_WRITERERROR_TIMEOUT;
      return VSS_S_ASYNC_CANCELLED;
    }
  }
  pthread_mutex_unlock(&b->mu);
  HRESULT hr = take_snapshots(b);
  pthread_mutex_lock(&b->mu);
  for (int i = 0; i < b->cfg.nwriters; i++) {
    Writer *w = &b->cfg.writers[i];
    if (w->disabled || !b->writers_visible) continue;
    if (w->behaviour == BEHAVIOUR_STABLE) w->state = WS_WAITING_FOR_BACKUP_COMPLETE;
    else {
      w->state = WS_FAILED_AT_FREEZE;
      w->failure = w->behaviour == BEHAVIOUR_FREEZE_FAIL ? VSS_E_WRITERERROR_RETRYABLE : VSS_E_WRITERERROR_TIMEOUT;
    }
  }
  return hr;
}

static void *async_thread(void *arg) {
  Async *a = arg;
  Backup *b = a->owner;
  pthread_mutex_lock(&b->mu);
  HRESULT result = VSS_S_ASYNC_FINISHED;
  if (sleep_unless_cancelled(a, b->cfg.async_ms)) result = VSS_S_ASYNC_CANCELLED;
  else if (async_fault(b, a->op) != S_OK) result = async_fault(b, a->op);
  else if (a->op == OP_SNAPSHOT) {
    HRESULT hr = run_snapshot(a);
    if (hr != S_OK) result = hr;
  } else if (a->op == OP_METADATA) {
    b->writers_visible = g_writers_can_call_back;
  } else if (a->op == OP_COMPLETE) {
    for (int i = 0; i < b->cfg.nwriters; i++)
      if (b->cfg.writers[i].state == WS_WAITING_FOR_BACKUP_COMPLETE) b->cfg.writers[i].state = WS_STABLE;
  }
  if (a->op == OP_SNAPSHOT) drop_set_lock(b);
  journal("async %s -> 0x%08x", OP_NAMES[a->op], (unsigned)result);
  /* The thread lets go of the call before the caller can see it finish, so that a caller who
   * releases everything once it sees the result leaves no object alive (VssDoubleLive). */
  int last = --a->refs == 0;
  a->status = result;
  b->phase[a->op] = result == VSS_S_ASYNC_FINISHED ? DONE : NOT_STARTED;
  b->pending = 0;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
  if (last) {
    free(a);
    live(-1);
    IVssBackupComponents_Release(&b->iface);
  }
  return NULL;
}

/* Starts an operation; b->mu held. */
static HRESULT start_async(Backup *b, int op, IVssAsync **out) {
  Async *a = calloc(1, sizeof *a);
  a->iface.lpVtbl = async_vtbl();
  a->refs = 2; /* the caller's and the thread's */
  a->owner = b;
  a->op = op;
  a->status = VSS_S_ASYNC_PENDING;
  b->refs++;
  b->pending = 1;
  b->phase[op] = PENDING;
  live(1);
  static pthread_once_t pinned = PTHREAD_ONCE_INIT;
  pthread_once(&pinned, platform_pin_library);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&t, &attr, async_thread, a);
  pthread_attr_destroy(&attr);
  *out = &a->iface;
  return S_OK;
}

/* ---- IVssBackupComponents ---- */

#define ENTER(name, ...)                                 \
  Backup *b = (Backup *)This;                            \
  journal(name __VA_OPT__(, ) __VA_ARGS__);              \
  pthread_mutex_lock(&b->mu);                            \
  HRESULT hr = S_OK;                                     \
  do {                                                   \
    if ((hr = fault(b, strtok_name(name))) != S_OK) break;

#define LEAVE                   \
  }                             \
  while (0);                    \
  if (hr == VSS_E_BAD_STATE) journal("  -> VSS_E_BAD_STATE"); \
  pthread_mutex_unlock(&b->mu); \
  return hr;

#define REQUIRE(cond)                         \
  if (!(cond)) {                              \
    hr = VSS_E_BAD_STATE;                     \
    break;                                    \
  }

/* The method name is the first word of the journal format. */
static const char *strtok_name(const char *fmt) {
  static __thread char name[64];
  size_t n = strcspn(fmt, " ");
  if (n >= sizeof name) n = sizeof name - 1;
  memcpy(name, fmt, n);
  name[n] = 0;
  return name;
}

#define USABLE (b->initialized && !b->aborted)

ULONG IVssBackupComponents_AddRef(IVssBackupComponents *This) {
  Backup *b = (Backup *)This;
  pthread_mutex_lock(&b->mu);
  ULONG n = (ULONG)++b->refs;
  pthread_mutex_unlock(&b->mu);
  return n;
}

ULONG IVssBackupComponents_Release(IVssBackupComponents *This) {
  Backup *b = (Backup *)This;
  pthread_mutex_lock(&b->mu);
  ULONG n = (ULONG)--b->refs;
  pthread_mutex_unlock(&b->mu);
  if (n > 0) return n;
  journal("Release IVssBackupComponents");
  /* Non-persistent context: the shadow copies go with the requester. */
  if (b->phase[OP_SNAPSHOT] == DONE && !b->set_deleted) {
    char set[1100];
    set_dir(b, set, sizeof set);
    platform_remove_tree(set);
    journal("  auto-release of the snapshot set");
  }
  drop_set_lock(b);
  pthread_mutex_destroy(&b->mu);
  pthread_cond_destroy(&b->cv);
  free(b);
  live(-1);
  return 0;
}

HRESULT IVssBackupComponents_InitializeForBackup(IVssBackupComponents *This, BSTR xml) {
  ENTER("InitializeForBackup")
  REQUIRE(!b->initialized)
  if (xml) { hr = E_INVALIDARG; break; }
  b->initialized = 1;
  LEAVE
}

HRESULT IVssBackupComponents_SetContext(IVssBackupComponents *This, LONG context) {
  ENTER("SetContext 0x%x", context)
  REQUIRE(USABLE && !b->context_set && b->phase[OP_METADATA] == NOT_STARTED && !b->set_started)
  if (context != 0 && context != 0x10 && context != -1) { hr = VSS_E_UNSUPPORTED_CONTEXT; break; }
  b->context = context;
  b->context_set = 1;
  LEAVE
}

HRESULT IVssBackupComponents_SetBackupState(IVssBackupComponents *This, boolean selectComponents, boolean bootable,
                                           VSS_BACKUP_TYPE type, boolean partial) {
  ENTER("SetBackupState select=%d bootable=%d type=%d partial=%d", selectComponents, bootable, type, partial)
  REQUIRE(USABLE && b->phase[OP_PREPARE] == NOT_STARTED)
  if (type < 1 || type > 6) { hr = E_INVALIDARG; break; }
  b->backup_type = type;
  b->state_set = 1;
  LEAVE
}

HRESULT IVssBackupComponents_GatherWriterMetadata(IVssBackupComponents *This, IVssAsync **out) {
  ENTER("GatherWriterMetadata")
  REQUIRE(USABLE && !b->pending && b->phase[OP_METADATA] == NOT_STARTED)
  if (!out) { hr = E_INVALIDARG; break; }
  hr = start_async(b, OP_METADATA, out);
  LEAVE
}

static int visible_writers(const Backup *b) { return b->writers_visible ? b->cfg.nwriters : 0; }

HRESULT IVssBackupComponents_GetWriterMetadataCount(IVssBackupComponents *This, UINT *count) {
  ENTER("GetWriterMetadataCount")
  REQUIRE(USABLE && b->phase[OP_METADATA] == DONE)
  *count = (UINT)visible_writers(b);
  LEAVE
}

HRESULT IVssBackupComponents_GetWriterMetadata(IVssBackupComponents *This, UINT i, VSS_ID *instance,
                                              IVssExamineWriterMetadata **out) {
  ENTER("GetWriterMetadata %u", i)
  REQUIRE(USABLE && b->phase[OP_METADATA] == DONE)
  if ((int)i >= visible_writers(b)) { hr = E_INVALIDARG; break; }
  Metadata *m = calloc(1, sizeof *m);
  m->iface.lpVtbl = &IVssExamineWriterMetadata_vtbl;
  m->refs = 1;
  m->writer = b->cfg.writers[i];
  live(1);
  *instance = m->writer.instance;
  *out = &m->iface;
  LEAVE
}

HRESULT IVssBackupComponents_FreeWriterMetadata(IVssBackupComponents *This) {
  ENTER("FreeWriterMetadata")
  REQUIRE(USABLE && b->phase[OP_METADATA] == DONE)
  LEAVE
}

static Writer *writer_by_instance(Backup *b, const VSS_ID *instance) {
  for (int i = 0; i < b->cfg.nwriters; i++)
    if (guid_eq(&b->cfg.writers[i].instance, instance)) return &b->cfg.writers[i];
  return NULL;
}

static Writer *writer_by_id(Backup *b, const VSS_ID *id) {
  for (int i = 0; i < b->cfg.nwriters; i++)
    if (guid_eq(&b->cfg.writers[i].id, id)) return &b->cfg.writers[i];
  return NULL;
}

HRESULT IVssBackupComponents_DisableWriterInstances(IVssBackupComponents *This, const VSS_ID *instances, UINT count) {
  ENTER("DisableWriterInstances %u", count)
  REQUIRE(USABLE && b->phase[OP_METADATA] == DONE && b->phase[OP_PREPARE] == NOT_STARTED)
  for (UINT i = 0; i < count; i++) {
    Writer *w = writer_by_instance(b, &instances[i]);
    if (!w) { hr = VSS_E_OBJECT_NOT_FOUND; break; }
    w->disabled = 1;
    journal("  disabled %s", w->name);
  }
  LEAVE
}

static int component_matches(const WCHAR *path, const WCHAR *name, int *index) {
  char p[256], n[256];
  to_utf8(path, p, sizeof p);
  to_utf8(name, n, sizeof n);
  if (!p[0] && !strcmp(n, "Data")) { *index = 0; return 1; }
  if (!strcmp(p, "Data") && !strcmp(n, "Logs")) { *index = 1; return 1; }
  return 0;
}

HRESULT IVssBackupComponents_AddComponent(IVssBackupComponents *This, VSS_ID instance, VSS_ID writerId,
                                         VSS_COMPONENT_TYPE ct, LPCWSTR path, LPCWSTR name) {
  char n[256];
  to_utf8(name, n, sizeof n);
  ENTER("AddComponent %s", n)
  REQUIRE(USABLE && b->phase[OP_METADATA] == DONE && b->phase[OP_PREPARE] == NOT_STARTED && b->state_set)
  Writer *w = writer_by_instance(b, &instance);
  int index;
  if (!w || !guid_eq(&w->id, &writerId) || ct != 2 || !component_matches(path, name, &index)) {
    hr = VSS_E_OBJECT_NOT_FOUND;
    break;
  }
  if (w->components_added & (1 << index)) { hr = VSS_E_OBJECT_ALREADY_EXISTS; break; }
  w->components_added |= 1 << index;
  LEAVE
}

HRESULT IVssBackupComponents_SetPreviousBackupStamp(IVssBackupComponents *This, VSS_ID writerId,
                                                   VSS_COMPONENT_TYPE ct, LPCWSTR path, LPCWSTR name,
                                                   LPCWSTR stamp) {
  char s[512];
  to_utf8(stamp, s, sizeof s);
  ENTER("SetPreviousBackupStamp %s", s)
  REQUIRE(USABLE && b->phase[OP_METADATA] == DONE && b->phase[OP_PREPARE] == NOT_STARTED)
  Writer *w = writer_by_id(b, &writerId);
  int index;
  if (!w || ct != 2 || !component_matches(path, name, &index) || !(w->components_added & (1 << index))) {
    hr = VSS_E_OBJECT_NOT_FOUND;
    break;
  }
  LEAVE
}

HRESULT IVssBackupComponents_PrepareForBackup(IVssBackupComponents *This, IVssAsync **out) {
  ENTER("PrepareForBackup")
  REQUIRE(USABLE && !b->pending && b->state_set && b->phase[OP_METADATA] == DONE && b->phase[OP_PREPARE] == NOT_STARTED)
  hr = start_async(b, OP_PREPARE, out);
  LEAVE
}

HRESULT IVssBackupComponents_StartSnapshotSet(IVssBackupComponents *This, VSS_ID *setId) {
  ENTER("StartSnapshotSet")
  REQUIRE(USABLE && b->context_set && b->phase[OP_METADATA] == DONE && !b->set_started)
  int taken = take_set_lock(b);
  if (taken <= 0) { hr = taken == 0 ? VSS_E_SNAPSHOT_SET_IN_PROGRESS : (HRESULT)0x80042302; break; }
  b->set_id = new_guid();
  b->set_started = 1;
  *setId = b->set_id;
  LEAVE
}

HRESULT IVssBackupComponents_AddToSnapshotSet(IVssBackupComponents *This, VSS_PWSZ volume, VSS_ID provider,
                                             VSS_ID *snapshotId) {
  char v[1024];
  to_utf8(volume, v, sizeof v);
  ENTER("AddToSnapshotSet %s", v)
  REQUIRE(USABLE && b->set_started && b->phase[OP_SNAPSHOT] == NOT_STARTED && !b->pending)
  if (!guid_is_null(&provider) && !guid_eq(&provider, &SYSTEM_PROVIDER)) { hr = VSS_E_PROVIDER_NOT_REGISTERED; break; }
  if (!platform_is_dir(v)) { hr = VSS_E_OBJECT_NOT_FOUND; break; }
  for (int i = 0; i < b->nvolumes; i++)
    if (!strcmp(b->volumes[i], v)) hr = VSS_E_OBJECT_ALREADY_EXISTS;
  if (hr != S_OK) break;
  if (b->nvolumes == MAX_VOLUMES) { hr = VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED; break; }
  snprintf(b->volumes[b->nvolumes], sizeof b->volumes[0], "%s", v);
  b->snapshot_ids[b->nvolumes] = new_guid();
  *snapshotId = b->snapshot_ids[b->nvolumes++];
  LEAVE
}

HRESULT IVssBackupComponents_DoSnapshotSet(IVssBackupComponents *This, IVssAsync **out) {
  ENTER("DoSnapshotSet")
  REQUIRE(USABLE && !b->pending && b->phase[OP_PREPARE] == DONE && b->set_started && b->nvolumes > 0 &&
          b->phase[OP_SNAPSHOT] == NOT_STARTED)
  hr = start_async(b, OP_SNAPSHOT, out);
  LEAVE
}

HRESULT IVssBackupComponents_GatherWriterStatus(IVssBackupComponents *This, IVssAsync **out) {
  ENTER("GatherWriterStatus")
  REQUIRE(b->initialized && !b->pending && b->phase[OP_METADATA] == DONE)
  b->phase[OP_STATUS] = NOT_STARTED;
  hr = start_async(b, OP_STATUS, out);
  LEAVE
}

static int enabled_writer(const Backup *b, UINT i) {
  UINT seen = 0;
  for (int k = 0; k < visible_writers(b); k++) {
    if (b->cfg.writers[k].disabled) continue;
    if (seen++ == i) return k;
  }
  return -1;
}

HRESULT IVssBackupComponents_GetWriterStatusCount(IVssBackupComponents *This, UINT *count) {
  ENTER("GetWriterStatusCount")
  REQUIRE(b->initialized && b->phase[OP_STATUS] == DONE)
  UINT n = 0;
  while (enabled_writer(b, n) >= 0) n++;
  *count = n;
  LEAVE
}

HRESULT IVssBackupComponents_GetWriterStatus(IVssBackupComponents *This, UINT i, VSS_ID *instance, VSS_ID *writer,
                                            BSTR *name, VSS_WRITER_STATE *state, HRESULT *failure) {
  ENTER("GetWriterStatus %u", i)
  REQUIRE(b->initialized && b->phase[OP_STATUS] == DONE)
  int k = enabled_writer(b, i);
  if (k < 0) { hr = E_INVALIDARG; break; }
  Writer *w = &b->cfg.writers[k];
  *instance = w->instance;
  *writer = w->id;
  *name = bstr_alloc(w->name);
  *state = w->state;
  *failure = w->failure;
  LEAVE
}

HRESULT IVssBackupComponents_FreeWriterStatus(IVssBackupComponents *This) {
  ENTER("FreeWriterStatus")
  REQUIRE(b->initialized && b->phase[OP_STATUS] == DONE)
  LEAVE
}

HRESULT IVssBackupComponents_GetSnapshotProperties(IVssBackupComponents *This, VSS_ID snapshotId,
                                                  VSS_SNAPSHOT_PROP *prop) {
  ENTER("GetSnapshotProperties")
  REQUIRE(USABLE && b->phase[OP_SNAPSHOT] == DONE)
  int i = 0;
  while (i < b->nvolumes && !guid_eq(&b->snapshot_ids[i], &snapshotId)) i++;
  if (i == b->nvolumes || b->set_deleted) { hr = VSS_E_OBJECT_NOT_FOUND; break; }
  char device[1200];
  snapshot_dir(b, i, device, sizeof device);
  memset(prop, 0, sizeof *prop);
  prop->m_SnapshotId = snapshotId;
  prop->m_SnapshotSetId = b->set_id;
  prop->m_lSnapshotsCount = b->nvolumes;
  prop->m_pwszSnapshotDeviceObject = wide_dup(device);
  /* Windows names the original volume \\?\Volume{GUID}\; the double derives a stable GUID
   * from the directory (FNV-1a), so the same "volume" keeps its id across runs. */
  uint64_t h = 1469598103934665603ull;
  for (const char *c = b->volumes[i]; *c; c++) h = (h ^ (uint8_t)*c) * 1099511628211ull;
  VSS_ID volume_guid = {(uint32_t)(h >> 32), (uint16_t)(h >> 16), (uint16_t)h, {0x80, 0x11, 1, 2, 3, 4, 5, 6}};
  char volume_guid_text[37], original[64];
  guid_text(&volume_guid, volume_guid_text);
  snprintf(original, sizeof original, "\\\\?\\Volume{%s}\\", volume_guid_text);
  prop->m_pwszOriginalVolumeName = wide_dup(original);
  prop->m_pwszOriginatingMachine = wide_dup("vss-double");
  prop->m_pwszServiceMachine = wide_dup("vss-double");
  prop->m_ProviderId = SYSTEM_PROVIDER;
  prop->m_tsCreationTimestamp = (VSS_TIMESTAMP)time(NULL);
  prop->m_eStatus = 12; /* VSS_SS_CREATED */
  live(1);
  LEAVE
}

void VssFreeSnapshotProperties(VSS_SNAPSHOT_PROP *prop) {
  journal("VssFreeSnapshotProperties");
  free(prop->m_pwszSnapshotDeviceObject);
  free(prop->m_pwszOriginalVolumeName);
  free(prop->m_pwszOriginatingMachine);
  free(prop->m_pwszServiceMachine);
  free(prop->m_pwszExposedName);
  free(prop->m_pwszExposedPath);
  memset(prop, 0, sizeof *prop);
  live(-1);
}

HRESULT IVssBackupComponents_SetBackupSucceeded(IVssBackupComponents *This, VSS_ID instance, VSS_ID writerId,
                                               VSS_COMPONENT_TYPE ct, LPCWSTR path, LPCWSTR name,
                                               boolean succeeded) {
  char n[256];
  to_utf8(name, n, sizeof n);
  ENTER("SetBackupSucceeded %s %d", n, succeeded)
  REQUIRE(USABLE && b->phase[OP_SNAPSHOT] == DONE && b->phase[OP_COMPLETE] == NOT_STARTED)
  Writer *w = writer_by_instance(b, &instance);
  int index;
  if (!w || !guid_eq(&w->id, &writerId) || ct != 2 || !component_matches(path, name, &index) ||
      !(w->components_added & (1 << index))) {
    hr = VSS_E_OBJECT_NOT_FOUND;
    break;
  }
  LEAVE
}

HRESULT IVssBackupComponents_BackupComplete(IVssBackupComponents *This, IVssAsync **out) {
  ENTER("BackupComplete")
  REQUIRE(USABLE && !b->pending && b->phase[OP_SNAPSHOT] == DONE && b->phase[OP_COMPLETE] == NOT_STARTED)
  hr = start_async(b, OP_COMPLETE, out);
  LEAVE
}

HRESULT IVssBackupComponents_AbortBackup(IVssBackupComponents *This) {
  ENTER("AbortBackup")
  REQUIRE(b->initialized)
  b->aborted = 1;
  if (b->phase[OP_SNAPSHOT] != PENDING) drop_set_lock(b);
  LEAVE
}

HRESULT IVssBackupComponents_DeleteSnapshots(IVssBackupComponents *This, VSS_ID id, VSS_OBJECT_TYPE type,
                                            WINBOOL force, LONG *deleted, VSS_ID *nondeleted) {
  char text[37];
  guid_text(&id, text);
  ENTER("DeleteSnapshots %s type=%d force=%d", text, type, force)
  REQUIRE(b->initialized)
  if (type != 2) { hr = E_INVALIDARG; break; }
  char set[1100];
  snprintf(set, sizeof set, "%s" PLATFORM_SEP "%s", b->cfg.store, text);
  memset(nondeleted, 0, sizeof *nondeleted);
  *deleted = 0;
  if (!platform_is_dir(set)) { hr = VSS_E_OBJECT_NOT_FOUND; break; }
  platform_remove_tree(set);
  if (guid_eq(&id, &b->set_id)) { b->set_deleted = 1; *deleted = b->nvolumes; }
  else *deleted = 1;
  LEAVE
}

HRESULT IVssBackupComponents_IsVolumeSupported(IVssBackupComponents *This, VSS_ID provider, VSS_PWSZ volume,
                                              WINBOOL *supported) {
  char v[1024];
  to_utf8(volume, v, sizeof v);
  ENTER("IsVolumeSupported %s", v)
  REQUIRE(USABLE)
  if (!guid_is_null(&provider) && !guid_eq(&provider, &SYSTEM_PROVIDER)) { hr = VSS_E_PROVIDER_NOT_REGISTERED; break; }
  if (!platform_is_dir(v)) { hr = VSS_E_OBJECT_NOT_FOUND; break; }
  char marker[1100];
  snprintf(marker, sizeof marker, "%s" PLATFORM_SEP ".vss-unsupported", v);
  *supported = !platform_exists(marker);
  LEAVE
}

/* ---- IVssExamineWriterMetadata and IVssWMComponent ---- */

ULONG IVssExamineWriterMetadata_Release(IVssExamineWriterMetadata *This) {
  Metadata *m = (Metadata *)This;
  if (--m->refs > 0) return (ULONG)m->refs;
  free(m);
  live(-1);
  return 0;
}

HRESULT IVssExamineWriterMetadata_GetIdentity(IVssExamineWriterMetadata *This, VSS_ID *instance, VSS_ID *writer,
                                             BSTR *name, VSS_USAGE_TYPE *usage, VSS_SOURCE_TYPE *source) {
  Metadata *m = (Metadata *)This;
  *instance = m->writer.instance;
  *writer = m->writer.id;
  *name = bstr_alloc(m->writer.name);
  *usage = 2;  /* VSS_UT_BOOTABLESYSTEMSTATE would be 1; 2 is VSS_UT_SYSTEMSERVICE */
  *source = 1; /* VSS_ST_TRANSACTEDDB */
  return S_OK;
}

HRESULT IVssExamineWriterMetadata_GetFileCounts(IVssExamineWriterMetadata *This, UINT *include, UINT *exclude,
                                               UINT *components) {
  (void)This;
  *include = 0;
  *exclude = 0;
  *components = 2;
  return S_OK;
}

HRESULT IVssExamineWriterMetadata_GetComponent(IVssExamineWriterMetadata *This, UINT i, IVssWMComponent **out) {
  (void)This;
  if (i > 1) return E_INVALIDARG;
  Component *c = calloc(1, sizeof *c);
  c->iface.lpVtbl = &IVssWMComponent_vtbl;
  c->refs = 1;
  c->index = (int)i;
  live(1);
  *out = &c->iface;
  return S_OK;
}

ULONG IVssWMComponent_Release(IVssWMComponent *This) {
  Component *c = (Component *)This;
  if (--c->refs > 0) return (ULONG)c->refs;
  free(c);
  live(-1);
  return 0;
}

HRESULT IVssWMComponent_GetComponentInfo(IVssWMComponent *This, PVSSCOMPONENTINFO *out) {
  Component *c = (Component *)This;
  VSS_COMPONENTINFO *info = calloc(1, sizeof *info);
  info->type = 2; /* VSS_CT_FILEGROUP */
  info->bstrLogicalPath = c->index == 0 ? NULL : bstr_alloc("Data");
  info->bstrComponentName = bstr_alloc(c->index == 0 ? "Data" : "Logs");
  info->bstrCaption = bstr_alloc(c->index == 0 ? "Writer data" : "Writer logs");
  info->bSelectable = 1;
  info->cFileCount = 1;
  live(1);
  *out = info;
  return S_OK;
}

HRESULT IVssWMComponent_FreeComponentInfo(IVssWMComponent *This, PVSSCOMPONENTINFO info) {
  (void)This;
  SysFreeString(info->bstrLogicalPath);
  SysFreeString(info->bstrComponentName);
  SysFreeString(info->bstrCaption);
  free((void *)info);
  live(-1);
  return S_OK;
}

/* ---- the entry point ---- */

HRESULT CreateVssBackupComponentsInternal(IVssBackupComponents **out) {
  journal("CreateVssBackupComponentsInternal");
  pthread_mutex_lock(&g_mu);
  int initialized = g_com_initialized, mode = g_com_mode;
  pthread_mutex_unlock(&g_mu);
  if (!initialized) return CO_E_NOTINITIALIZED;
  if (mode != 0) return RPC_E_CHANGED_MODE;
  Backup *b = calloc(1, sizeof *b);
  parse_config(&b->cfg);
  HRESULT injected = fault(b, "CreateVssBackupComponentsInternal");
  if (injected != S_OK) {
    free(b);
    return injected;
  }
  if (platform_make_dirs(b->cfg.store) != 0) {
    free(b);
    return (HRESULT)0x80042302; /* VSS_E_UNEXPECTED */
  }
  b->iface.lpVtbl = &IVssBackupComponents_vtbl;
  b->refs = 1;
  pthread_mutex_init(&b->mu, NULL);
  pthread_cond_init(&b->cv, NULL);
  live(1);
  *out = &b->iface;
  return S_OK;
}
