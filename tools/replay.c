/*  replay.c: farm-replay, a sample spool through a real farm.
 *
 *  farm-replay SPOOL --out DIR [--workers N] [--json FILE] [--timeout-s S]
 *
 *  Starts a real farm-broker and N farm-worker processes over ipc:// in a
 *  temporary folder, submits every message of SPOOL (a folder of .eml files
 *  with optional .env beside them, or an mbox file) into DIR/incoming/ in
 *  received-at order through the ordinary ingest path, waits for every
 *  verdict, and checks that each message is in exactly one output spool
 *  (DIR/outgoing/, hold/, reject/, deferred/). Prints a summary; with --json
 *  writes one JSON object a line per message. Logs go to DIR/log/.
 *  Exit: 0 every message has its verdict; 1 some have none; 64 usage. */
#include "cfg.h"
#include "diag.h"
#include "envelope.h"
#include "fileio.h"
#include "report.h"
#include "sample.h"
#include "spool.h"
#include "spoolfile.h"
#include "strbuf.h"
#include "xalloc.h"
#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *s_usage =
    "usage: farm-replay SPOOL --out DIR [--workers N] [--json FILE] [options]\n\n"
    "Runs every message of SPOOL (a folder of RFC 5322 files, NAME.env beside NAME\n"
    "giving its envelope, or an mbox file) through a real broker and N real workers\n"
    "in received-at order, writes the output spools under DIR (outgoing/ hold/\n"
    "reject/ deferred/), prints a summary and, with --json, one line per message.";

typedef struct {
    size_t index;           //  in the sample
    int64_t received_at;
    char qid[QID_SIZE];
    int64_t latency_us;     //  -1 until its verdict is seen
} item_t;

typedef struct {
    const char *out;
    char tmp[64];
    char bindir[PATH_MAX];
    pid_t broker;
    pid_t *workers;
    int nworkers;
} farm_t;

static volatile sig_atomic_t s_stop;

static void
s_on_signal (int sig)
{
    s_stop = 1;
}

static double
s_now (void)
{
    return fileio_now_usec () / 1e6;
}

static int
s_cmp_items (const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->received_at != y->received_at)
        return x->received_at < y->received_at ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int
s_cmp_qid (const void *a, const void *b)
{
    return strcmp (((const item_t *) a)->qid, ((const item_t *) b)->qid);
}

static void
s_progress (const char *what, size_t done, size_t total, double started)
{
    if (!isatty (STDERR_FILENO))
        return;
    double el = s_now () - started, rate = el > 0 ? done / el : 0;
    int width = 30, fill = total ? (int) (width * done / total) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf (stderr, "\r%-10s [%s] %zu/%zu %3d%% %7.0f msg/s ETA %4.0fs ", what, bar, done, total,
             total ? (int) (100 * done / total) : 100, rate, eta);
    if (done == total)
        fprintf (stderr, "\n");
}

static pid_t
s_spawn (farm_t *farm, const char *prog, const char *logname, char **args)
{
    char path[PATH_MAX + 64], log[PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", farm->bindir, prog);
    snprintf (log, sizeof log, "%s/log/%s", farm->out, logname);
    pid_t pid = fork ();
    if (pid < 0)
        diag_fatal ("fork: %s", strerror (errno));
    if (pid == 0) {
        int fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
        }
        args[0] = path;
        execv (path, args);
        fprintf (stderr, "exec %s: %s\n", path, strerror (errno));
        _exit (127);
    }
    return pid;
}

static void
s_stop_all (farm_t *farm)
{
    for (int i = 0; i < farm->nworkers; i++)
        if (farm->workers[i] > 0)
            kill (farm->workers[i], SIGTERM);
    if (farm->broker > 0)
        kill (farm->broker, SIGTERM);
    double until = s_now () + 10;
    for (;;) {
        bool any = false;
        for (int i = -1; i < farm->nworkers; i++) {
            pid_t *p = i < 0 ? &farm->broker : &farm->workers[i];
            if (*p > 0 && waitpid (*p, NULL, WNOHANG) == 0)
                any = true;
            else
                *p = 0;
        }
        if (!any)
            break;
        if (s_now () > until) {
            for (int i = -1; i < farm->nworkers; i++) {
                pid_t p = i < 0 ? farm->broker : farm->workers[i];
                if (p > 0) {
                    kill (p, SIGKILL);
                    waitpid (p, NULL, 0);
                }
            }
            break;
        }
        usleep (20000);
    }
}

