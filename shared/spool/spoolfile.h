/*  spoolfile.h: the spool file format, one file a message.
 *
 *      farm-spool: 1
 *      queue-id: 0006412a3b4c5d9f3e2a1b0c
 *      account: alice
 *      mail-from: <alice@example.com>
 *      rcpt-to: <bob@example.org>
 *      received-at: 1700000000
 *      size: 1234
 *      <blank line>
 *      <size bytes: the RFC 5322 message as submitted>
 *
 *  The header block is an envelope (envelope.h). size must match what follows
 *  exactly: a file cut short by a crash or a full disk is detected as corrupt.
 *  Output spools use the same format with verdict, reason and retry-at lines;
 *  in outgoing/ the message carries the header lines the worker added. */
#ifndef FARM_SPOOLFILE_H
#define FARM_SPOOLFILE_H
#include "envelope.h"
#include "strbuf.h"
#include <sys/types.h>

#define SPOOLFILE_VERSION 1
//  The header block is at most this long (10,000 recipients fit easily).
#define SPOOLFILE_MAX_HEADER (4 * 1024 * 1024)

//  Append the header block for env and a message of size bytes, blank line
//  included. Sets env->version and env->size.
void spoolfile_header (envelope_t *env, size_t size, strbuf_t *out);
//  Read and check the header block of the open spool file fd into env.
//  Returns 0 with *body_off set; SPOOLFILE_CORRUPT with a reason in err when
//  the file is not a complete spool file; SPOOLFILE_IOERR (errno set) when it
//  could not be read, which may pass.
#define SPOOLFILE_CORRUPT (-1)
#define SPOOLFILE_IOERR (-2)
int spoolfile_read_header (int fd, envelope_t *env, off_t *body_off, char *err, size_t errlen);
//  Same, from a buffer holding a whole spool file.
int spoolfile_parse (const char *data, size_t len, envelope_t *env, size_t *body_off,
                     char *err, size_t errlen);
#endif
