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
    char tmp[80];
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
    dirwalk_t *w = dirwalk_open (path);
    if (!w)
        return errno == ENOENT;
    bool empty = dirwalk_next (w) == NULL;
    dirwalk_destroy (&w);
    return empty;
}

//  One replay: what main's stages share.
typedef struct {
    cfg_t *cfg;
    const char *input, *out, *json, *html;
    const char *config;         //  --config FILE, given to the farm's processes too
    const char *keep;           //  --keep-state FILE: the sender state left for a broker
    farm_t farm;
    sample_t *sample;
    item_t *items;
    size_t total, submitted, failed_load, seen;
    spool_t *spool;
    char vlog[128];
    char **wargs;           //  the arguments of every worker, and of any started again
    double started, finished, last_verdict;
    const char *failure;    //  why the replay stopped short, or NULL
} run_t;

//  Arguments: SPOOL and --out DIR, --json FILE, --html FILE, and the keys.
//  -1 to go on, else the exit code.
static int
s_args (run_t *r, int argc, char **argv, char **rest)
{
    int nrest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if ((!strcmp (argv[i], "--out") || !strcmp (argv[i], "--json") || !strcmp (argv[i], "--html")
             || !strcmp (argv[i], "--keep-state")) && i + 1 < argc) {
            *(argv[i][2] == 'o' ? &r->out : argv[i][2] == 'j' ? &r->json : argv[i][2] == 'h' ? &r->html
              : &r->keep) = argv[i + 1];
            i++;
        }
        else {
            //  The farm's own file goes to the broker and the workers too
            //  (notify/, state/, ... keys a replay has no flag for).
            if (!strcmp (argv[i], "--config") && i + 1 < argc)
                r->config = argv[i + 1];
            else if (!strncmp (argv[i], "--config=", 9))
                r->config = argv[i] + 9;
            rest[nrest++] = argv[i];
        }
    }
    char err[1024];
    int rc = cfg_args (r->cfg, &nrest, rest, err, sizeof err);
    if (rc == 1) {
        cfg_help (r->cfg, s_usage);
        printf ("  --out DIR                  where the output spools and logs go (new or empty)\n"
                "  --json FILE                one JSON object a line per message\n"
                "  --html FILE                a page with pictures: scores, verdicts over time,\n"
                "                             the busiest and flagged accounts, top reasons\n"
                "  --keep-state FILE          leave the sender state (and its .flags) in FILE, for\n"
                "                             a broker to start from (state/path): day-one baselines\n"
                "                             from a replay of history (with --observe-until)\n");
        return 0;
    }
    if (rc < 0 || nrest != 2 || !r->out) {
        fprintf (stderr, "farm-replay: %s\n%s\n", rc < 0 ? err : "need SPOOL and --out DIR", s_usage);
        return 64;
    }
    int level = diag_level_parse (cfg_str (r->cfg, "log/level"));
    diag_set_level (level < 0 ? DIAG_INFO : (diag_level_t) level);
    r->input = rest[1];
    if (!s_dir_empty (r->out)) {
        fprintf (stderr, "farm-replay: --out %s exists and is not empty; give a new folder\n", r->out);
        return 64;
    }
    r->farm.out = r->out;
    r->farm.nworkers = (int) cfg_int (r->cfg, "replay/workers");
    ssize_t bl = readlink ("/proc/self/exe", r->farm.bindir, sizeof r->farm.bindir - 1);
    if (bl < 0)
        diag_fatal ("readlink /proc/self/exe: %s", strerror (errno));
    r->farm.bindir[bl] = 0;
    char *slash = strrchr (r->farm.bindir, '/');
    if (slash)
        *slash = 0;
    return -1;
}

static const size_t s_hard_max = 1u << 30;

//  1. Index the sample and order it by received-at. -1 to go on, else the
//  exit code.
static int
s_index (run_t *r)
{
    char err[1024];
    r->sample = sample_open (r->input, err, sizeof err);
    if (!r->sample) {
        fprintf (stderr, "farm-replay: %s\n", err);
        return 64;
    }
    r->total = sample_count (r->sample);
    r->items = xcalloc (r->total ? r->total : 1, sizeof *r->items);
    double t0 = s_now ();
    for (size_t i = 0; i < r->total; i++) {
        char *msg;
        size_t len;
        int trunc;
        envelope_t *env = envelope_new ();
        r->items[i].index = i;
        r->items[i].latency_us = -1;
        if (sample_load (r->sample, i, s_hard_max, &msg, &len, &trunc, env, err, sizeof err) == 0) {
            r->items[i].received_at = env->received_at;
            free (msg);
        }
        envelope_destroy (&env);
        if (i % 256 == 0 || i + 1 == r->total)
            s_progress ("reading", i + 1, r->total, t0);
    }
    qsort (r->items, r->total, sizeof *r->items, s_cmp_items);
    return -1;
}

