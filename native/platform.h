/* What the VSS test double needs from the operating system besides threads (pthreads on
 * both sides; winpthreads, linked statically, in the DLL): directories, files, processes,
 * randomness and the environment. platform_posix.c and platform_win32.c implement it. Paths
 * are UTF-8 everywhere; the Windows side converts them to UTF-16 and calls the wide API,
 * since the ANSI calls would read a UTF-8 path in the machine's code page. */
#ifndef STILLPOINT_PLATFORM_H
#define STILLPOINT_PLATFORM_H

#include <stddef.h>
#include <stdio.h>

#ifdef _WIN32
#define PLATFORM_SEP "\\"
#else
#define PLATFORM_SEP "/"
#endif

int platform_is_dir(const char *path);
int platform_exists(const char *path);
/* 0 on success: the directory and its missing parents exist. */
int platform_make_dirs(const char *path);
/* 0 on success: `to` (which must not exist) becomes a copy of the directory `from`. */
int platform_copy_tree(const char *from, const char *to);
void platform_remove_tree(const char *path);
void platform_remove_file(const char *path);
FILE *platform_fopen(const char *path, const char *mode);
long platform_pid(void);
int platform_process_alive(long pid);
void platform_random(void *out, size_t size);
/* The variable's value as the process sees it now (malloc'd), or NULL. */
char *platform_getenv(const char *name);
/* Keeps this library mapped until the process ends, as a COM server with threads of its own
 * must: the host (koffi) may unload it at exit while such a thread is still returning. */
void platform_pin_library(void);

#endif
