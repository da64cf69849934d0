/*  bayes.h: the Bayes model and its scoring.
 *
 *  The model is one LMDB file (MDB_NOSUBDIR), models/bayes.mdb: database
 *  "tokens" maps a 64-bit token hash to (ham count, spam count); database
 *  "meta" holds nham, nspam, version and the tokenizer's settings. A model
 *  file is never changed in place: training writes bayes.mdb.new and renames
 *  it over bayes.mdb, so a reader always sees one whole model. Workers open it
 *  read-only and load the counts into a hash table (16 bytes a token).
 *
 *  Scoring is Robinson's per-token probability with his prior, combined with
 *  Fisher's chi-square method over the most significant tokens. */
#ifndef FARM_BAYES_H
#define FARM_BAYES_H
#include "tokenize.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    double hold;            //  spam probability at or above which mail is held
    double reject;          //  ... rejected
    double robs;            //  Robinson's s: strength of the prior
    double robx;            //  Robinson's x: probability of a token never seen
    double min_dev;         //  tokens with |f - 0.5| below this are ignored
    size_t max_tokens;      //  most significant tokens combined (0: all)
} bayes_params_t;

void bayes_params_default (bayes_params_t *p);
//  Read the bayes section of a ZPL file over p; 0, or -1 with err.
int bayes_params_load (bayes_params_t *p, const char *file, char *err, size_t errlen);

//  A token table: hash -> counts. Used by the trainer (growing) and by the
//  worker (loaded from a model file).
typedef struct bayes_table_t bayes_table_t;
bayes_table_t *bayes_table_new (void);
void bayes_table_destroy (bayes_table_t **self_p);
//  Count one message's tokens as ham or spam.
void bayes_table_learn (bayes_table_t *self, const tokens_t *tokens, bool spam);
size_t bayes_table_size (bayes_table_t *self);
uint32_t bayes_table_nham (bayes_table_t *self);
uint32_t bayes_table_nspam (bayes_table_t *self);
//  Merge a model file into the table (training with --add). 0 or -1 with err.
int bayes_table_load (bayes_table_t *self, const char *file, char *err, size_t errlen);
//  Write the table as a new model: FILE.new, then rename over FILE. The
//  version stamp is returned in version (64 bytes). 0 or -1 with err.
int bayes_table_write (bayes_table_t *self, const char *file, const char *tokenizer,
                       char *version, char *err, size_t errlen);

typedef struct bayes_t bayes_t;
//  Open a model file read-only. NULL with err.
bayes_t *bayes_open (const char *file, char *err, size_t errlen);
void bayes_destroy (bayes_t **self_p);
const char *bayes_version (bayes_t *self);
//  The tokenizer settings the model was built with ("tok4 bigrams=1").
const char *bayes_tokenizer (bayes_t *self);
uint32_t bayes_nham (bayes_t *self);
uint32_t bayes_nspam (bayes_t *self);

typedef struct {
    size_t index;           //  into the tokens
    double f;               //  Robinson's probability of the token
    uint32_t ham, spam;
} bayes_clue_t;

//  Move the k clues farthest from 0.5 to the front of sig[0..n), unordered.
void bayes_strongest (bayes_clue_t *sig, size_t n, size_t k);

//  The spam probability of a message's tokens, 0..1. With clues (room for
//  nclues), the strongest tokens, strongest first; *used says how many.
double bayes_score (bayes_t *self, const tokens_t *tokens, const bayes_params_t *p,
                    bayes_clue_t *clues, size_t nclues, size_t *used);
#endif
