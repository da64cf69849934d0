/*  arf.h: a feedback-loop complaint (ARF, RFC 5965): a message of type
 *  multipart/report; report-type=feedback-report whose parts are a human
 *  note, a message/feedback-report (Feedback-Type: abuse, ...) and the
 *  original message (message/rfc822) or its header (text/rfc822-headers).
 *  What the broker needs of it to find the account (shared/sender/
 *  feedback.h): the kind of feedback, and the original's Message-ID and
 *  topmost Feedback-ID. Hostile input: bounded (ARF_MAX_BYTES, ARF_MAX_PARTS,
 *  the header limits of the caller), never more than it can check. */
#ifndef FARM_ARF_H
#define FARM_ARF_H
#include "header.h"
#include <stddef.h>

#define ARF_MAX_BYTES (4u << 20)
#define ARF_MAX_PARTS 16

typedef enum {
    ARF_OK,                 //  a report, with an original to match
    ARF_NOT_REPORT,         //  not multipart/report; report-type=feedback-report
    ARF_NO_ORIGINAL,        //  a report without the original's header (or one without a Message-ID or Feedback-ID)
    ARF_MALFORMED,          //  too large, no boundary, parts that do not parse
} arf_status_t;

typedef struct {
    char type[32];          //  Feedback-Type ("abuse", "fraud", ...; "" when absent)
    char msgid[1000];       //  the original's Message-ID value, unfolded ("" when absent)
    char feedback_id[256];  //  the original's topmost Feedback-ID ("" when absent)
} arf_t;

//  Read the report in msg (len bytes) into out. lim bounds each header section.
arf_status_t arf_parse (const char *msg, size_t len, const header_limits_t *lim, arf_t *out);
//  "ok", "not-a-report", "no-original", "malformed".
const char *arf_status_name (arf_status_t s);
#endif
