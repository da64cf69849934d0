/*  authq.c: password checks on threads of their own (see authq.h). */
#include "authq.h"
#include "xalloc.h"
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct s_check_t {
    char user[256], pass[256];
    void *entry;
    bool ok;
    struct s_check_t *next;
} s_check_t;

struct authq_t {
    accounts_t *accounts;
    pthread_mutex_t lock;       //  the lists, and stop
    pthread_rwlock_t accounts_lock;
    pthread_cond_t wake;
    s_check_t *todo, *todo_tail, *done;
    bool stop;
    pthread_t *threads;
    size_t nthreads;
    int efd;
};

static void *
s_thread (void *arg)
{
    authq_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (true) {
        while (!self->todo && !self->stop)
            pthread_cond_wait (&self->wake, &self->lock);
        if (self->stop)
            break;
        s_check_t *c = self->todo;
        self->todo = c->next;
        if (!self->todo)
            self->todo_tail = NULL;
        pthread_mutex_unlock (&self->lock);
        pthread_rwlock_rdlock (&self->accounts_lock);
        c->ok = accounts_check (self->accounts, c->user, c->pass);
        pthread_rwlock_unlock (&self->accounts_lock);
        OPENSSL_cleanse (c->pass, sizeof c->pass);
        pthread_mutex_lock (&self->lock);
        c->next = self->done;
        self->done = c;
        uint64_t one = 1;
        ssize_t w = write (self->efd, &one, sizeof one);
        (void) w;       //  the counter cannot overflow; the loop polls each turn anyway
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

authq_t *
authq_new (accounts_t *accounts, size_t nthreads)
{
    authq_t *self = xcalloc (1, sizeof *self);
    self->accounts = accounts;
    pthread_mutex_init (&self->lock, NULL);
    pthread_rwlock_init (&self->accounts_lock, NULL);
    pthread_cond_init (&self->wake, NULL);
    self->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    self->threads = xcalloc (nthreads, sizeof *self->threads);
    int rc = self->efd < 0 ? errno : 0;
    for (size_t i = 0; i < nthreads && !rc; i++)
        if ((rc = pthread_create (&self->threads[i], NULL, s_thread, self)) == 0)
            self->nthreads++;
    if (rc) {
        authq_destroy (&self);
        errno = rc;
        return NULL;
    }
    return self;
}

static void
s_free_list (s_check_t *c)
{
    while (c) {
        s_check_t *next = c->next;
        OPENSSL_cleanse (c->pass, sizeof c->pass);
        free (c);
        c = next;
    }
}

void
authq_destroy (authq_t **self_p)
{
    authq_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_cond_broadcast (&self->wake);
    pthread_mutex_unlock (&self->lock);
    for (size_t i = 0; i < self->nthreads; i++)
        pthread_join (self->threads[i], NULL);
    s_free_list (self->todo);
    s_free_list (self->done);
    free (self->threads);
    if (self->efd >= 0)
        close (self->efd);
    accounts_destroy (&self->accounts);
    pthread_mutex_destroy (&self->lock);
    pthread_rwlock_destroy (&self->accounts_lock);
    pthread_cond_destroy (&self->wake);
    free (self);
    *self_p = NULL;
}

int
authq_fd (authq_t *self)
{
    return self->efd;
}

void
authq_add (authq_t *self, const char *user, const char *pass, void *entry)
{
    s_check_t *c = xcalloc (1, sizeof *c);
    size_t ul = strlen (user), pl = strlen (pass);
    memcpy (c->user, user, ul < sizeof c->user ? ul : sizeof c->user - 1);
    memcpy (c->pass, pass, pl < sizeof c->pass ? pl : sizeof c->pass - 1);
    c->entry = entry;
    pthread_mutex_lock (&self->lock);
    if (self->todo_tail)
        self->todo_tail->next = c;
    else
        self->todo = c;
    self->todo_tail = c;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
}

void
authq_poll (authq_t *self, authq_done_fn *done, void *arg)
{
    uint64_t n;
    ssize_t r = read (self->efd, &n, sizeof n);
    (void) r;       //  EAGAIN: nothing new; the list says what is
    pthread_mutex_lock (&self->lock);
    s_check_t *list = self->done;
    self->done = NULL;
    pthread_mutex_unlock (&self->lock);
    while (list) {
        s_check_t *next = list->next;
        done (arg, list->entry, list->ok);
        free (list);
        list = next;
    }
}

int
authq_reload (authq_t *self, char *err, size_t errlen)
{
    pthread_rwlock_wrlock (&self->accounts_lock);
    int rc = accounts_reload (self->accounts, err, errlen);
    pthread_rwlock_unlock (&self->accounts_lock);
    return rc;
}

size_t
authq_count (authq_t *self)
{
    pthread_rwlock_rdlock (&self->accounts_lock);
    size_t n = accounts_count (self->accounts);
    pthread_rwlock_unlock (&self->accounts_lock);
    return n;
}
