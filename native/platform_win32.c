/* The Windows side of platform.h: the double's DLL (vssdouble.dll, built with MinGW-w64).
 * Every path goes through the wide API; the environment is read with
 * GetEnvironmentVariableW, because msvcrt's getenv keeps the copy it took at start-up and
 * does not see what Node.js sets later (process.env writes call SetEnvironmentVariableW). */
#define WIN32_LEAN_AND_MEAN
#include "platform.h"

#include <windows.h>

#include <bcrypt.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static wchar_t *wide(const char *utf8) {
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
  wchar_t *out = malloc((size_t)(n > 0 ? n : 1) * sizeof(wchar_t));
  if (n <= 0 || !MultiByteToWideChar(CP_UTF8, 0, utf8, -1, out, n)) out[0] = 0;
  return out;
}

static char *utf8(const wchar_t *text) {
  int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
  char *out = malloc((size_t)(n > 0 ? n : 1));
  if (n <= 0 || !WideCharToMultiByte(CP_UTF8, 0, text, -1, out, n, NULL, NULL)) out[0] = 0;
  return out;
}

static wchar_t *joined(const wchar_t *dir, const wchar_t *name) {
  size_t size = wcslen(dir) + wcslen(name) + 2;
  wchar_t *out = malloc(size * sizeof(wchar_t));
  _snwprintf(out, size, L"%ls\\%ls", dir, name);
  return out;
}

static DWORD attributes(const char *path) {
  wchar_t *w = wide(path);
  DWORD a = GetFileAttributesW(w);
  free(w);
  return a;
}

int platform_is_dir(const char *path) {
  DWORD a = attributes(path);
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

int platform_exists(const char *path) { return attributes(path) != INVALID_FILE_ATTRIBUTES; }

static int make_dirs_w(wchar_t *path) {
  DWORD a = GetFileAttributesW(path);
  if (a != INVALID_FILE_ATTRIBUTES) return (a & FILE_ATTRIBUTE_DIRECTORY) ? 0 : -1;
  wchar_t *cut = wcsrchr(path, L'\\');
  wchar_t *slash = wcsrchr(path, L'/');
  if (slash > cut) cut = slash;
  if (cut && cut > path && cut[-1] != L':') {
    wchar_t kept = *cut;
    *cut = 0;
    int parent = make_dirs_w(path);
    *cut = kept;
    if (parent != 0) return parent;
  }
  return CreateDirectoryW(path, NULL) || GetLastError() == ERROR_ALREADY_EXISTS ? 0 : -1;
}

int platform_make_dirs(const char *path) {
  wchar_t *w = wide(path);
  int result = make_dirs_w(w);
  free(w);
  return result;
}

static int is_dot(const wchar_t *name) { return !wcscmp(name, L".") || !wcscmp(name, L".."); }

static int copy_tree_w(const wchar_t *from, const wchar_t *to) {
  if (!CreateDirectoryW(to, NULL)) return -1;
  wchar_t *pattern = joined(from, L"*");
  WIN32_FIND_DATAW found;
  HANDLE h = FindFirstFileW(pattern, &found);
  free(pattern);
  if (h == INVALID_HANDLE_VALUE) return 0;
  int result = 0;
  do {
    if (is_dot(found.cFileName)) continue;
    wchar_t *src = joined(from, found.cFileName), *dst = joined(to, found.cFileName);
    if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) result = copy_tree_w(src, dst);
    else if (!CopyFileW(src, dst, TRUE)) result = -1;
    free(src);
    free(dst);
  } while (result == 0 && FindNextFileW(h, &found));
  FindClose(h);
  return result;
}

int platform_copy_tree(const char *from, const char *to) {
  wchar_t *f = wide(from), *t = wide(to);
  int result = copy_tree_w(f, t);
  free(f);
  free(t);
  return result;
}

static void remove_tree_w(const wchar_t *path) {
  wchar_t *pattern = joined(path, L"*");
  WIN32_FIND_DATAW found;
  HANDLE h = FindFirstFileW(pattern, &found);
  free(pattern);
  if (h != INVALID_HANDLE_VALUE) {
    do {
      if (is_dot(found.cFileName)) continue;
      wchar_t *child = joined(path, found.cFileName);
      if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) remove_tree_w(child);
      else DeleteFileW(child);
      free(child);
    } while (FindNextFileW(h, &found));
    FindClose(h);
  }
  RemoveDirectoryW(path);
}

void platform_remove_tree(const char *path) {
  wchar_t *w = wide(path);
  remove_tree_w(w);
  free(w);
}

void platform_remove_file(const char *path) {
  wchar_t *w = wide(path);
  DeleteFileW(w);
  free(w);
}

FILE *platform_fopen(const char *path, const char *mode) {
  wchar_t *w = wide(path), *m = wide(mode);
  FILE *f = _wfopen(w, m);
  free(w);
  free(m);
  return f;
}

long platform_pid(void) { return (long)GetCurrentProcessId(); }

int platform_process_alive(long pid) {
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
  if (!h) return 0;
  DWORD code = 0;
  int alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
  CloseHandle(h);
  return alive;
}

void platform_random(void *out, size_t size) {
  if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, out, (ULONG)size, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) abort();
}

char *platform_getenv(const char *name) {
  wchar_t *w = wide(name);
  DWORD n = GetEnvironmentVariableW(w, NULL, 0);
  char *result = NULL;
  if (n > 0) {
    wchar_t *value = malloc(n * sizeof(wchar_t));
    if (GetEnvironmentVariableW(w, value, n) < n) result = utf8(value);
    free(value);
  }
  free(w);
  return result;
}

void platform_pin_library(void) {
  HMODULE self;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN, (LPCWSTR)(void *)platform_pin_library, &self);
}
