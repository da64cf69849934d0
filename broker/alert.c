/*  alert.c: the detector's events to a webhook and a command, from a thread
 *  of their own (see alert.h). */
#include "alert.h"
#include "diag.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ALERT_SECRET_MAX 4096

typedef struct s_item_t {
    struct s_item_t *next;
    char *event;
    char *body;                 //  the JSON object
} s_item_t;

struct alert_t {
    char *url, *command;
    unsigned char secret[ALERT_SECRET_MAX];
    size_t secret_len;
    long timeout_ms;
    int retries;
    pthread_t thread;
    bool running, stopping;
    int64_t drain_until;        //  usec: at a stop, what is not sent by then is dropped
    pthread_mutex_t lock;
    pthread_cond_t wake;
    s_item_t *head, *tail;
    size_t queued;
    uint64_t sent, failed, overflow;
};

//  The secret: a regular file, not a link, readable by its owner alone
//  (like the DKIM keys), 1 to ALERT_SECRET_MAX bytes, a final newline cut.
static int
s_read_secret (alert_t *self, const char *path, char *err, size_t errlen)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) < 0) {
        snprintf (err, errlen, "notify/secret-file %s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    if (!S_ISREG (st.st_mode) || (st.st_mode & 077)) {
        snprintf (err, errlen, "notify/secret-file %s: %s", path, !S_ISREG (st.st_mode)
                  ? "not a regular file" : "readable by others than its owner (chmod 600 it)");
        close (fd);
        return -1;
    }
    ssize_t n = read (fd, self->secret, sizeof self->secret);
    close (fd);
    while (n > 0 && (self->secret[n - 1] == '\n' || self->secret[n - 1] == '\r'))
        n--;
    if (n <= 0 || (size_t) n >= sizeof self->secret) {
        snprintf (err, errlen, "notify/secret-file %s: %s", path, n <= 0 ? "empty" : "longer than 4 KiB");
        return -1;
    }
    self->secret_len = (size_t) n;
    return 0;
}

//  The signature header's value for body at ts.
static void
s_sign (const alert_t *self, const char *ts, const char *body, char *out, size_t outlen)
{
    strbuf_t msg;
    strbuf_init (&msg);
    strbuf_printf (&msg, "%s.%s", ts, body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC (EVP_sha256 (), self->secret, (int) self->secret_len, (const unsigned char *) msg.data,
          msg.len, mac, &len);
    strbuf_free (&msg);
    size_t o = (size_t) snprintf (out, outlen, "sha256=");
    for (unsigned int i = 0; i < len && o + 3 <= outlen; i++, o += 2)
        snprintf (out + o, 3, "%02x", mac[i]);
}

static size_t
s_discard (char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void) ptr;
    (void) arg;
    return size * nmemb;
}

