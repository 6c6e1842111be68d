/*
 * A small shell-like REPL for the browser demo (examples/browser/): reads
 * commands from standard input, one per line, and runs them on the files
 * it was given (preopened at /data), printing a prompt before each.
 *
 *   help              the commands
 *   echo WORDS...     prints the words
 *   ls [DIR]          the names in DIR (default /data), sorted, '/' after directories
 *   cat FILE          prints FILE
 *   write FILE TEXT   writes TEXT and a newline to FILE (replacing it)
 *   mkdir DIR         makes DIR
 *   rm FILE           removes FILE
 *   env               the environment
 *   exit [N]          exits with N (default 0); so does the end of input
 *
 * An error is reported as "NAME: strerror" on standard error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
}

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) { fail(dir); return; }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 256) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    size_t len = strlen(e->d_name);
    names[n] = malloc(len + 2);
    memcpy(names[n], e->d_name, len);
    names[n][len] = is_dir ? '/' : '\0';
    names[n][len + 1] = '\0';
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof names[0], by_name);
  for (int i = 0; i < n; i++) {
    printf("%s%s", i > 0 ? "  " : "", names[i]);
    free(names[i]);
  }
  printf("\n");
}

static void cat(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) { fail(path); return; }
  char buf[1024];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
  fclose(f);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL) { fail(path); return; }
  fprintf(f, "%s\n", text);
  fclose(f);
  printf("wrote %zu bytes to %s\n", strlen(text) + 1, path);
}

int main(void) {
  char line[1024];
  chdir("/data");
  for (;;) {
    printf("kiln$ ");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL) {
      printf("\n");
      return 0;
    }
    line[strcspn(line, "\n")] = '\0';
    char *cmd = strtok(line, " ");
    if (cmd == NULL) continue;
    char *arg = strtok(NULL, " ");
    char *rest = arg == NULL ? NULL : strtok(NULL, "");
    if (strcmp(cmd, "help") == 0) {
      printf("commands: help, echo WORDS, ls [DIR], cat FILE, write FILE TEXT, mkdir DIR, rm FILE, env, exit [N]\n");
    } else if (strcmp(cmd, "echo") == 0) {
      printf("%s%s%s\n", arg == NULL ? "" : arg, rest == NULL ? "" : " ", rest == NULL ? "" : rest);
    } else if (strcmp(cmd, "ls") == 0) {
      list(arg == NULL ? "/data" : arg);
    } else if (strcmp(cmd, "cat") == 0 && arg != NULL) {
      cat(arg);
    } else if (strcmp(cmd, "write") == 0 && arg != NULL) {
      write_file(arg, rest == NULL ? "" : rest);
    } else if (strcmp(cmd, "mkdir") == 0 && arg != NULL) {
      if (mkdir(arg, 0755) != 0) fail(arg);
    } else if (strcmp(cmd, "rm") == 0 && arg != NULL) {
      if (unlink(arg) != 0) fail(arg);
    } else if (strcmp(cmd, "env") == 0) {
      for (char **e = environ; *e != NULL; e++) printf("%s\n", *e);
    } else if (strcmp(cmd, "exit") == 0) {
      return arg == NULL ? 0 : atoi(arg);
    } else {
      fprintf(stderr, "%s: unknown command (try help)\n", cmd);
    }
  }
}
