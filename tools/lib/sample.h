/*  sample.h: sample spools, the input of farm-replay and farm-train: a folder
 *  of RFC 5322 files (searched recursively; NAME.env beside NAME gives its
 *  envelope) or an mbox file. What an .env leaves out is derived from the
 *  headers: account and mail-from from From:, recipients from To: and Cc:,
 *  received-at from Date: (else the file's mtime). */
#ifndef FARM_SAMPLE_H
#define FARM_SAMPLE_H
#include "envelope.h"
#include <stddef.h>

typedef struct sample_t sample_t;

//  Index the folder or mbox file at path. NULL with a reason in err.
sample_t *sample_open (const char *path, char *err, size_t errlen);
void sample_destroy (sample_t **self_p);
size_t sample_count (sample_t *self);
//  The item's name: path relative to the folder, or "mbox:N".
const char *sample_name (sample_t *self, size_t i);
//  Load item i: the message (caller frees) and its envelope, derived as the
//  header says. At most max_bytes are read; *truncated says when there was
//  more. 0, or -1 with a reason in err.
int sample_load (sample_t *self, size_t i, size_t max_bytes, char **msg, size_t *len,
                 int *truncated, envelope_t *env, char *err, size_t errlen);
#endif