//  A field of one verdict-log line (our own fixed format, see spooler.c).
static int
s_field (const char *line, const char *key, char *out, size_t outlen)
{
    char pat[64];
    snprintf (pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr (line, pat);
    if (!p)
        return -1;
    p += strlen (pat);
    if (*p == '"')
        p++;
    size_t n = strcspn (p, "\",}");
    if (n >= outlen)
        n = outlen - 1;
    memcpy (out, p, n);
    out[n] = 0;
    return 0;
}

//  Which output spool holds qid: the one, or SPOOL_NDIRS when none; *count
//  says how many hold it.
static spool_dir_t
s_where (spool_t *spool, const char *qid, int *count)
{
    static const spool_dir_t outs[] = { SPOOL_OUTGOING, SPOOL_HOLD, SPOOL_REJECT, SPOOL_DEFERRED,
                                        SPOOL_CORRUPT };
    spool_dir_t found = SPOOL_NDIRS;
    *count = 0;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        struct stat st;
        if (fstatat (spool_fd (spool, outs[i]), qid, &st, 0) == 0) {
            found = outs[i];
            (*count)++;
        }
    }
    return found;
}

static void
s_json_line (strbuf_t *j, const char *file, const char *qid, const envelope_t *env)
{
    strbuf_reset (j);
    strbuf_adds (j, "{\"file\":");
    strbuf_json_string (j, file);
    strbuf_printf (j, ",\"qid\":\"%s\",\"account\":", qid);
    strbuf_json_string (j, env->account ? env->account : "");
    strbuf_adds (j, ",\"verdict\":");
    strbuf_json_string (j, env->verdict ? env->verdict : "");
    envelope_json_tail (env, j);
}

static int
s_cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static bool
s_dir_empty (const char *path)
{
    DIR *d = opendir (path);
    if (!d)
        return errno == ENOENT;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir (d)) != NULL)
        if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
            empty = false;
    closedir (d);
    return empty;
}

