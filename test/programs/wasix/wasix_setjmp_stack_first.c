/*
 * wasix_setjmp.c in the layout of the first generations' binaries (Rust's
 * and the 2023 examples'): linked with the stack below the data
 * (`--stack-first`) and without asyncify's `asyncify_get_state` export
 * (older binaryen did not add it); see LANGS.wasix in
 * scripts/build-programs.mjs. The same output as wasix_setjmp.
 */
#include "wasix_setjmp.c"
