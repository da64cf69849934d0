/*  commit.c: group commit on a thread of its own (see commit.h). */
#include "commit.h"
#include "xalloc.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    void *entry;
    char qid[QID_SIZE];
} s_entry_t;

struct commit_t {
    spool_t *spool;
    batch_t *filling;       //  the loop's: written, waiting for a sync
    batch_t *syncing;       //  the thread's while busy
    size_t filling_n, syncing_n;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool busy;              //  syncing holds a batch the loop has handed over
    bool synced;            //  ... and the thread is done with it
    bool stop;
    int efd;
    size_t batches, messages;
    int window_ms;
    size_t max;
    int64_t first_ms;       //  when the filling batch got its first message
    bool polling;           //  in commit_poll: a done callback that adds and
                            //  polls again is told to wait for this one
    commit_done_fn *done;
    void *done_arg;
};

static void *
s_thread (void *arg)
{
    commit_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (true) {
        while (!(self->busy && !self->synced) && !self->stop)
            pthread_cond_wait (&self->wake, &self->lock);
        if (!(self->busy && !self->synced))
            break;
        pthread_mutex_unlock (&self->lock);
        batch_sync (self->syncing);
        pthread_mutex_lock (&self->lock);
        self->synced = true;
        uint64_t one = 1;
        //  The counter cannot overflow here; a failure would only delay
        //  the poll until the loop's next turn.
        ssize_t w = write (self->efd, &one, sizeof one);
        (void) w;
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

commit_t *
commit_new (spool_t *spool)
{
    commit_t *self = xcalloc (1, sizeof *self);
    self->spool = spool;
    self->filling = batch_new ();
    self->syncing = batch_new ();
    batch_set_sync (self->filling, spool_sync (spool));
    batch_set_sync (self->syncing, spool_sync (spool));
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->wake, NULL);
    self->max = 256;
    self->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    int rc = self->efd < 0 ? errno : pthread_create (&self->thread, NULL, s_thread, self);
    if (rc) {
        if (self->efd >= 0)
            close (self->efd);
        batch_destroy (&self->filling);
        batch_destroy (&self->syncing);
        free (self);
        errno = rc;
        return NULL;
    }
    return self;
}

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
commit_set_window (commit_t *self, int ms, size_t max)
{
    self->window_ms = ms;
    self->max = max ? max : 1;
}

int
commit_timeout (commit_t *self)
{
    if (!self->filling_n)
        return -1;
    int64_t left = self->first_ms + self->window_ms - s_now_ms ();
    return left < 0 ? 0 : (int) left;
}

int
commit_fd (commit_t *self)
{
    return self->efd;
}

int
commit_add (commit_t *self, envelope_t *env, const void *msg, size_t len, void *entry)
{
    s_entry_t *e = xcalloc (1, sizeof *e);
    e->entry = entry;
    int rc;
    if (env->qid && qid_valid (env->qid)) {
        memcpy (e->qid, env->qid, QID_SIZE);
        rc = spool_write_id (self->spool, self->filling, SPOOL_INCOMING, env, msg, len, e->qid, e);
    }
    else
        rc = spool_write (self->spool, self->filling, SPOOL_INCOMING, env, msg, len, e->qid, e);
    if (rc < 0) {
        int err = errno;
        free (e);
        errno = err;
        return -1;
    }
    if (self->filling_n++ == 0)
        self->first_ms = s_now_ms ();
    return 0;
}

static void
s_finished (void *arg, void *entry_arg, int status)
{
    commit_t *self = arg;
    s_entry_t *e = entry_arg;
    self->done (self->done_arg, e->entry, status ? NULL : e->qid, status);
    free (e);
}

void
commit_poll (commit_t *self, commit_done_fn *done, void *arg)
{
    //  A done callback may add a message (its session's next) and poll:
    //  the batch being finished must not be finished twice. This call hands
    //  the new one over when it is through.
    if (self->polling)
        return;
    self->polling = true;
    uint64_t n;
    //  EAGAIN: nothing new; the flags below say what is.
    ssize_t r = read (self->efd, &n, sizeof n);
    (void) r;
    pthread_mutex_lock (&self->lock);
    bool finished = self->busy && self->synced;
    pthread_mutex_unlock (&self->lock);
    if (finished) {
        self->done = done;
        self->done_arg = arg;
        batch_finish (self->syncing, s_finished, self);
        self->batches++;
        self->messages += self->syncing_n;
        self->syncing_n = 0;
        pthread_mutex_lock (&self->lock);
        self->busy = self->synced = false;
        pthread_mutex_unlock (&self->lock);
    }
    bool due = self->filling_n >= self->max || (self->filling_n && commit_timeout (self) == 0);
    pthread_mutex_lock (&self->lock);
    if (!self->busy && due) {
        batch_t *t = self->syncing;
        self->syncing = self->filling;
        self->filling = t;
        self->syncing_n = self->filling_n;
        self->filling_n = 0;
        self->busy = true;
        self->synced = false;
        pthread_cond_signal (&self->wake);
    }
    pthread_mutex_unlock (&self->lock);
    self->polling = false;
}

size_t
commit_pending (commit_t *self)
{
    return self->filling_n + self->syncing_n;
}

void
commit_stats (commit_t *self, size_t *batches, size_t *messages)
{
    *batches = self->batches;
    *messages = self->messages;
}

void
commit_destroy (commit_t **self_p, commit_done_fn *done, void *arg)
{
    commit_t *self = *self_p;
    if (!self)
        return;
    //  Everything written is made durable and answered before the end.
    self->window_ms = 0;
    while (commit_pending (self)) {
        commit_poll (self, done, arg);
        if (commit_pending (self)) {
            struct timespec ts = { 0, 1000000 };
            nanosleep (&ts, NULL);
        }
    }
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    close (self->efd);
    batch_destroy (&self->filling);
    batch_destroy (&self->syncing);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->wake);
    free (self);
    *self_p = NULL;
}
