/*  wire.h: the broker-worker protocol, as ZeroMQ multipart messages.
 *
 *  Every message: [signature "FARM/4"] [command, 1 byte] [fields...]; on the
 *  broker's ROUTER socket the worker's routing id comes first. Numbers are
 *  big-endian, fixed size; strings are frames without NUL bytes.
 *
 *    READY      W->B  credit u32, name (host:pid), model version
 *    HEARTBEAT  both  model version now (W->B; empty B->W)
 *    JOB        B->W  qid, lease u64, envelope text, sender state, message bytes
 *    VERDICT    W->B  qid, lease u64, verdict u8 + flags u8, spam f64, retry-at i64,
 *                     reasons text, header lines, signatures ("alg:domain:selector"
 *                     lines: what the header lines sign), scan time in usec u64,
 *                     features (WIRE_FEATURES_SIZE bytes: links count u8, then
 *                     VERDICT_LINKS link domains, text, reply-to, display name,
 *                     mailer, Message-ID, u64 each; verdict.h)
 *    DISCONNECT both  (nothing): the peer is going away
 *
 *  The sender state in JOB is a snapshot as `key: value` lines (sender.h).
 *  The VERDICT flag WIRE_FLAG_ACCOUNT asks the broker to flag the account.
 *
 *  The decoder checks the frame count, every size and every string, and
 *  refuses anything else, so a confused or hostile peer cannot crash us. */
#ifndef FARM_WIRE_H
#define FARM_WIRE_H
#include "qid.h"
#include "verdict.h"
#include <czmq.h>
#include <stdint.h>

#define WIRE_SIGNATURE "FARM/4"
#define WIRE_MAX_NAME 128
#define WIRE_FLAG_ACCOUNT 1
#define WIRE_FEATURES_SIZE (1 + 8 * (VERDICT_LINKS + 5))

typedef enum {
    WIRE_READY = 'R', WIRE_HEARTBEAT = 'H', WIRE_JOB = 'J', WIRE_VERDICT = 'V',
    WIRE_DISCONNECT = 'D'
} wire_cmd_t;

typedef struct {
    wire_cmd_t cmd;
    uint32_t credit;                //  READY
    char name[WIRE_MAX_NAME];       //  READY
    char model[WIRE_MAX_NAME];      //  READY, HEARTBEAT
    char qid[QID_SIZE];             //  JOB, VERDICT
    uint64_t lease;                 //  JOB, VERDICT
    zframe_t *envelope;             //  JOB (owned)
    zframe_t *state;                //  JOB (owned)
    zframe_t *message;              //  JOB (owned)
    verdict_t verdict;              //  VERDICT
    uint64_t scan_usec;             //  VERDICT
} wire_msg_t;

void wire_msg_init (wire_msg_t *self);
void wire_msg_free (wire_msg_t *self);
//  Decode msg (routing id already removed) into out, which must be freshly
//  initialised. 0, or -1 with a reason in err. msg is left to the caller.
int wire_decode (zmsg_t *msg, wire_msg_t *out, char *err, size_t errlen);

//  Encoders. routing_id is NULL on the worker's DEALER; on the broker's
//  ROUTER it is the worker's id frame (copied). 0 or -1 (send failed).
int wire_send_ready (zsock_t *sock, uint32_t credit, const char *name, const char *model);
//  model: the worker's model version now ("" from the broker).
int wire_send_heartbeat (zsock_t *sock, zframe_t *routing_id, const char *model);
int wire_send_disconnect (zsock_t *sock, zframe_t *routing_id);
int wire_send_job (zsock_t *sock, zframe_t *routing_id, const char *qid, uint64_t lease,
                   const char *envelope, size_t envlen, const void *state, size_t statelen,
                   const void *message, size_t msglen);
int wire_send_verdict (zsock_t *sock, const char *qid, uint64_t lease, const verdict_t *v,
                       uint64_t scan_usec);
//  True when endpoint is ipc:// and a live process listens on its socket
//  file (a second broker must not unlink and take it over); *pid is that
//  process when the kernel tells it (SO_PEERCRED), else 0. A socket file
//  nobody listens on (left by a killed process) is not in use.
bool wire_ipc_in_use (const char *endpoint, pid_t *pid);
#endif
