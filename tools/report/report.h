/*  report.h: farm-replay's --html page: one self-contained file (inline SVG,
 *  no script, no external resource) with the pictures an operator reads at a
 *  glance: the spam-score distribution (ham and spam apart when the sample's
 *  file names say which is which), verdicts over time, the busiest and the
 *  flagged accounts' messages over time with their holds marked, and the
 *  most frequent reasons. */
#ifndef FARM_REPORT_H
#define FARM_REPORT_H
#include "envelope.h"
#include <stdio.h>

typedef struct report_t report_t;

report_t *report_new (void);
void report_destroy (report_t **self_p);
//  One message: its sample file name and its output envelope (verdict,
//  spam, reasons, account, received-at).
void report_add (report_t *self, const char *file, const envelope_t *env);
//  Write the page. 0, or -1 with errno.
int report_write (report_t *self, const char *title, FILE *out);
#endif
