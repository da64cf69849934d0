/*  sandbox.c: the worker's seccomp filter (see sandbox.h). */
#include "sandbox.h"
#include "diag.h"
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZED 1
#endif
#endif

#ifndef SANDBOX_SANITIZED
//  Refused outright: no program, no tracing, nothing of the kernel's.
static const char *s_denied[] = {
    "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "mount",
    "umount2", "pivot_root", "chroot", "swapon", "swapoff", "reboot", "bpf", "perf_event_open",
    "keyctl", "add_key", "request_key", "userfaultfd", "setuid", "setgid", "setreuid",
    "setregid", "setresuid", "setresgid", "setgroups", "unshare", "setns", "iopl", "ioperm",
    "open_by_handle_at", "name_to_handle_at", "acct", "settimeofday", "clock_settime",
};
#endif

int
sandbox_enter (char *err, size_t errlen)
{
#ifdef SANDBOX_SANITIZED
    (void) err;
    (void) errlen;
    diag_info ("sandbox: not entered under AddressSanitizer (LeakSanitizer traces the process)");
    return 1;
#else
    scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf (err, errlen, "sandbox: seccomp_init failed");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof s_denied / sizeof s_denied[0] && rc == 0; i++) {
        int nr = seccomp_syscall_resolve_name (s_denied[i]);
        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), nr, 0);
    }
    //  A new process through clone (threads, CLONE_THREAD, stay allowed);
    //  clone3 says "not here" so that the C library falls back on clone.
    if (rc == 0)
        rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (clone), 1,
                               SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    if (rc == 0)
        rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), SCMP_SYS (clone3), 0);
    if (rc == 0)
        rc = seccomp_load (ctx);
    seccomp_release (ctx);
    if (rc < 0) {
        snprintf (err, errlen, "sandbox: %s", strerror (-rc));
        return -1;
    }
    diag_info ("sandbox: entered (no exec, no new process, no tracing, nothing of the kernel's)");
    return 0;
#endif
}

void
sandbox_probe (void)
{
    char *argv[] = { "/bin/true", NULL };
    int e = execv ("/bin/true", argv) < 0 ? errno : 0;
    diag_info ("sandbox probe: execve %s", e ? strerror (e) : "succeeded");
    pid_t p = fork ();
    if (p == 0)
        _exit (0);
    e = p < 0 ? errno : 0;
    if (p > 0)
        waitpid (p, NULL, 0);
    diag_info ("sandbox probe: fork %s", e ? strerror (e) : "succeeded");
    e = ptrace (PTRACE_ATTACH, getppid (), NULL, NULL) < 0 ? errno : 0;
    if (!e)
        ptrace (PTRACE_DETACH, getppid (), NULL, NULL);
    diag_info ("sandbox probe: ptrace %s", e ? strerror (e) : "succeeded");
}
