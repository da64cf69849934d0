/*  bayes.h: the Bayes model and its scoring.
 *
 *  The model is one LMDB file (MDB_NOSUBDIR), models/bayes.mdb: database
 *  "tokens" maps a 64-bit token hash to (ham count, spam count); database
 *  "meta" holds nham, nspam, version and the tokenizer's settings. A model
 *  file is never changed in place: training writes bayes.mdb.new and renames
 *  it over bayes.mdb, so a reader always sees one whole model. Workers open it
 *  read-only and load the counts into a hash table (16 bytes a token).
 *
 *  Each token also has a weight: the model holds a logistic regression over
 *  the tokens present (scaled by 1/sqrt(count)), fitted by the trainer.
 *
 *  Scoring asks two opinions: Robinson's per-token probability with his
 *  prior, combined by Fisher's chi-square method over the most significant
 *  tokens; and the logistic model. They are mixed in log-odds, by the weight
 *  bayes/discriminative (farm-bench bayes measured the mix best). */
#ifndef FARM_BAYES_H
#define FARM_BAYES_H
#include "cfg.h"
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
    double discriminative;  //  weight of the logistic model against Fisher's, 0..1
    unsigned epochs;        //  training passes of the logistic model
    double learn_rate;      //  its step size
} bayes_params_t;

void bayes_params_default (bayes_params_t *p);
//  The table the parameters are declared in (n set to its length).
const cfg_param_t *bayes_params_table (size_t *n);
//  Read the bayes section of a ZPL file over p; 0, or -1 with err.
int bayes_params_load (bayes_params_t *p, const char *file, char *err, size_t errlen);

//  A token table: hash -> counts. Used by the trainer (growing) and by the
//  worker (loaded from a model file).
typedef struct bayes_table_t bayes_table_t;
bayes_table_t *bayes_table_new (void);
void bayes_table_destroy (bayes_table_t **self_p);
//  Count one message's tokens as ham or spam, and keep them for fitting.
void bayes_table_learn (bayes_table_t *self, const tokens_t *tokens, bool spam);
//  Fit the logistic model's weights to the messages learned since the table
//  was made or last fitted, starting from the weights it has (so --add
//  refines a loaded model, whose bias it keeps): epochs passes of
//  stochastic gradient descent.
//  Returns how many messages the last pass still got wrong.
size_t bayes_table_fit (bayes_table_t *self, unsigned epochs, double rate);
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
    float w;                //  its weight in the logistic model
    uint32_t ham, spam;
} bayes_clue_t;

//  Move the k clues farthest from 0.5 to the front of sig[0..n), unordered.
void bayes_strongest (bayes_clue_t *sig, size_t n, size_t k);

//  The spam probability of a message's tokens, 0..1. With clues (room for
//  nclues), the strongest tokens, strongest first; *used says how many.
double bayes_score (bayes_t *self, const tokens_t *tokens, const bayes_params_t *p,
                    bayes_clue_t *clues, size_t nclues, size_t *used);
#endif
