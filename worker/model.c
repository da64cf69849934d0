/*  model.c: model loading and hot swap (see model.h).
 *  Training replaces bayes.mdb by rename, so the file at the path is always a
 *  whole model; a changed inode or mtime means a new one. The old model is
 *  destroyed only after the new one loaded, between jobs, so no job is ever
 *  scored by half a model or dropped for a swap. */
#include "model.h"
#include "diag.h"
#include "fileio.h"
#include "recheck.h"
#include "tokenize.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct model_t {
    char mdb[4096], cfg[4096], ccfg[4096];
    recheck_t recheck;
    bayes_t *bayes;
    bayes_params_t params;
    compromise_params_t cparams;
    filewatch_t mdb_w, cfg_w, ccfg_w;
};

model_t *
model_new (const char *dir, int64_t check_ms)
{
    model_t *self = xcalloc (1, sizeof *self);
    self->recheck.every_ms = check_ms;
    bayes_params_default (&self->params);
    compromise_params_default (&self->cparams);
    if (dir && *dir) {
        snprintf (self->mdb, sizeof self->mdb, "%s/bayes.mdb", dir);
        snprintf (self->cfg, sizeof self->cfg, "%s/bayes.cfg", dir);
        snprintf (self->ccfg, sizeof self->ccfg, "%s/compromise.cfg", dir);
        model_refresh (self);
        if (!self->bayes)
            diag_error ("NO USABLE MODEL IN %s: CONTENT IS NOT SCORED until one appears "
                        "(farm-train --models %s)", dir, dir);
    }
    else
        diag_warn ("NO MODEL (models/dir is empty): CONTENT IS NOT SCORED, every message goes on "
                   "unjudged by the Bayes stage. Give --models DIR in production.");
    return self;
}

void
model_destroy (model_t **self_p)
{
    model_t *self = *self_p;
    if (!self)
        return;
    bayes_destroy (&self->bayes);
    free (self);
    *self_p = NULL;
}

static void
s_load_cfg (model_t *self)
{
    bool seen = self->cfg_w.seen;
    filewatch_status_t fw = filewatch_check (&self->cfg_w, self->cfg);
    if (fw == FILEWATCH_GONE && seen)
        diag_warn ("%s is gone; keeping the thresholds read before", self->cfg);
    if (fw != FILEWATCH_CHANGED)
        return;
    bayes_params_t p = self->params;
    char err[512];
    if (bayes_params_load (&p, self->cfg, err, sizeof err) < 0)
        diag_error ("%s; keeping the thresholds in use", err);
    else {
        self->params = p;
        diag_info ("thresholds from %s: hold %.4g, reject %.4g", self->cfg, p.hold, p.reject);
    }
}

//  compromise.cfg likewise: read when it changes, the last good one kept.
static void
s_load_ccfg (model_t *self)
{
    bool seen = self->ccfg_w.seen;
    filewatch_status_t fw = filewatch_check (&self->ccfg_w, self->ccfg);
    if (fw == FILEWATCH_GONE && seen)
        diag_warn ("%s is gone; keeping the parameters read before", self->ccfg);
    if (fw != FILEWATCH_CHANGED)
        return;
    compromise_params_t p = self->cparams;
    char err[512];
    if (compromise_params_load (&p, self->ccfg, err, sizeof err) < 0)
        diag_error ("%s; keeping the parameters in use", err);
    else {
        self->cparams = p;
        diag_info ("compromise parameters from %s: threshold %.3g", self->ccfg, p.threshold);
    }
}

void
model_refresh (model_t *self)
{
    if (!*self->mdb)
        return;
    if (!recheck_due (&self->recheck))
        return;
    s_load_cfg (self);
    s_load_ccfg (self);
    filewatch_status_t fw = filewatch_check (&self->mdb_w, self->mdb);
    if (fw == FILEWATCH_GONE)
        diag_warn ("model %s: %s; %s", self->mdb, strerror (errno),
                   self->bayes ? "keeping the last good model" : "not scoring");
    //  A bad file is not retried until it changes.
    if (fw != FILEWATCH_CHANGED)
        return;
    char err[512];
    bayes_t *b = bayes_open (self->mdb, err, sizeof err);
    if (!b) {
        diag_error ("%s; %s", err, self->bayes ? "keeping the last good model" : "not scoring");
        return;
    }
    if (strncmp (bayes_tokenizer (b), TOKENIZE_VERSION " ", strlen (TOKENIZE_VERSION) + 1) != 0) {
        diag_error ("model %s was built by tokenizer '%s', this worker has %s: retrain it; %s",
                    self->mdb, bayes_tokenizer (b), TOKENIZE_VERSION,
                    self->bayes ? "keeping the last good model" : "not scoring");
        bayes_destroy (&b);
        return;
    }
    diag_info ("model %s version %s loaded (%u ham, %u spam)%s", self->mdb, bayes_version (b),
               bayes_nham (b), bayes_nspam (b), self->bayes ? ", replacing the previous one" : "");
    bayes_destroy (&self->bayes);
    self->bayes = b;
}

bayes_t *model_bayes (model_t *self) { return self->bayes; }
const bayes_params_t *model_params (model_t *self) { return &self->params; }
const compromise_params_t *model_compromise (model_t *self) { return &self->cparams; }
const char *model_version (model_t *self) { return self->bayes ? bayes_version (self->bayes) : "none"; }

bool
model_bigrams (model_t *self)
{
    return self->bayes && strstr (bayes_tokenizer (self->bayes), "bigrams=1") != NULL;
}
