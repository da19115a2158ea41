/* The POSIX side of platform.h: the double's Linux build (libvssdouble.so). */
#define _GNU_SOURCE
#include "platform.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int run(const char *const argv[]) {
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0) return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int platform_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int platform_exists(const char *path) { return access(path, F_OK) == 0; }

int platform_make_dirs(const char *path) {
  const char *argv[] = {"mkdir", "-p", "--", path, NULL};
  return run(argv);
}

int platform_copy_tree(const char *from, const char *to) {
  const char *argv[] = {"cp", "-a", "--", from, to, NULL};
  return run(argv);
}

void platform_remove_tree(const char *path) {
  const char *argv[] = {"rm", "-rf", "--", path, NULL};
  run(argv);
}

void platform_remove_file(const char *path) { unlink(path); }

FILE *platform_fopen(const char *path, const char *mode) { return fopen(path, mode); }

long platform_pid(void) { return (long)getpid(); }

int platform_process_alive(long pid) { return kill((pid_t)pid, 0) == 0; }

void platform_random(void *out, size_t size) {
  if (getrandom(out, size, 0) != (ssize_t)size) abort();
}

char *platform_getenv(const char *name) {
  const char *value = getenv(name);
  return value ? strdup(value) : NULL;
}

void platform_pin_library(void) {
  Dl_info self;
  /* RTLD_NOLOAD takes one more reference to the loaded library; RTLD_NODELETE keeps it. */
  if (dladdr((void *)platform_pin_library, &self) && self.dli_fname) dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}
