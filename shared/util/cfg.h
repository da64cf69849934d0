/*  cfg.h: configuration. Every key is declared once (params.c) with its type,
 *  default, range and meaning; values come from the defaults, then a ZPL file
 *  (czmq zconfig; --config FILE), then command-line flags. Bad values are
 *  refused with the key's name; unknown keys in a file are warned about. */
#ifndef FARM_CFG_H
#define FARM_CFG_H
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

//  CFG_ENUM: one of the words of the key's choices ("a|b|c").
typedef enum { CFG_STR, CFG_INT, CFG_BOOL, CFG_ENUM } cfg_type_t;

//  Which programs read a key (a key may serve several).
#define CFG_BROKER 1
#define CFG_WORKER 2
#define CFG_REPLAY 4
#define CFG_SUBMIT 8
#define CFG_TRAIN 16
#define CFG_CTL 32
#define CFG_RELAY 64
#define CFG_SMTPD 128

typedef struct {
    const char *path;       //  "section/name" in the ZPL file
    const char *flag;       //  command-line flag without "--", or NULL
    cfg_type_t type;
    const char *def;        //  NULL: no default, the key must be given
    int64_t min, max;       //  CFG_INT range
    unsigned users;         //  CFG_BROKER | ...
    const char *help;
    const char *choices;    //  CFG_ENUM: the values allowed, "a|b|c"
} cfg_key_t;

typedef struct cfg_t cfg_t;

//  A configuration for the program `users` (a CFG_* bit) with every default.
cfg_t *cfg_new (unsigned users);
void cfg_destroy (cfg_t **self_p);
//  Set a key from text: 0, or -1 with the reason in err.
int cfg_set (cfg_t *self, const char *path, const char *value, char *err, size_t errlen);
//  Load a ZPL file; 0, or -1 with the reason in err.
int cfg_load (cfg_t *self, const char *file, char *err, size_t errlen);
//  Apply argv: --config FILE first, then every --flag VALUE / --flag=VALUE.
//  Arguments that are not flags are left, in order, in argv[0..*nargs).
//  Returns 0; 1 when --help was asked for; 2 for --print-config, 3 for
//  --print-config=markdown; -1 with the reason in err.
int cfg_args (cfg_t *self, int *argc, char **argv, char *err, size_t errlen);
const char *cfg_str (cfg_t *self, const char *path);
int64_t cfg_int (cfg_t *self, const char *path);
bool cfg_bool (cfg_t *self, const char *path);
//  A required key (no default) this program reads that was not given:
//  -1 with "KEY is required: give --FLAG ..." in err, else 0.
int cfg_missing (cfg_t *self, char *err, size_t errlen);
//  A CFG_ENUM key's value as the index of its word among the choices.
int cfg_enum (cfg_t *self, const char *path);
//  Print the flags of this program with defaults and meaning.
void cfg_help (cfg_t *self, const char *usage);
//  A number from a loaded ZPL tree (zconfig_t *root) at path, min..max, into
//  *out; absent leaves *out. 0, or -1 with "path: 'v' is not a number from
//  min to max" in err.
int cfg_zpl_number (void *root, const char *path, double min, double max, double *out,
                    char *err, size_t errlen);
//  A parameter of a model file (models/bayes.cfg, models/compromise.cfg):
//  declared like the program keys, one table a file, with its default, its
//  range and its meaning, and bound to a field of the parameters' struct.
typedef enum { CFG_PARAM_REAL, CFG_PARAM_SIZE, CFG_PARAM_UINT } cfg_param_type_t;
typedef struct {
    const char *path;       //  "section/name" in the file
    cfg_param_type_t type;  //  the field: double, size_t or unsigned
    size_t off;             //  offsetof the field
    double def, min, max;
    const char *help;
} cfg_param_t;
//  Every field of the table at its default.
void cfg_params_default (const cfg_param_t *table, size_t n, void *obj);
//  Read a ZPL file over obj: the fields it names, each in its range (the
//  others keep their values). 0, or -1 with "file: path: 'v' is not ..." in
//  err; obj is left as it was on failure.
int cfg_params_load (const cfg_param_t *table, size_t n, void *obj, size_t objsize, const char *file,
                     char *err, size_t errlen);

//  A commented ZPL file of every broker and worker key with its value
//  (--print-config; tools/farm.cfg.sample is its output with the defaults).
void cfg_sample (cfg_t *self, FILE *out);
//  The reference of every key of every program as a Markdown table
//  (--print-config=markdown; tools/farm.cfg.md is its output).
void cfg_reference (FILE *out);
//  The start of a daemon's main(): parse argv into self (no positional
//  arguments allowed), print --help, set up logging from log/level and
//  log/syslog. Returns -1 to go on, else the exit code (0 after --help, 64
//  for bad usage).
int cfg_daemon_start (cfg_t *self, const char *prog, int argc, char **argv, const char *usage);
#endif
