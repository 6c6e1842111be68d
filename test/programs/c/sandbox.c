/* sandbox: paths that leave the preopened directory must fail (WASI
 * ENOTCAPABLE, 76), paths with ".." that stay inside must work.
 *
 * The test prepares the host side before running (the guest cannot make
 * these itself): <tmp>/outside.txt next to the preopen, and inside the
 * preopen: inside.txt, sub/, and symlinks
 *   esc_abs    -> <tmp>/outside.txt (absolute host path)
 *   abs_inside -> <tmp>/sandbox/inside.txt (absolute host path, inside)
 *   esc_rel    -> ../outside.txt
 *   esc_dir    -> ..
 *   sub/esc_deep -> ../../outside.txt
 *   ok_rel     -> sub/../inside.txt
 * Afterwards the test checks that nothing outside was created or changed. */
#include "guest.h"
#include <fcntl.h>
#include <sys/stat.h>

static void try_read(const char *label, const char *path) {
  char buf[64];
  long n = read_file(path, buf, sizeof buf);
  if (n < 0) print_err(label, errno);
  else printf("%s: read \"%.*s\"\n", label, (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);
}

static void raw_open(const char *label, __wasi_lookupflags_t lf, const char *path,
                     __wasi_oflags_t of) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(PREOPEN_FD, lf, path, of,
                                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, 0, &fd);
  print_err(label, e);
  if (e == 0) (void)__wasi_fd_close(fd);
}

static void raw_stat(const char *label, __wasi_lookupflags_t lf, const char *path) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(PREOPEN_FD, lf, path, &st);
  if (e) print_err(label, e);
  else printf("%s: filetype=%u\n", label, st.filetype);
}

int main(int argc, char **argv) {
  enter_sandbox(argc, argv);
  struct stat st;

  /* --- libc level (paths resolved by wasi-libc against the preopens) --- */
  try_read("inside.txt", "inside.txt");
  try_read("sub/../inside.txt", "sub/../inside.txt");
  try_read("./sub/./../inside.txt", "./sub/./../inside.txt");
  try_read("/sandbox/inside.txt", "/sandbox/inside.txt");
  try_read("../outside.txt", "../outside.txt");
  try_read("sub/../../outside.txt", "sub/../../outside.txt");
  try_read("../sandbox/inside.txt", "../sandbox/inside.txt");
  try_read("/etc/passwd (no preopen)", "/etc/passwd");
  try_read("symlink esc_abs", "esc_abs");
  try_read("symlink abs_inside", "abs_inside");
  try_read("symlink esc_rel", "esc_rel");
  try_read("symlink esc_dir/outside.txt", "esc_dir/outside.txt");
  try_read("symlink sub/esc_deep", "sub/esc_deep");
  try_read("symlink ok_rel", "ok_rel");
  CHECK("stat esc_rel (follow)", stat("esc_rel", &st));
  CHECK("lstat esc_rel (no follow)", lstat("esc_rel", &st));
  char buf[64];
  ssize_t n = readlink("esc_rel", buf, sizeof buf);
  if (n < 0) print_err("readlink esc_rel", errno);
  else printf("readlink esc_rel: \"%.*s\"\n", (int)n, buf);
  CHECK("open esc_rel O_WRONLY|O_TRUNC", open("esc_rel", O_WRONLY | O_TRUNC));
  CHECK("open ../created.txt O_CREAT", open("../created.txt", O_WRONLY | O_CREAT, 0644));
  CHECK("open esc_dir/created2.txt O_CREAT", open("esc_dir/created2.txt", O_WRONLY | O_CREAT, 0644));
  CHECK("mkdir ../newdir", mkdir("../newdir", 0755));
  CHECK("mkdir esc_dir/newdir2", mkdir("esc_dir/newdir2", 0755));
  CHECK("rename inside.txt ../moved.txt", rename("inside.txt", "../moved.txt"));
  CHECK("unlink ../outside.txt", unlink("../outside.txt"));
  CHECK("unlink esc_dir/outside.txt", unlink("esc_dir/outside.txt"));
  CHECK("link ../outside.txt into sandbox", link("../outside.txt", "stolen"));
  CHECK("opendir ..", open("..", O_RDONLY | O_DIRECTORY));
  CHECK("chdir ..", chdir(".."));

  /* --- raw WASI calls on the preopen fd (no libc path handling) --- */
  raw_open("path_open .", 0, ".", __WASI_OFLAGS_DIRECTORY);
  raw_open("path_open ..", 0, "..", __WASI_OFLAGS_DIRECTORY);
  raw_open("path_open ../outside.txt", 0, "../outside.txt", 0);
  raw_open("path_open sub/../../outside.txt", 0, "sub/../../outside.txt", 0);
  raw_open("path_open sub/../inside.txt", 0, "sub/../inside.txt", 0);
  raw_open("path_open /etc/passwd (absolute)", 0, "/etc/passwd", 0);
  raw_open("path_open /inside.txt (absolute)", 0, "/inside.txt", 0);
  raw_open("path_open esc_rel (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "esc_rel", 0);
  raw_open("path_open esc_abs (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "esc_abs", 0);
  raw_open("path_open abs_inside (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_inside", 0);
  raw_open("path_open ok_rel (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "ok_rel", 0);
  raw_stat("path_filestat_get esc_abs (nofollow)", 0, "esc_abs");
  raw_stat("path_filestat_get esc_abs (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "esc_abs");
  raw_stat("path_filestat_get sub/esc_deep (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sub/esc_deep");
  raw_stat("path_filestat_get ok_rel (follow)", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "ok_rel");
  WASI("path_create_directory ../x", __wasi_path_create_directory(PREOPEN_FD, "../x"));
  WASI("path_unlink_file ../outside.txt", __wasi_path_unlink_file(PREOPEN_FD, "../outside.txt"));

  /* Removing the escaping symlink itself is fine: it lives inside. */
  CHECK("unlink esc_rel (the link)", unlink("esc_rel"));
  printf("done\n");
  return 0;
}