//  One POST: 0 on a 2xx answer, else -1 with why.
static int
s_post (alert_t *self, const s_item_t *it, char *why, size_t whylen)
{
    CURL *c = curl_easy_init ();
    if (!c) {
        snprintf (why, whylen, "libcurl cannot start a request");
        return -1;
    }
    char ts[32], sig[128], h1[160], h2[64], h3[160];
    snprintf (ts, sizeof ts, "%lld", (long long) time (NULL));
    s_sign (self, ts, it->body, sig, sizeof sig);
    snprintf (h1, sizeof h1, "X-Farm-Signature: %s", sig);
    snprintf (h2, sizeof h2, "X-Farm-Timestamp: %s", ts);
    snprintf (h3, sizeof h3, "X-Farm-Event: %s", it->event);
    struct curl_slist *hdr = curl_slist_append (NULL, "Content-Type: application/json");
    hdr = curl_slist_append (hdr, h1);
    hdr = curl_slist_append (hdr, h2);
    hdr = curl_slist_append (hdr, h3);
    curl_easy_setopt (c, CURLOPT_URL, self->url);
    curl_easy_setopt (c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt (c, CURLOPT_POSTFIELDS, it->body);
    curl_easy_setopt (c, CURLOPT_TIMEOUT_MS, self->timeout_ms);
    curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT_MS, self->timeout_ms);
    curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, s_discard);
    CURLcode rc = curl_easy_perform (c);
    long status = 0;
    curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all (hdr);
    curl_easy_cleanup (c);
    if (rc != CURLE_OK) {
        snprintf (why, whylen, "%s", curl_easy_strerror (rc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf (why, whylen, "answered %ld", status);
        return -1;
    }
    return 0;
}

//  The command, with the JSON on its standard input, in at most the
//  timeout (then killed): 0 when it exits 0, else -1 with why.
static int
s_run (alert_t *self, const s_item_t *it, char *why, size_t whylen)
{
    int fds[2];
    if (pipe (fds) < 0) {
        snprintf (why, whylen, "pipe: %s", strerror (errno));
        return -1;
    }
    char ev[96];
    snprintf (ev, sizeof ev, "FARM_EVENT=%s", it->event);
    char *envp[] = { ev, "PATH=/usr/local/bin:/usr/bin:/bin", NULL };
    pid_t pid = fork ();
    if (pid < 0) {
        snprintf (why, whylen, "fork: %s", strerror (errno));
        close (fds[0]);
        close (fds[1]);
        return -1;
    }
    if (pid == 0) {
        //  Only what is safe after fork in a threaded process: dup2, close, exec.
        dup2 (fds[0], 0);
        close (fds[0]);
        close (fds[1]);
        execle ("/bin/sh", "sh", "-c", self->command, (char *) NULL, envp);
        _exit (127);
    }
    close (fds[0]);
    //  A command that does not read its input must not block us.
    int fl = fcntl (fds[1], F_GETFL);
    fcntl (fds[1], F_SETFL, fl | O_NONBLOCK);
    if (write (fds[1], it->body, strlen (it->body)) < 0 && errno != EPIPE && errno != EAGAIN)
        diag_debug ("notify command: writing its input: %s", strerror (errno));
    close (fds[1]);
    int status = 0;
    int64_t deadline = fileio_now_usec () + self->timeout_ms * 1000;
    pid_t w;
    while ((w = waitpid (pid, &status, WNOHANG)) == 0 && fileio_now_usec () < deadline)
        usleep (10000);
    if (w == 0) {
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
        snprintf (why, whylen, "did not finish within notify/timeout-ms");
        return -1;
    }
    if (!WIFEXITED (status) || WEXITSTATUS (status)) {
        snprintf (why, whylen, "exited %d", WIFEXITED (status) ? WEXITSTATUS (status) : -1);
        return -1;
    }
    return 0;
}

static void
s_item_free (s_item_t *it)
{
    free (it->event);
    free (it->body);
    free (it);
}

//  One event, with its retries; false when it was given up.
static bool
s_deliver (alert_t *self, s_item_t *it)
{
    bool web = !self->url, cmd = !self->command;   //  done (or nothing to do)
    char why[256] = "";
    for (int attempt = 0; attempt <= self->retries; attempt++) {
        if (!web)
            web = s_post (self, it, why, sizeof why) == 0;
        if (!cmd)
            cmd = s_run (self, it, why, sizeof why) == 0;
        if (web && cmd)
            return true;
        //  Back off, 1 s doubling; at a stop, the attempts left go at once,
        //  within the drain's deadline.
        pthread_mutex_lock (&self->lock);
        if (!self->stopping && attempt < self->retries) {
            struct timespec until;
            clock_gettime (CLOCK_REALTIME, &until);
            until.tv_sec += (time_t) 1 << (attempt < 10 ? attempt : 10);
            pthread_cond_timedwait (&self->wake, &self->lock, &until);
        }
        bool late = self->stopping && fileio_now_usec () > self->drain_until;
        pthread_mutex_unlock (&self->lock);
        if (late)
            break;
    }
    diag_error ("notify: %s event dropped after %d attempt(s): %s%s%s", it->event, self->retries + 1,
                !web ? self->url : "", !web ? ": " : "", why);
    return false;
}

static void *
s_thread (void *arg)
{
    alert_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (true) {
        while (!self->head && !self->stopping)
            pthread_cond_wait (&self->wake, &self->lock);
        s_item_t *it = self->head;
        if (!it)
            break;
        if (self->stopping && fileio_now_usec () > self->drain_until) {
            diag_error ("notify: stopping: %zu event(s) not sent dropped", self->queued);
            break;
        }
        self->head = it->next;
        if (!self->head)
            self->tail = NULL;
        self->queued--;
        pthread_mutex_unlock (&self->lock);
        bool ok = s_deliver (self, it);
        s_item_free (it);
        pthread_mutex_lock (&self->lock);
        if (ok)
            self->sent++;
        else
            self->failed++;
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

alert_t *
alert_new (cfg_t *cfg, char *err, size_t errlen)
{
    alert_t *self = xcalloc (1, sizeof *self);
    const char *url = cfg_str (cfg, "notify/webhook"), *cmd = cfg_str (cfg, "notify/command");
    const char *secret = cfg_str (cfg, "notify/secret-file");
    self->timeout_ms = (long) cfg_int (cfg, "notify/timeout-ms");
    self->retries = (int) cfg_int (cfg, "notify/retries");
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->wake, NULL);
    if (*url) {
        if (strncmp (url, "http://", 7) && strncmp (url, "https://", 8)) {
            snprintf (err, errlen, "notify/webhook %s: not an http:// or https:// URL", url);
            alert_destroy (&self);
            return NULL;
        }
        if (!*secret) {
            snprintf (err, errlen, "notify/webhook is set but notify/secret-file is not: the "
                      "receiver could not tell our events from anyone's");
            alert_destroy (&self);
            return NULL;
        }
        self->url = xstrdup (url);
    }
    if (*secret && s_read_secret (self, secret, err, errlen) < 0) {
        alert_destroy (&self);
        return NULL;
    }
    if (*cmd)
        self->command = xstrdup (cmd);
    if (self->url || self->command) {
        //  A command that exits without reading must not kill the broker.
        signal (SIGPIPE, SIG_IGN);
        curl_global_init (CURL_GLOBAL_DEFAULT);
        if (pthread_create (&self->thread, NULL, s_thread, self) != 0) {
            snprintf (err, errlen, "notify: cannot start its thread");
            alert_destroy (&self);
            return NULL;
        }
        self->running = true;
        diag_info ("notify: the detector's events to %s%s%s", self->url ? self->url : "",
                   self->url && self->command ? " and " : "", self->command ? "a command" : "");
    }
    return self;
}

void
alert_destroy (alert_t **self_p)
{
    alert_t *self = *self_p;
    if (!self)
        return;
    if (self->running) {
        pthread_mutex_lock (&self->lock);
        self->stopping = true;
        self->drain_until = fileio_now_usec () + ALERT_DRAIN_MS * 1000;
        pthread_cond_broadcast (&self->wake);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);
        curl_global_cleanup ();
    }
    while (self->head) {
        s_item_t *next = self->head->next;
        s_item_free (self->head);
        self->head = next;
    }
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->wake);
    free (self->url);
    free (self->command);
    memset (self->secret, 0, sizeof self->secret);
    free (self);
    *self_p = NULL;
}

