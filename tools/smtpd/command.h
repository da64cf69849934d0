/*  command.h: the SMTP commands farm-smtpd reads (RFC 5321, with the
 *  parameters of SIZE RFC 1870, 8BITMIME RFC 6152, SMTPUTF8 RFC 6531, DSN
 *  RFC 3461, and the attributes of Postfix's XCLIENT and XFORWARD), parsed
 *  from one line without its line end. No I/O and no state: what the
 *  session does with a command is session.c's; this is what the fuzz target
 *  smtpd reads first. Every reply these functions write is a whole reply
 *  line with its code and enhanced status code, without CRLF. */
#ifndef FARM_SMTPD_COMMAND_H
#define FARM_SMTPD_COMMAND_H
#include "envelope.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    CMD_UNKNOWN, CMD_HELO, CMD_EHLO, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_RSET, CMD_NOOP,
    CMD_QUIT, CMD_VRFY, CMD_HELP, CMD_STARTTLS, CMD_AUTH, CMD_XCLIENT, CMD_XFORWARD, CMD_BDAT
} command_verb_t;

//  The verb of line and, in *arg, what follows it past the spaces ("" when
//  nothing does). Case-insensitive; CMD_UNKNOWN for anything else.
command_verb_t command_verb (const char *line, const char **arg);

#define COMMAND_MAX_REPLY 160
typedef struct {
    char path[ENVELOPE_MAX_PATH + 1];   //  the address without brackets ("" for <>)
    int64_t size;               //  SIZE=, -1 when not given
    bool eight_bit;             //  BODY=8BITMIME
    bool smtputf8;              //  SMTPUTF8
    char ret[5];                //  RET=FULL|HDRS, "" when not given
    char envid[101];            //  ENVID= (xtext, as given)
    char dsn[ENVELOPE_MAX_PATH * 3 + 1];    //  RCPT: "NOTIFY=... ORCPT=..." ("" none)
} command_path_t;

//  The argument of MAIL ("FROM:<path> params", rcpt false) or RCPT
//  ("TO:<path> params", rcpt true) into out. 0; or -1 with the reply to give
//  in reply (501 syntax, 553 address, 555 parameter).
int command_path (const char *arg, bool rcpt, command_path_t *out, char *reply, size_t len);

//  The attributes of XCLIENT or XFORWARD ("NAME=value ...", values xtext)
//  we keep. Absent, or [UNAVAILABLE] / [TEMPUNAVAIL]: "" (an attribute
//  given empties what an earlier command set).
typedef struct {
    char addr[64];              //  the client's address (IPV6: prefix removed)
    char login[256];            //  XCLIENT LOGIN: the account it authenticated as
    char helo[256];
    char ident[64];             //  XFORWARD IDENT: the MTA's queue id
    bool has_addr, has_login, has_helo, has_ident;
} command_attrs_t;
//  0; or -1 with the 501 reply in reply. xclient: the names XCLIENT knows,
//  else those of XFORWARD.
int command_attrs (const char *arg, bool xclient, command_attrs_t *out, char *reply, size_t len);

//  xtext (RFC 3461 4) decoded in place: +XX becomes its byte. -1 when a
//  + is not followed by two upper-case hex digits or decodes to a control.
int command_xtext_decode (char *s);

//  SASL PLAIN (RFC 4616): the base64 response decoded into the identity it
//  authenticates and its password (authzid, when given, must be the same).
//  0, or -1 when it is not a PLAIN response.
int command_sasl_plain (const char *b64, char *user, size_t ulen, char *pass, size_t plen);
//  One base64 line decoded into out (NUL-terminated, no NUL inside):
//  0, or -1 when it is not base64 or does not fit.
int command_base64 (const char *b64, char *out, size_t len);
#endif
