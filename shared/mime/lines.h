/*  lines.h: where a line of a message ends, the one rule for everything
 *  that hashes or sends message bytes (the DKIM signers, farm-relay): at
 *  CRLF, at a bare LF, and at a bare CR. A bare CR sent as it is could end
 *  a line (or the DATA: "\r.\r") at one receiver and not at another (SMTP
 *  smuggling), so the relay sends every line end as CRLF and the signers
 *  hash the lines the relay will send. */
#ifndef FARM_LINES_H
#define FARM_LINES_H
#include <stddef.h>

//  The end of the line starting at p (before end): where its content ends;
//  *next is where the following line starts (end when there is none). A
//  line without a line end ends at end, and *next is end.
const char *lines_end (const char *p, const char *end, const char **next);
#endif
