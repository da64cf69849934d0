/*  sandbox.h: the worker's seccomp-bpf filter (libseccomp), entered once it
 *  has started (its key process forked, its threads and sockets made). The
 *  process that parses hostile MIME, HTML and charsets may then no longer
 *  run a program, start a process, trace or read another process's memory,
 *  load a kernel module, mount, change its user, or use bpf, perf or the
 *  kernel keyring: each such call fails with EPERM. What it does need
 *  (reading models, keys' names, the accounts table; its sockets; threads)
 *  stays. Under AddressSanitizer it is not entered (LeakSanitizer traces
 *  the process at exit), and said. */
#ifndef FARM_SANDBOX_H
#define FARM_SANDBOX_H
#include <stdbool.h>
#include <stddef.h>

//  0 entered, 1 not (a sanitizer build), or -1 with err.
int sandbox_enter (char *err, size_t errlen);
//  For the tests (test/sandbox-probe), inside the sandbox only: try what
//  the filter forbids and log what became of each.
void sandbox_probe (void);
#endif