//  2. Submit through the ordinary ingest path, in that order.
static void
s_submit (run_t *r)
{
    r->spool = spool_new (r->out, true);
    if (!r->spool)
        diag_fatal ("cannot create the spool %s", r->out);
    char logdir[PATH_MAX], err[1024];
    snprintf (logdir, sizeof logdir, "%s/log", r->out);
    mkdir (logdir, 0750);
    batch_t *batch = batch_new ();
    double t0 = s_now ();
    for (size_t k = 0; k < r->total; k++) {
        item_t *it = &r->items[k];
        char *msg;
        size_t len;
        int trunc;
        envelope_t *env = envelope_new ();
        int lr = sample_load (r->sample, it->index, s_hard_max, &msg, &len, &trunc, env, err, sizeof err);
        if (lr < 0 || trunc) {
            diag_error ("%s: %s", sample_name (r->sample, it->index), lr < 0 ? err : "larger than 1 GiB");
            r->failed_load++;
            if (lr == 0)
                free (msg);
            envelope_destroy (&env);
            continue;
        }
        //  Ids from the order: they sort as the messages came, and two
        //  replays of the same sample name each message alike.
        qid_at (it->qid, (uint64_t) (it->received_at > 0 ? it->received_at : 0) * 1000000u, k);
        if (spool_write_id (r->spool, batch, SPOOL_INCOMING, env, msg, len, it->qid, NULL) < 0)
            diag_fatal ("writing %s/incoming: %s", r->out, strerror (errno));
        free (msg);
        envelope_destroy (&env);
        if (batch_size (batch) >= 256 || k + 1 == r->total) {
            if (batch_commit (batch, NULL, NULL))
                diag_fatal ("committing to %s/incoming failed", r->out);
            s_progress ("submitting", k + 1, r->total, t0);
        }
    }
    batch_destroy (&batch);
    for (size_t k = 0; k < r->total; k++)
        if (r->items[k].qid[0])
            r->submitted++;
}

//  3. A real farm on a private ipc:// endpoint.
static void
s_start_farm (run_t *r)
{
    farm_t *farm = &r->farm;
    cfg_t *cfg = r->cfg;
    //  Its sockets and verdict log, in TMPDIR (when short enough for a
    //  socket's name); removed at the end.
    const char *tmpdir = getenv ("TMPDIR");
    if (!tmpdir || !*tmpdir || strlen (tmpdir) > 48)
        tmpdir = "/tmp";
    snprintf (farm->tmp, sizeof farm->tmp, "%s/farm-replay.XXXXXX", tmpdir);
    if (!mkdtemp (farm->tmp))
        diag_fatal ("mkdtemp: %s", strerror (errno));
    static char endpoint[128], maxsize[32], control[128], dkimtime[32], until[32], lag[32], latency[32];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/broker.sock", farm->tmp);
    snprintf (control, sizeof control, "ipc://%s/control.sock", farm->tmp);
    snprintf (r->vlog, sizeof r->vlog, "%s/verdicts.jsonl", farm->tmp);
    snprintf (maxsize, sizeof maxsize, "%" PRId64, cfg_int (cfg, "limits/message-size"));
    snprintf (dkimtime, sizeof dkimtime, "%" PRId64, cfg_int (cfg, "test/dkim-time"));
    snprintf (until, sizeof until, "%" PRId64, cfg_int (cfg, "compromise/observe-until"));
    snprintf (lag, sizeof lag, "%" PRId64, cfg_int (cfg, "spool/stream-lag"));
    snprintf (latency, sizeof latency, "%" PRId64, cfg_int (cfg, "spool/stream-latency"));
    const char *lvl = cfg_str (cfg, "log/level");
    char *bargs[] = { NULL, "--config", (char *) (r->config ? r->config : "/dev/null"),
                      "--spool", (char *) r->out, "--endpoint", endpoint, "--verdict-log", r->vlog,
                      "--log-level", (char *) lvl, "--max-size", maxsize,
                      "--models", (char *) cfg_str (cfg, "models/dir"), "--control", control,
                      cfg_bool (cfg, "state/watch") ? "--watch=true" : "--watch=false",
                      "--compromise-mode", (char *) cfg_str (cfg, "compromise/mode"),
                      //  Deferred mail is due by the sample's time, not today's.
                      "--clock", "messages", "--stream-lag", lag, "--stream-latency", latency,
                      "--observe-until", until,
                      "--dead-recipients", (char *) cfg_str (cfg, "feedback/simulate"),
                      //  A replay shows verdicts; it bounces nothing to anyone.
                      "--reject-notify=none", NULL };
    signal (SIGINT, s_on_signal);
    signal (SIGTERM, s_on_signal);
    r->started = r->last_verdict = s_now ();
    farm->broker = s_spawn (farm, "farm-broker", "broker.log", bargs);
    farm->workers = xcalloc ((size_t) farm->nworkers, sizeof (pid_t));
    char *wargs[] = { NULL, "--config", (char *) (r->config ? r->config : "/dev/null"),
                      "--endpoint", endpoint, "--log-level", (char *) lvl, "--max-size",
                      maxsize, "--models", (char *) cfg_str (cfg, "models/dir"),
                      "--keys", (char *) cfg_str (cfg, "dkim/keys"),
                      "--accounts", (char *) cfg_str (cfg, "dkim/accounts"),
                      "--canon", (char *) cfg_str (cfg, "dkim/canonicalization"),
                      "--signer", (char *) cfg_str (cfg, "dkim/signer"),
                      "--dkim-time", dkimtime,
                      cfg_bool (cfg, "bayes/explain") ? "--explain" : NULL, NULL };
    r->wargs = xmalloc (sizeof wargs);
    memcpy (r->wargs, wargs, sizeof wargs);
    for (int i = 0; i < farm->nworkers; i++) {
        char logname[64];
        snprintf (logname, sizeof logname, "worker-%d.log", i + 1);
        farm->workers[i] = s_spawn (farm, "farm-worker", logname, r->wargs);
    }
}

