/*
 * sock_echo (test/programs/c/sock_echo.c) built for WASIX: its accept()
 * is wasix-libc's, sock_accept_v2 on the listening socket `kiln run
 * --listen` hands in (fd 3). test/sockets.test.ts runs it as it runs the
 * preview 1 build.
 */
#include "../c/sock_echo.c"