int
main (int argc, char **argv)
{
    diag_init ("farm-replay", false);
    const char *out = NULL, *json = NULL, *html = NULL;
    char **rest = xcalloc ((size_t) argc + 1, sizeof *rest);
    int nrest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if ((!strcmp (argv[i], "--out") || !strcmp (argv[i], "--json") || !strcmp (argv[i], "--html"))
            && i + 1 < argc) {
            *(argv[i][2] == 'o' ? &out : argv[i][2] == 'j' ? &json : &html) = argv[i + 1];
            i++;
        }
        else
            rest[nrest++] = argv[i];
    }
    cfg_t *cfg = cfg_new (CFG_REPLAY);
    char err[1024];
    int rc = cfg_args (cfg, &nrest, rest, err, sizeof err);
    if (rc == 1) {
        cfg_help (cfg, s_usage);
        printf ("  --out DIR                  where the output spools and logs go (new or empty)\n"
                "  --json FILE                one JSON object a line per message\n"
                "  --html FILE                a page with pictures: scores, verdicts over time,\n"
                "                             the busiest and flagged accounts, top reasons\n");
        return 0;
    }
    if (rc < 0 || nrest != 2 || !out) {
        fprintf (stderr, "farm-replay: %s\n%s\n", rc < 0 ? err : "need SPOOL and --out DIR", s_usage);
        return 64;
    }
    int level = diag_level_parse (cfg_str (cfg, "log/level"));
    diag_set_level (level < 0 ? DIAG_INFO : (diag_level_t) level);
    const char *input = rest[1];
    if (!s_dir_empty (out)) {
        fprintf (stderr, "farm-replay: --out %s exists and is not empty; give a new folder\n", out);
        return 64;
    }
    farm_t farm = { .out = out, .nworkers = (int) cfg_int (cfg, "replay/workers") };
    ssize_t bl = readlink ("/proc/self/exe", farm.bindir, sizeof farm.bindir - 1);
    if (bl < 0)
        diag_fatal ("readlink /proc/self/exe: %s", strerror (errno));
    farm.bindir[bl] = 0;
    char *slash = strrchr (farm.bindir, '/');
    if (slash)
        *slash = 0;

    //  1. Index the sample and order it by received-at.
    sample_t *sample = sample_open (input, err, sizeof err);
    if (!sample) {
        fprintf (stderr, "farm-replay: %s\n", err);
        return 64;
    }
    size_t total = sample_count (sample);
    item_t *items = xcalloc (total ? total : 1, sizeof *items);
    size_t hard_max = 1u << 30;
    double t0 = s_now ();
    for (size_t i = 0; i < total; i++) {
        char *msg;
        size_t len;
        int trunc;
        envelope_t *env = envelope_new ();
        items[i].index = i;
        items[i].latency_us = -1;
        if (sample_load (sample, i, hard_max, &msg, &len, &trunc, env, err, sizeof err) == 0) {
            items[i].received_at = env->received_at;
            free (msg);
        }
        envelope_destroy (&env);
        if (i % 256 == 0 || i + 1 == total)
            s_progress ("reading", i + 1, total, t0);
    }
    qsort (items, total, sizeof *items, s_cmp_items);

    //  2. Submit through the ordinary ingest path, in that order.
    spool_t *spool = spool_new (out, true);
    if (!spool)
        diag_fatal ("cannot create the spool %s", out);
    char logdir[PATH_MAX];
    snprintf (logdir, sizeof logdir, "%s/log", out);
    mkdir (logdir, 0750);
    batch_t *batch = batch_new ();
    size_t failed_load = 0;
    t0 = s_now ();
    for (size_t k = 0; k < total; k++) {
        item_t *it = &items[k];
        char *msg;
        size_t len;
        int trunc;
        envelope_t *env = envelope_new ();
        int lr = sample_load (sample, it->index, hard_max, &msg, &len, &trunc, env, err, sizeof err);
        if (lr < 0 || trunc) {
            diag_error ("%s: %s", sample_name (sample, it->index), lr < 0 ? err : "larger than 1 GiB");
            failed_load++;
            if (lr == 0)
                free (msg);
            envelope_destroy (&env);
            continue;
        }
        if (spool_write (spool, batch, SPOOL_INCOMING, env, msg, len, it->qid, NULL) < 0)
            diag_fatal ("writing %s/incoming: %s", out, strerror (errno));
        free (msg);
        envelope_destroy (&env);
        if (batch_size (batch) >= 256 || k + 1 == total) {
            if (batch_commit (batch, NULL, NULL))
                diag_fatal ("committing to %s/incoming failed", out);
            s_progress ("submitting", k + 1, total, t0);
        }
    }
    batch_destroy (&batch);
    size_t submitted = 0;
    for (size_t k = 0; k < total; k++)
        if (items[k].qid[0])
            submitted++;

    //  3. A real farm on a private ipc:// endpoint.
    snprintf (farm.tmp, sizeof farm.tmp, "/tmp/farm-replay.XXXXXX");
    if (!mkdtemp (farm.tmp))
        diag_fatal ("mkdtemp: %s", strerror (errno));
    char endpoint[128], vlog[128], maxsize[32], control[128];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/broker.sock", farm.tmp);
    snprintf (control, sizeof control, "ipc://%s/control.sock", farm.tmp);
    snprintf (vlog, sizeof vlog, "%s/verdicts.jsonl", farm.tmp);
    snprintf (maxsize, sizeof maxsize, "%" PRId64, cfg_int (cfg, "limits/message-size"));
    const char *lvl = cfg_str (cfg, "log/level");
    char *bargs[] = { NULL, "--spool", (char *) out, "--endpoint", endpoint, "--verdict-log", vlog,
                      "--log-level", (char *) lvl, "--max-size", maxsize,
                      "--models", (char *) cfg_str (cfg, "models/dir"), "--control", control,
                      cfg_bool (cfg, "state/watch") ? "--watch=true" : "--watch=false", NULL };
    signal (SIGINT, s_on_signal);
    signal (SIGTERM, s_on_signal);
    double started = s_now ();
    farm.broker = s_spawn (&farm, "farm-broker", "broker.log", bargs);
    farm.workers = xcalloc ((size_t) farm.nworkers, sizeof (pid_t));
    char dkimtime[32];
    snprintf (dkimtime, sizeof dkimtime, "%" PRId64, cfg_int (cfg, "test/dkim-time"));
    //  The same for every worker, and for any started again after retiring.
    char *wargs[] = { NULL, "--endpoint", endpoint, "--log-level", (char *) lvl, "--max-size",
                      maxsize, "--models", (char *) cfg_str (cfg, "models/dir"),
                      "--keys", (char *) cfg_str (cfg, "dkim/keys"),
                      "--accounts", (char *) cfg_str (cfg, "dkim/accounts"),
                      "--canon", (char *) cfg_str (cfg, "dkim/canonicalization"),
                      "--signer", (char *) cfg_str (cfg, "dkim/signer"),
                      "--dkim-time", dkimtime,
                      cfg_bool (cfg, "bayes/explain") ? "--explain" : NULL, NULL };
    for (int i = 0; i < farm.nworkers; i++) {
        char logname[64];
        snprintf (logname, sizeof logname, "worker-%d.log", i + 1);
        farm.workers[i] = s_spawn (&farm, "farm-worker", logname, wargs);
    }

    //  4. Follow the verdict log until every message has its verdict.
    qsort (items, total, sizeof *items, s_cmp_qid);
    int vfd = -1;
    strbuf_t pending;
    strbuf_init (&pending);
    size_t seen = 0;
    double last_progress = s_now (), last_verdict = started;
    int64_t timeout = cfg_int (cfg, "replay/timeout-s");
    const char *failure = NULL;
    while (seen < submitted && !s_stop) {
        if (vfd < 0)
            vfd = open (vlog, O_RDONLY | O_CLOEXEC);
        char buf[65536];
        ssize_t n = vfd >= 0 ? read (vfd, buf, sizeof buf) : 0;
        if (n > 0) {
            strbuf_add (&pending, buf, (size_t) n);
            char *line = pending.data, *nl;
            while ((nl = memchr (line, '\n', pending.len - (size_t) (line - pending.data)))) {
                *nl = 0;
                char qid[64], lat[32];
                if (s_field (line, "qid", qid, sizeof qid) == 0
                    && s_field (line, "latency_us", lat, sizeof lat) == 0) {
                    item_t key;
                    memset (&key, 0, sizeof key);
                    memcpy (key.qid, qid, strnlen (qid, QID_LEN));
                    item_t *it = bsearch (&key, items, total, sizeof *items, s_cmp_qid);
                    if (it && it->latency_us < 0) {
                        it->latency_us = strtoll (lat, NULL, 10);
                        seen++;
                        last_verdict = s_now ();
                    }
                }
                line = nl + 1;
            }
            size_t left = pending.len - (size_t) (line - pending.data);
            memmove (pending.data, line, left);
            pending.len = left;
            continue;
        }
        if (s_now () - last_progress > 0.2) {
            s_progress ("scanning", seen, submitted, started);
            last_progress = s_now ();
        }
        if (waitpid (farm.broker, NULL, WNOHANG) == farm.broker) {
            farm.broker = 0;
            failure = "the broker exited";
            break;
        }
        for (int i = 0; i < farm.nworkers; i++) {
            int status;
            if (farm.workers[i] > 0 && waitpid (farm.workers[i], &status, WNOHANG) == farm.workers[i]) {
                farm.workers[i] = 0;
                if (WIFEXITED (status) && WEXITSTATUS (status) == 0 && !s_stop) {
                    //  Retired after max-jobs: start a fresh one, as a supervisor would.
                    char logname[64];
                    snprintf (logname, sizeof logname, "worker-%d.log", i + 1);
                    farm.workers[i] = s_spawn (&farm, "farm-worker", logname, wargs);
                }
                else
                    diag_warn ("worker %d exited; see %s/log/worker-%d.log", i + 1, out, i + 1);
            }
        }
        if (s_now () - last_verdict > (double) timeout) {
            failure = "no verdict came within --timeout-s";
            break;
        }
        usleep (10000);
    }
    double finished = s_now ();
    if (seen == submitted)
        s_progress ("scanning", seen, submitted, started);
    else if (isatty (STDERR_FILENO))
        fprintf (stderr, "\n");
    if (s_stop)
        failure = "interrupted";
    s_stop_all (&farm);
    strbuf_free (&pending);
    if (vfd >= 0)
        close (vfd);

    //  5. Check the outputs: every message in exactly one output spool.
    FILE *jf = NULL;
    if (json && !(jf = fopen (json, "w")))
        diag_fatal ("--json %s: %s", json, strerror (errno));
    size_t counts[SPOOL_NDIRS + 1] = { 0 };
    size_t missing = 0, doubled = 0;
    int64_t *lat = xcalloc (total ? total : 1, sizeof *lat);
    size_t nlat = 0;
    strbuf_t j;
    strbuf_init (&j);
    report_t *report = html ? report_new () : NULL;
    for (size_t k = 0; k < total; k++) {
        item_t *it = &items[k];
        if (!it->qid[0])
            continue;
        int count;
        spool_dir_t where = s_where (spool, it->qid, &count);
        if (count > 1) {
            diag_error ("%s: in %d output spools", it->qid, count);
            doubled++;
        }
        if (where == SPOOL_NDIRS || where == SPOOL_CORRUPT) {
            diag_error ("%s (%s): no verdict%s", it->qid, sample_name (sample, it->index),
                        where == SPOOL_CORRUPT ? " (in corrupt/)" : "");
            missing++;
            continue;
        }
        counts[where]++;
        if (it->latency_us >= 0)
            lat[nlat++] = it->latency_us;
        if (!jf && !report)
            continue;
        int fd = openat (spool_fd (spool, where), it->qid, O_RDONLY | O_CLOEXEC);
        envelope_t *env = envelope_new ();
        off_t off;
        if (fd < 0 || spoolfile_read_header (fd, env, &off, err, sizeof err) < 0)
            diag_error ("%s: output unreadable: %s", it->qid, fd < 0 ? strerror (errno) : err);
        else {
            if (jf) {
                s_json_line (&j, sample_name (sample, it->index), it->qid, env);
                fwrite (j.data, 1, j.len, jf);
            }
            if (report)
                report_add (report, sample_name (sample, it->index), env);
        }
        if (fd >= 0)
            close (fd);
        envelope_destroy (&env);
    }
    strbuf_free (&j);
    if (jf && fclose (jf) != 0)
        diag_error ("--json %s: %s", json, strerror (errno));
    if (report) {
        FILE *hf = fopen (html, "w");
        char title[600];
        snprintf (title, sizeof title, "farm-replay: %s", input);
        if (!hf || report_write (report, title, hf) < 0 || fclose (hf) != 0)
            diag_error ("--html %s: %s", html, strerror (errno));
        report_destroy (&report);
    }
    qsort (lat, nlat, sizeof *lat, s_cmp_i64);
    double secs = (seen ? last_verdict : finished) - started;
    printf ("farm-replay: %zu messages from %s, %d worker(s)\n", total, input, farm.nworkers);
    printf ("  deliver %zu   hold %zu   reject %zu   defer %zu   no verdict %zu\n",
            counts[SPOOL_OUTGOING], counts[SPOOL_HOLD], counts[SPOOL_REJECT],
            counts[SPOOL_DEFERRED], missing + failed_load);
    printf ("  %.0f messages/s (%zu in %.2f s, broker start to last verdict)\n",
            secs > 0 ? seen / secs : 0.0, seen, secs);
    if (nlat)
        printf ("  latency (claim to durable output): p50 %.1f ms, p99 %.1f ms\n",
                lat[nlat / 2] / 1000.0, lat[(nlat * 99) / 100 < nlat ? (nlat * 99) / 100 : nlat - 1] / 1000.0);
    printf ("  output spools under %s, logs under %s/log\n", out, out);
    if (failure)
        printf ("  FAILED: %s (see %s/log/)\n", failure, out);
    free (lat);
    free (items);
    free (farm.workers);
    char sock[160];
    snprintf (sock, sizeof sock, "%s/broker.sock", farm.tmp);
    unlink (sock);
    unlink (vlog);
    rmdir (farm.tmp);
    spool_destroy (&spool);
    sample_destroy (&sample);
    free (rest);
    cfg_destroy (&cfg);
    return (missing || doubled || failed_load || failure) ? 1 : 0;
}