//  The verdict log's complete lines in pending: each first verdict of a
//  message that is not a deferral is counted, with its latency (deferred
//  mail comes back when the sample's time reaches its retry-at).
static void
s_verdict_lines (run_t *r, strbuf_t *pending)
{
    char *line = pending->data, *nl;
    while ((nl = memchr (line, '\n', pending->len - (size_t) (line - pending->data)))) {
        *nl = 0;
        char qid[64], lat[32], verdict[16];
        if (s_field (line, "qid", qid, sizeof qid) == 0
            && s_field (line, "latency_us", lat, sizeof lat) == 0
            && s_field (line, "verdict", verdict, sizeof verdict) == 0 && strcmp (verdict, "defer")) {
            item_t key;
            memset (&key, 0, sizeof key);
            memcpy (key.qid, qid, strnlen (qid, QID_LEN));
            item_t *it = bsearch (&key, r->items, r->total, sizeof *r->items, s_cmp_qid);
            if (it && it->latency_us < 0) {
                it->latency_us = strtoll (lat, NULL, 10);
                r->seen++;
                r->last_verdict = s_now ();
            }
        }
        line = nl + 1;
    }
    size_t left = pending->len - (size_t) (line - pending->data);
    memmove (pending->data, line, left);
    pending->len = left;
}

//  Every process still running? A worker that retired after max-jobs is
//  started again, as a supervisor would. False when the broker is gone.
static bool
s_watch_farm (run_t *r)
{
    farm_t *farm = &r->farm;
    if (waitpid (farm->broker, NULL, WNOHANG) == farm->broker) {
        farm->broker = 0;
        return false;
    }
    for (int i = 0; i < farm->nworkers; i++) {
        int status;
        if (farm->workers[i] > 0 && waitpid (farm->workers[i], &status, WNOHANG) == farm->workers[i]) {
            farm->workers[i] = 0;
            if (WIFEXITED (status) && WEXITSTATUS (status) == 0 && !s_stop) {
                char logname[64];
                snprintf (logname, sizeof logname, "worker-%d.log", i + 1);
                farm->workers[i] = s_spawn (farm, "farm-worker", logname, r->wargs);
            }
            else
                diag_warn ("worker %d exited; see %s/log/worker-%d.log", i + 1, r->out, i + 1);
        }
    }
    return true;
}

