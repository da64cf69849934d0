/*  cfg.c: configuration values over the params table (see cfg.h). */
#include "cfg.h"
#include "diag.h"
#include "params.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cfg_t {
    unsigned users;
    char **values;          //  one per params_table entry
};

cfg_t *
cfg_new (unsigned users)
{
    cfg_t *self = xcalloc (1, sizeof *self);
    self->users = users;
    self->values = xcalloc (params_count, sizeof (char *));
    for (size_t i = 0; i < params_count; i++)
        self->values[i] = xstrdup (params_table[i].def ? params_table[i].def : "");
    return self;
}

void
cfg_destroy (cfg_t **self_p)
{
    cfg_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < params_count; i++)
        free (self->values[i]);
    free (self->values);
    free (self);
    *self_p = NULL;
}

static int
s_find (const char *path)
{
    for (size_t i = 0; i < params_count; i++)
        if (strcmp (params_table[i].path, path) == 0)
            return (int) i;
    return -1;
}

static int
s_bool (const char *v)
{
    if (!strcasecmp (v, "true") || !strcasecmp (v, "yes") || !strcasecmp (v, "on") || !strcmp (v, "1"))
        return 1;
    if (!strcasecmp (v, "false") || !strcasecmp (v, "no") || !strcasecmp (v, "off") || !strcmp (v, "0"))
        return 0;
    return -1;
}

//  The index of value among the words of "a|b|c", or -1.
static int
s_choice (const char *choices, const char *value)
{
    size_t n = strlen (value);
    int i = 0;
    for (const char *c = choices; c && *c; i++) {
        const char *bar = strchr (c, '|');
        size_t len = bar ? (size_t) (bar - c) : strlen (c);
        if (len == n && strncmp (c, value, n) == 0)
            return i;
        c = bar ? bar + 1 : NULL;
    }
    return -1;
}

int
cfg_set (cfg_t *self, const char *path, const char *value, char *err, size_t errlen)
{
    int i = s_find (path);
    if (i < 0) {
        snprintf (err, errlen, "unknown key %s", path);
        return -1;
    }
    const cfg_key_t *k = &params_table[i];
    if (k->type == CFG_INT) {
        errno = 0;
        char *end;
        long long v = strtoll (value, &end, 10);
        if (errno || end == value || *end || v < k->min || v > k->max) {
            snprintf (err, errlen, "%s: '%s' is not a whole number from %lld to %lld", path,
                      value, (long long) k->min, (long long) k->max);
            return -1;
        }
    }
    else if (k->type == CFG_ENUM && s_choice (k->choices, value) < 0) {
        snprintf (err, errlen, "%s: '%s' is not one of %s", path, value, k->choices);
        return -1;
    }
    else if (k->type == CFG_BOOL && s_bool (value) < 0) {
        snprintf (err, errlen, "%s: '%s' is not true or false", path, value);
        return -1;
    }
    free (self->values[i]);
    self->values[i] = xstrdup (value);
    return 0;
}

//  The known key nearest to path (edit distance), for "did you mean"; ""
//  when none is near.
static const char *
s_nearest (const char *path)
{
    size_t n = strlen (path), best = SIZE_MAX;
    const char *found = "";
    if (n > 60)
        return found;
    for (size_t k = 0; k < params_count; k++) {
        const char *c = params_table[k].path;
        size_t m = strlen (c), row[64];
        if (m > 60)
            continue;
        for (size_t j = 0; j <= m; j++)
            row[j] = j;
        for (size_t i = 1; i <= n; i++) {
            size_t diag = row[0];
            row[0] = i;
            for (size_t j = 1; j <= m; j++) {
                size_t up = row[j], cost = diag + (path[i - 1] != c[j - 1]);
                size_t del = row[j] + 1, ins = row[j - 1] + 1;
                row[j] = cost < del ? (cost < ins ? cost : ins) : (del < ins ? del : ins);
                diag = up;
            }
        }
        if (row[m] < best) {
            best = row[m];
            found = c;
        }
    }
    return best <= (n / 3 > 2 ? n / 3 : 2) ? found : "";
}

