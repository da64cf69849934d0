/*  model.h: the worker's Bayes model and thresholds, loaded from a models
 *  folder (bayes.mdb, bayes.cfg) and replaced between jobs when training
 *  renames a new model into place. A model that cannot be read is refused
 *  with a log line and the last good one stays in use. */
#ifndef FARM_MODEL_H
#define FARM_MODEL_H
#include "bayes.h"
#include "compromise.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct model_t model_t;

//  dir "" (or NULL): no model, no scoring. check_ms: how often to look for a
//  new one (0: before every job).
model_t *model_new (const char *dir, int64_t check_ms);
void model_destroy (model_t **self_p);
//  Look for a new model or thresholds if it is time; load them if changed.
void model_refresh (model_t *self);
//  The model in use, or NULL.
bayes_t *model_bayes (model_t *self);
const bayes_params_t *model_params (model_t *self);
//  The compromise parameters (compromise.cfg beside the model, or defaults).
const compromise_params_t *model_compromise (model_t *self);
//  The model's version stamp, or "none".
const char *model_version (model_t *self);
//  Whether the model was trained with word pairs.
bool model_bigrams (model_t *self);
#endif
