/*  sent.h: what the broker keeps of each message it delivered, so that what
 *  comes back about it (an outcome at the remote server, a complaint) is
 *  charged to the account that sent it and to no other: in the sender
 *  state (senderdb.h), "q:QID" -> the message's time, its account and a
 *  hash of each recipient (up to SENT_RCPTS; a recipient's final outcome
 *  marks its hash SENT_DONE, so a second report of it is a duplicate), and
 *  "m:HASH" -> the queue id of the delivered message with that Message-ID
 *  (traits_msgid; "" when two accounts delivered the same one: it names
 *  neither). Kept for feedback/keep-days after the message's time, by the
 *  stream's clock (the newest message delivered). Written with the sender
 *  state's next commit: a broker killed before it forgets the last moments'
 *  records, and their feedback is counted as for a queue id never seen. */
#ifndef FARM_SENT_H
#define FARM_SENT_H
#include "senderdb.h"
#include <stdint.h>

#define SENT_RCPTS 256
#define SENT_ACCOUNT 256
#define SENT_DONE 0x80000000u
#define SENT_FRESH 0x40000000u     //  the recipient was new to the account

typedef struct {
    int64_t t;                  //  the message's time (watch_time)
    uint32_t nrcpt;
    uint32_t rcpt[SENT_RCPTS];  //  hashes, SENT_FRESH when new to the account, SENT_DONE
                                //  once its final outcome is in
    char account[SENT_ACCOUNT];
} sent_t;

//  Record a delivered message (fresh[i]: recipient i was new to the
//  account; NULL: none was): 0, or -1 with errno.
int sent_record (senderdb_t *db, const char *qid, const char *account, int64_t t,
                 char *const *rcpt, size_t n, const bool *fresh, uint64_t msgid);
//  The record of qid into out: 1, 0 when none, -1 with errno.
int sent_find (senderdb_t *db, const char *qid, sent_t *out);
//  The queue id of the delivered message with Message-ID hash msgid into
//  qid (QID_SIZE bytes): 1, 0 when none (or ambiguous), -1 with errno.
int sent_by_msgid (senderdb_t *db, uint64_t msgid, char *qid);
//  The index of rcpt in out's recipients: its slot, -1 when the message had
//  no such recipient, -2 when its final outcome is in already.
int sent_rcpt (const sent_t *s, const char *rcpt);
//  Write the record back (a recipient consumed): 0, or -1 with errno.
int sent_update (senderdb_t *db, const char *qid, const sent_t *s);
//  Forget records of messages older than before (unix seconds): at most max
//  walked a call of each kind (cursor, SENDERDB_KEY bytes, "" at first: where
//  the walk of the Message-IDs goes on next time); how many removed.
size_t sent_prune (senderdb_t *db, int64_t before, size_t max, char *cursor);
#endif