static int
s_walk (cfg_t *self, zconfig_t *node, const char *prefix, char *err, size_t errlen)
{
    for (zconfig_t *c = zconfig_child (node); c; c = zconfig_next (c)) {
        char path[256];
        snprintf (path, sizeof path, "%s%s%s", prefix, *prefix ? "/" : "", zconfig_name (c));
        if (zconfig_child (c)) {
            if (s_walk (self, c, path, err, errlen))
                return -1;
            continue;
        }
        const char *v = zconfig_value (c);
        if (!v || !*v)
            continue;
        if (s_find (path) < 0) {
            snprintf (err, errlen, "unknown key %s%s%s%s", path, *s_nearest (path) ? " (did you mean " : "",
                      s_nearest (path), *s_nearest (path) ? "?)" : "");
            return -1;
        }
        if (cfg_set (self, path, v, err, errlen))
            return -1;
    }
    return 0;
}

int
cfg_load (cfg_t *self, const char *file, char *err, size_t errlen)
{
    zconfig_t *root = zconfig_load (file);
    if (!root) {
        snprintf (err, errlen, "%s: cannot read or parse it", file);
        return -1;
    }
    int rc = s_walk (self, root, "", err, errlen);
    zconfig_destroy (&root);
    return rc;
}

int
cfg_args (cfg_t *self, int *argc, char **argv, char *err, size_t errlen)
{
    //  --config first, so that flags override the file wherever they stand.
    for (int i = 1; i < *argc; i++) {
        const char *file = NULL;
        if (strcmp (argv[i], "--config") == 0 && i + 1 < *argc)
            file = argv[i + 1];
        else if (strncmp (argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
        if (file && cfg_load (self, file, err, errlen))
            return -1;
    }
    int out = 1;
    bool print = false;
    for (int i = 1; i < *argc; i++) {
        char *a = argv[i];
        if (strcmp (a, "--") == 0) {
            while (++i < *argc)
                argv[out++] = argv[i];
            break;
        }
        if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
            return 1;
        if (strncmp (a, "--", 2) != 0 || a[2] == 0) {
            argv[out++] = a;
            continue;
        }
        if (strcmp (a, "--print-config") == 0) {
            print = true;   //  after the other flags, so that they show
            continue;
        }
        if (strcmp (a, "--print-config=markdown") == 0)
            return 3;
        char name[128];
        const char *eq = strchr (a + 2, '=');
        size_t nl = eq ? (size_t) (eq - a - 2) : strlen (a + 2);
        if (nl >= sizeof name) {
            snprintf (err, errlen, "unknown option %s", a);
            return -1;
        }
        memcpy (name, a + 2, nl);
        name[nl] = 0;
        if (strcmp (name, "config") == 0) {
            if (!eq)
                i++;
            continue;
        }
        const cfg_key_t *k = NULL;
        for (size_t j = 0; j < params_count; j++)
            if (params_table[j].flag && (params_table[j].users & self->users)
                && strcmp (params_table[j].flag, name) == 0)
                k = &params_table[j];
        if (!k) {
            snprintf (err, errlen, "unknown option --%s (try --help)", name);
            return -1;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value && k->type == CFG_BOOL)
            value = "true";
        if (!value) {
            if (i + 1 >= *argc) {
                snprintf (err, errlen, "--%s needs a value", name);
                return -1;
            }
            value = argv[++i];
        }
        if (cfg_set (self, k->path, value, err, errlen))
            return -1;
    }
    argv[out] = NULL;
    *argc = out;
    return print ? 2 : 0;
}

const char *
cfg_str (cfg_t *self, const char *path)
{
    int i = s_find (path);
    if (i < 0)
        diag_panic ("cfg: no key %s in the table", path);
    return self->values[i];
}

int64_t
cfg_int (cfg_t *self, const char *path)
{
    return strtoll (cfg_str (self, path), NULL, 10);
}

bool
cfg_bool (cfg_t *self, const char *path)
{
    return s_bool (cfg_str (self, path)) == 1;
}

int
cfg_missing (cfg_t *self, char *err, size_t errlen)
{
    for (size_t i = 0; i < params_count; i++) {
        const cfg_key_t *k = &params_table[i];
        if (!k->def && (k->users & self->users) && !*self->values[i]) {
            snprintf (err, errlen, "%s is required: give %s%s%s or set it in the --config file",
                      k->path, k->flag ? "--" : "", k->flag ? k->flag : "", k->flag ? " VALUE" : "");
            return -1;
        }
    }
    return 0;
}

int
cfg_enum (cfg_t *self, const char *path)
{
    int i = s_find (path);
    if (i < 0 || params_table[i].type != CFG_ENUM)
        diag_panic ("cfg: no enumerated key %s in the table", path);
    return s_choice (params_table[i].choices, self->values[i]);
}

void
cfg_help (cfg_t *self, const char *usage)
{
    printf ("%s\n\nOptions (each also a key in the --config FILE, ZPL):\n", usage);
    printf ("  --config FILE              read settings from a ZPL file first\n");
    for (size_t i = 0; i < params_count; i++) {
        const cfg_key_t *k = &params_table[i];
        if (!k->flag || !(k->users & self->users))
            continue;
        char left[64];
        snprintf (left, sizeof left, "--%s %s", k->flag,
                  k->type == CFG_INT ? "N" : k->type == CFG_BOOL ? "[BOOL]"
                  : k->type == CFG_ENUM ? k->choices : "VALUE");
        if (k->def)
            printf ("  %-26s %s\n  %-26s (%s, default '%s')\n", left, k->help, "", k->path, k->def);
        else
            printf ("  %-26s %s\n  %-26s (%s, required)\n", left, k->help, "", k->path);
    }
    printf ("  --help                     this text\n");
}

void
cfg_sample (cfg_t *self, FILE *out)
{
    fprintf (out, "#   farm.cfg: the configuration of farm-broker, farm-worker, farm-relay and\n"
                  "#   farm-smtpd (ZPL, czmq zconfig; --config FILE). One file may serve all four: each reads\n"
                  "#   the keys it uses and warns about keys it does not know. Every key is\n"
                  "#   shown with its value (the default, unless set) and its meaning; a\n"
                  "#   command-line flag (--name) overrides the file. Made by\n"
                  "#   farm-broker --print-config.\n");
    //  Each section once, its keys together, in the order of the table.
    for (size_t i = 0; i < params_count; i++) {
        const char *p = params_table[i].path, *slash = strchr (p, '/');
        size_t sl = slash ? (size_t) (slash - p) : strlen (p);
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strncmp (params_table[j].path, p, sl) && params_table[j].path[sl] == '/';
        if (seen)
            continue;
        bool any = false;
        for (size_t j = i; j < params_count; j++) {
            const cfg_key_t *k = &params_table[j];
            if (strncmp (k->path, p, sl) || k->path[sl] != '/' || !(k->users & (CFG_BROKER | CFG_WORKER | CFG_RELAY | CFG_SMTPD))
                || !strncmp (k->path, "test/", 5))
                continue;
            if (!any)
                fprintf (out, "%.*s\n", (int) sl, p);
            any = true;
            char who[64] = "";
            static const struct { unsigned bit; const char *name; } progs[] = {
                { CFG_BROKER, "broker" }, { CFG_WORKER, "worker" }, { CFG_RELAY, "relay" },
                { CFG_SMTPD, "smtpd" } };
            for (size_t b = 0; b < sizeof progs / sizeof progs[0]; b++)
                if (k->users & progs[b].bit)
                    snprintf (who + strlen (who), sizeof who - strlen (who), "%s%s",
                              *who ? ", " : "", progs[b].name);
            fprintf (out, "    #   %s (%s; --%s)\n", k->help, who, k->flag ? k->flag : "");
            fprintf (out, "    %s = \"%s\"\n", k->path + sl + 1, cfg_str (self, k->path));
        }
    }
}

//  The programs that read a key, by name.
static void
s_users (unsigned users, char *out, size_t len)
{
    static const struct { unsigned bit; const char *name; } progs[] = {
        { CFG_BROKER, "broker" }, { CFG_WORKER, "worker" }, { CFG_RELAY, "relay" },
        { CFG_REPLAY, "replay" }, { CFG_SUBMIT, "submit" }, { CFG_TRAIN, "train" },
        { CFG_CTL, "ctl" }, { CFG_SMTPD, "smtpd" } };
    *out = 0;
    for (size_t b = 0; b < sizeof progs / sizeof progs[0]; b++)
        if (users & progs[b].bit)
            snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? ", " : "",
                      progs[b].name);
}

void
cfg_reference (FILE *out)
{
    fprintf (out, "# Configuration keys\n\n"
                  "Every key of every farm program, made from the one table of them\n"
                  "(`shared/util/params.c`) by `farm-broker --print-config=markdown`; `test/run\n"
                  "config_sample` fails when this file and the table differ. A key is set in the\n"
                  "`--config FILE` (ZPL: the section, then the name indented below it) or by its\n"
                  "flag, which wins. Keys under `test/` exist for the tests only: leave them at 0.\n\n"
                  "| key | flag | default | values | read by | meaning |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < params_count; i++) {
        const cfg_key_t *k = &params_table[i];
        char who[128], values[128];
        s_users (k->users, who, sizeof who);
        if (k->type == CFG_INT)
            snprintf (values, sizeof values, "%lld to %lld", (long long) k->min, (long long) k->max);
        else if (k->type == CFG_BOOL)
            snprintf (values, sizeof values, "true, false");
        else if (k->type == CFG_ENUM)
            snprintf (values, sizeof values, "%s", k->choices);
        else
            snprintf (values, sizeof values, "text");
        for (char *c = strchr (values, '|'); c; c = strchr (c, '|'))
            *c = ',';
        const char *def = k->def ? k->def : "(required)";
        bool code = k->def && *k->def;
        fprintf (out, "| `%s` | %s%s%s | %s%s%s | %s | %s | %s |\n", k->path, k->flag ? "`--" : "",
                 k->flag ? k->flag : "", k->flag ? "`" : "", code ? "`" : "", def, code ? "`" : "",
                 values, who, k->help);
    }
}

int
cfg_daemon_start (cfg_t *self, const char *prog, int argc, char **argv, const char *usage)
{
    diag_init (prog, false);
    char err[512];
    int rc = cfg_args (self, &argc, argv, err, sizeof err);
    if (rc == 1) {
        cfg_help (self, usage);
        return 0;
    }
    if (rc == 2) {
        cfg_sample (self, stdout);
        return 0;
    }
    if (rc == 3) {
        cfg_reference (stdout);
        return 0;
    }
    if (rc < 0 || argc > 1) {
        fprintf (stderr, "%s: %s\n", prog, rc < 0 ? err : "unexpected argument (try --help)");
        return 64;
    }
    if (cfg_missing (self, err, sizeof err)) {
        fprintf (stderr, "%s: %s\n", prog, err);
        return 64;
    }
    int level = diag_level_parse (cfg_str (self, "log/level"));
    if (level < 0) {
        fprintf (stderr, "%s: log/level: '%s' is not error, warning, info or debug\n", prog,
                 cfg_str (self, "log/level"));
        return 64;
    }
    diag_set_level ((diag_level_t) level);
    diag_init (prog, cfg_bool (self, "log/syslog"));
    return -1;
}

int
cfg_zpl_number (void *root, const char *path, double min, double max, double *out, char *err,
                size_t errlen)
{
    const char *v = zconfig_get ((zconfig_t *) root, path, NULL);
    if (!v)
        return 0;
    char *end;
    double d = strtod (v, &end);
    if (end == v || *end || !(d >= min && d <= max)) {
        snprintf (err, errlen, "%s: '%s' is not a number from %g to %g", path, v, min, max);
        return -1;
    }
    *out = d;
    return 0;
}

//  The field of obj that a parameter is bound to, as a double.
static void
s_param_set (const cfg_param_t *k, void *obj, double v)
{
    char *field = (char *) obj + k->off;
    if (k->type == CFG_PARAM_SIZE)
        *(size_t *) field = (size_t) v;
    else if (k->type == CFG_PARAM_UINT)
        *(unsigned *) field = (unsigned) v;
    else
        *(double *) field = v;
}

void
cfg_params_default (const cfg_param_t *table, size_t n, void *obj)
{
    for (size_t i = 0; i < n; i++)
        s_param_set (&table[i], obj, table[i].def);
}

int
cfg_params_load (const cfg_param_t *table, size_t n, void *obj, size_t objsize, const char *file,
                 char *err, size_t errlen)
{
    zconfig_t *root = zconfig_load (file);
    if (!root) {
        snprintf (err, errlen, "%s: cannot read or parse it", file);
        return -1;
    }
    //  Into a copy first, so that a bad file changes nothing.
    void *copy = xmalloc (objsize);
    memcpy (copy, obj, objsize);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double v;
        char why[512];
        int got = 0;
        const cfg_param_t *k = &table[i];
        if (zconfig_get (root, k->path, NULL)) {
            //  A count given with a fraction is cut to a whole number.
            got = cfg_zpl_number (root, k->path, k->min, k->max, &v, why, sizeof why) == 0 ? 1 : -1;
        }
        if (got < 0) {
            snprintf (err, errlen, "%s: %s", file, why);
            rc = -1;
        }
        else if (got > 0)
            s_param_set (k, copy, v);
    }
    if (!rc)
        memcpy (obj, copy, objsize);
    free (copy);
    zconfig_destroy (&root);
    return rc;
}
