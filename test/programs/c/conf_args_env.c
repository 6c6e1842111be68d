/*
 * Conformance: arguments and environment (suite tests
 * args_get-multiple-arguments, args_sizes_get-multiple-arguments,
 * args_sizes_get-no-arguments, environ_get-multiple-variables,
 * environ_sizes_get-multiple-variables, environ_sizes_get-no-variables).
 *
 * The suite's configurations, which the test runs one by one:
 *   no args, no env           -> argc 1, environ count 0
 *   args: first, the "second" arg, 3   -> argc 4, exact values
 *   env: a=text, b=escap " ing, c=new<LF>line -> exactly these 3
 *   env: a=b, b=c, c=d                -> exactly these 3
 * The program recognizes which configuration it got and prints a line
 * naming it ("ok args: configuration ..."), which the test requires.
 */
#include "conf.h"

static void test_args(void) {
  conf_section = "args";
  __wasi_size_t argc = 0, size = 0;
  if (!EXPECT_OK("args_sizes_get", __wasi_args_sizes_get(&argc, &size)))
    return;
  EXPECT_TRUE("argv[0] is present (argc >= 1)", argc >= 1, "got argc %u",
              (unsigned)argc);
  if (argc < 1 || argc > 64 || size > 65536) return;
  char *buf = malloc(size + 1);
  char *argv[65];
  if (!buf || !EXPECT_OK("args_get", __wasi_args_get((uint8_t **)argv,
                                                     (uint8_t *)buf)))
    return;
  /* Every argument is NUL-terminated inside the buffer, back to back. */
  size_t total = 0;
  int inside = 1;
  for (size_t i = 0; i < argc; i++) {
    if (argv[i] < buf || argv[i] >= buf + size) {
      inside = 0;
      break;
    }
    total += strnlen(argv[i], (size_t)(buf + size - argv[i])) + 1;
  }
  EXPECT_TRUE("arguments are NUL-terminated within the buffer",
              inside && total == size, "got %zu bytes of strings, buffer %u",
              total, (unsigned)size);
  if (!inside) return;

  if (argc == 1) {
    conf_pass(conf_label("configuration no-arguments: argc == 1"));
    return;
  }
  conf_printf("# args: configuration multiple-arguments (argc %u)\n",
              (unsigned)argc);
  if (!EXPECT_EQ("multiple-arguments: argc == 4", argc, 4)) return;
  const char *want[3] = {"first", "the \"second\" arg", "3"};
  int ok = 1;
  for (int i = 0; i < 3; i++) {
    char what[64];
    snprintf(what, sizeof what, "multiple-arguments: argv[%d]", i + 1);
    ok &= EXPECT_TRUE(what, !strcmp(argv[i + 1], want[i]),
                      "got \"%s\" expected \"%s\"", argv[i + 1], want[i]);
  }
  if (ok) conf_pass(conf_label("configuration multiple-arguments: all match"));
}

static int set_equals(char **got, size_t n, const char *const *want) {
  if (n != 3) return 0;
  for (int i = 0; i < 3; i++) {
    int found = 0;
    for (size_t j = 0; j < n; j++) found |= !strcmp(got[j], want[i]);
    if (!found) return 0;
  }
  return 1;
}

static void test_environ(void) {
  conf_section = "environ";
  __wasi_size_t count = 0, size = 0;
  if (!EXPECT_OK("environ_sizes_get", __wasi_environ_sizes_get(&count, &size)))
    return;
  if (count > 256 || size > 65536) {
    conf_fail(conf_label("environ size sane"), "got count %u size %u",
              (unsigned)count, (unsigned)size);
    return;
  }
  char *buf = malloc(size + 1);
  char *env[257];
  if (!buf || !EXPECT_OK("environ_get", __wasi_environ_get((uint8_t **)env,
                                                           (uint8_t *)buf)))
    return;
  size_t total = 0;
  int inside = 1;
  for (size_t i = 0; i < count; i++) {
    if (env[i] < buf || env[i] >= buf + size) {
      inside = 0;
      break;
    }
    total += strnlen(env[i], (size_t)(buf + size - env[i])) + 1;
  }
  EXPECT_TRUE("variables are NUL-terminated within the buffer",
              inside && total == size, "got %zu bytes of strings, buffer %u",
              total, (unsigned)size);
  if (!inside) return;
  if (count == 0) {
    conf_pass(conf_label("configuration no-variables: count == 0"));
    return;
  }
  static const char *const text_set[3] = {"a=text", "b=escap \" ing",
                                          "c=new\nline"};
  static const char *const bcd_set[3] = {"a=b", "b=c", "c=d"};
  int is_text = 0;
  for (size_t i = 0; i < count; i++) is_text |= !strncmp(env[i], "a=text", 6);
  const char *name = is_text ? "environ_get-multiple-variables"
                             : "environ_sizes_get-multiple-variables";
  conf_printf("# environ: configuration %s (count %u)\n", name,
              (unsigned)count);
  for (size_t i = 0; i < count && i < 8; i++) {
    /* Show values on one line: escape newlines. */
    char shown[128];
    size_t k = 0;
    for (const char *p = env[i]; *p && k < sizeof shown - 3; p++) {
      if (*p == '\n') {
        shown[k++] = '\\';
        shown[k++] = 'n';
      } else
        shown[k++] = *p;
    }
    shown[k] = 0;
    conf_printf("#   %s\n", shown);
  }
  char what[96];
  snprintf(what, sizeof what, "configuration %s: count == 3", name);
  EXPECT_EQ(what, count, 3);
  snprintf(what, sizeof what, "configuration %s: exactly the given variables",
           name);
  EXPECT_TRUE(what, set_equals(env, count, is_text ? text_set : bcd_set),
              "got a different set (listed above)");
}

int main(void) {
  test_args();
  test_environ();
  return conf_finish();
}