//  Copy from into to (made anew, mode 0600, fsync'd): 0, or -1 logged.
static int
s_copy_file (const char *from, const char *to)
{
    int in = open (from, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (in < 0 || fstat (in, &st) < 0) {
        diag_error ("--keep-state: %s: %s", from, strerror (errno));
        if (in >= 0)
            close (in);
        return -1;
    }
    char tmp[PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s.tmp", to);
    int out = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int rc = out < 0 ? -1 : fileio_copy (in, 0, out, st.st_size);
    if (rc == 0)
        rc = fsync (out);
    if (out >= 0 && close (out) < 0)
        rc = -1;
    close (in);
    if (rc == 0)
        rc = rename (tmp, to);
    if (rc < 0) {
        diag_error ("--keep-state: %s: %s", to, strerror (errno));
        unlink (tmp);
    }
    return rc;
}

//  --keep-state FILE: the broker's state (it has stopped) and its flags.
static int
s_keep_state (run_t *r)
{
    char from[PATH_MAX], flags[PATH_MAX], to_flags[PATH_MAX];
    snprintf (from, sizeof from, "%s/senders.mdb", r->out);
    snprintf (flags, sizeof flags, "%s/senders.mdb.flags", r->out);
    snprintf (to_flags, sizeof to_flags, "%s.flags", r->keep);
    if (s_copy_file (from, r->keep) < 0)
        return -1;
    if (access (flags, F_OK) == 0 && s_copy_file (flags, to_flags) < 0)
        return -1;
    printf ("  sender state kept in %s (a broker starts from it with --state %s)\n", r->keep, r->keep);
    return 0;
}

//  Nothing in incoming/, active/ or deferred/ (the spool at rest).
static bool
s_spool_quiet (run_t *r)
{
    static const spool_dir_t dirs[] = { SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d = fdopendir (dup (spool_fd (r->spool, dirs[i])));
        if (!d)
            return false;
        rewinddir (d);
        struct dirent *e;
        bool empty = true;
        while (empty && (e = readdir (d)))
            empty = e->d_name[0] == '.';
        closedir (d);
        if (!empty)
            return false;
    }
    return true;
}

//  4. Follow the verdict log until every message has its verdict and the
//  spool is at rest, then stop the farm.
static void
s_follow (run_t *r)
{
    qsort (r->items, r->total, sizeof *r->items, s_cmp_qid);
    int vfd = -1;
    strbuf_t pending;
    strbuf_init (&pending);
    double last_progress = s_now ();
    int64_t timeout = cfg_int (r->cfg, "replay/timeout-s");
    int quiet = 0;
    while ((r->seen < r->submitted || quiet < 3) && !s_stop) {
        if (vfd < 0)
            vfd = open (r->vlog, O_RDONLY | O_CLOEXEC);
        char buf[65536];
        ssize_t n = vfd >= 0 ? read (vfd, buf, sizeof buf) : 0;
        if (n > 0) {
            strbuf_add (&pending, buf, (size_t) n);
            s_verdict_lines (r, &pending);
            quiet = 0;
            continue;
        }
        //  Every message has had a verdict: done when nothing is left to
        //  move (a flag that ran out sends held mail round again), three
        //  looks in a row.
        if (r->seen >= r->submitted)
            quiet = s_spool_quiet (r) ? quiet + 1 : 0;
        if (s_now () - last_progress > 0.2) {
            s_progress ("scanning", r->seen, r->submitted, r->started);
            last_progress = s_now ();
        }
        if (!s_watch_farm (r)) {
            r->failure = "the broker exited";
            break;
        }
        if (s_now () - r->last_verdict > (double) timeout) {
            r->failure = "no verdict came within --timeout-s";
            break;
        }
        usleep (10000);
    }
    r->finished = s_now ();
    if (r->seen == r->submitted)
        s_progress ("scanning", r->seen, r->submitted, r->started);
    else if (isatty (STDERR_FILENO))
        fprintf (stderr, "\n");
    if (s_stop)
        r->failure = "interrupted";
    s_stop_all (&r->farm);
    strbuf_free (&pending);
    if (vfd >= 0)
        close (vfd);
}

//  The JSON line and the report entry of one finished message.
static void
s_record (run_t *r, const item_t *it, spool_dir_t where, FILE *jf, report_t *report, strbuf_t *j)
{
    char err[1024];
    int fd = openat (spool_fd (r->spool, where), it->qid, O_RDONLY | O_CLOEXEC);
    envelope_t *env = envelope_new ();
    off_t off;
    if (fd < 0 || spoolfile_read_header (fd, env, &off, err, sizeof err) < 0)
        diag_error ("%s: output unreadable: %s", it->qid, fd < 0 ? strerror (errno) : err);
    else {
        if (jf) {
            s_json_line (j, sample_name (r->sample, it->index), it->qid, env);
            fwrite (j->data, 1, j->len, jf);
        }
        if (report)
            report_add (report, sample_name (r->sample, it->index), env);
    }
    if (fd >= 0)
        close (fd);
    envelope_destroy (&env);
}

//  5. Check the outputs (every message in exactly one output spool), write
//  --json and --html, print the summary. The exit code.
static int
s_check (run_t *r)
{
    FILE *jf = NULL;
    if (r->json && !(jf = fopen (r->json, "w")))
        diag_fatal ("--json %s: %s", r->json, strerror (errno));
    size_t counts[SPOOL_NDIRS + 1] = { 0 };
    size_t missing = 0, doubled = 0;
    int64_t *lat = xcalloc (r->total ? r->total : 1, sizeof *lat);
    size_t nlat = 0;
    strbuf_t j;
    strbuf_init (&j);
    report_t *report = r->html ? report_new () : NULL;
    for (size_t k = 0; k < r->total; k++) {
        item_t *it = &r->items[k];
        if (!it->qid[0])
            continue;
        int count;
        spool_dir_t where = s_where (r->spool, it->qid, &count);
        if (count > 1) {
            diag_error ("%s: in %d output spools", it->qid, count);
            doubled++;
        }
        if (where == SPOOL_NDIRS || where == SPOOL_CORRUPT) {
            diag_error ("%s (%s): no verdict%s", it->qid, sample_name (r->sample, it->index),
                        where == SPOOL_CORRUPT ? " (in corrupt/)" : "");
            missing++;
            continue;
        }
        counts[where]++;
        if (it->latency_us >= 0)
            lat[nlat++] = it->latency_us;
        if (jf || report)
            s_record (r, it, where, jf, report, &j);
    }
    strbuf_free (&j);
    if (jf && fclose (jf) != 0)
        diag_error ("--json %s: %s", r->json, strerror (errno));
    if (report) {
        FILE *hf = fopen (r->html, "w");
        char title[600];
        snprintf (title, sizeof title, "farm-replay: %s", r->input);
        if (!hf || report_write (report, title, hf) < 0 || fclose (hf) != 0)
            diag_error ("--html %s: %s", r->html, strerror (errno));
        report_destroy (&report);
    }
    qsort (lat, nlat, sizeof *lat, s_cmp_i64);
    double secs = (r->seen ? r->last_verdict : r->finished) - r->started;
    printf ("farm-replay: %zu messages from %s, %d worker(s)\n", r->total, r->input, r->farm.nworkers);
    printf ("  deliver %zu   hold %zu   reject %zu   defer %zu   no verdict %zu\n",
            counts[SPOOL_OUTGOING], counts[SPOOL_HOLD], counts[SPOOL_REJECT],
            counts[SPOOL_DEFERRED], missing + r->failed_load);
    printf ("  %.0f messages/s (%zu in %.2f s, broker start to last verdict)\n",
            secs > 0 ? r->seen / secs : 0.0, r->seen, secs);
    if (nlat)
        printf ("  latency (claim to durable output): p50 %.1f ms, p99 %.1f ms\n",
                lat[nlat / 2] / 1000.0, lat[(nlat * 99) / 100 < nlat ? (nlat * 99) / 100 : nlat - 1] / 1000.0);
    printf ("  output spools under %s, logs under %s/log\n", r->out, r->out);
    if (r->failure)
        printf ("  FAILED: %s (see %s/log/)\n", r->failure, r->out);
    free (lat);
    return (missing || doubled || r->failed_load || r->failure) ? 1 : 0;
}

int
main (int argc, char **argv)
{
    diag_init ("farm-replay", false);
    run_t r = { .cfg = cfg_new (CFG_REPLAY) };
    char **rest = xcalloc ((size_t) argc + 1, sizeof *rest);
    int rc = s_args (&r, argc, argv, rest);
    if (rc < 0)
        rc = s_index (&r);
    if (rc < 0) {
        s_submit (&r);
        s_start_farm (&r);
        s_follow (&r);
        rc = s_check (&r);
        if (r.keep && s_keep_state (&r) < 0)
            rc = 1;
        static const char *left[] = { "broker.sock", "control.sock" };
        for (size_t i = 0; i < sizeof left / sizeof left[0]; i++) {
            char sock[sizeof r.farm.tmp + 32];
            snprintf (sock, sizeof sock, "%s/%s", r.farm.tmp, left[i]);
            unlink (sock);
        }
        unlink (r.vlog);
        if (rmdir (r.farm.tmp) < 0)
            diag_warn ("%s: %s (left behind)", r.farm.tmp, strerror (errno));
    }
    free (r.items);
    free (r.farm.workers);
    free (r.wargs);
    spool_destroy (&r.spool);
    sample_destroy (&r.sample);
    free (rest);
    cfg_destroy (&r.cfg);
    return rc;
}