void
alert_post (alert_t *self, const alert_event_t *ev)
{
    if (!self || !self->running)
        return;
    strbuf_t j;
    strbuf_init (&j);
    strbuf_adds (&j, "{\"event\":");
    strbuf_json_string (&j, ev->event);
    strbuf_adds (&j, ",\"account\":");
    strbuf_json_string (&j, ev->account);
    strbuf_adds (&j, ",\"reason\":");
    strbuf_json_string (&j, ev->reason ? ev->reason : "");
    if (isfinite (ev->score))
        strbuf_printf (&j, ",\"score\":%.2f", ev->score);
    else
        strbuf_adds (&j, ",\"score\":null");
    strbuf_printf (&j, ",\"counts\":{\"messages_1h\":%u,\"new_recipients_1h\":%u,\"tried_1h\":%u}",
                   ev->msgs_1h, ev->new_1h, ev->tried_1h);
    strbuf_adds (&j, ",\"queue_ids\":[");
    for (size_t i = 0; i < ALERT_QIDS && ev->qids[i]; i++) {
        if (i)
            strbuf_addc (&j, ',');
        strbuf_json_string (&j, ev->qids[i]);
    }
    strbuf_printf (&j, "],\"time\":%" PRId64 ",\"until\":", ev->at);
    if (ev->until)
        strbuf_printf (&j, "%" PRId64 "}", ev->until);
    else
        strbuf_adds (&j, "null}");
    s_item_t *it = xcalloc (1, sizeof *it);
    it->event = xstrdup (ev->event);
    it->body = xstrdup (j.data);
    strbuf_free (&j);
    pthread_mutex_lock (&self->lock);
    bool full = self->queued >= ALERT_QUEUE;
    if (full)
        self->overflow++;
    else {
        if (self->tail)
            self->tail->next = it;
        else
            self->head = it;
        self->tail = it;
        self->queued++;
        pthread_cond_signal (&self->wake);
    }
    pthread_mutex_unlock (&self->lock);
    if (full) {
        diag_error ("notify: %d events waiting; the %s event of %s dropped", ALERT_QUEUE, ev->event,
                    ev->account);
        s_item_free (it);
    }
}

void
alert_counts (alert_t *self, uint64_t *sent, uint64_t *failed, uint64_t *overflow)
{
    *sent = *failed = *overflow = 0;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    *sent = self->sent;
    *failed = self->failed;
    *overflow = self->overflow;
    pthread_mutex_unlock (&self->lock);
}
