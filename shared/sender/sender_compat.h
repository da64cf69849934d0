/*  sender_compat.h: the stored layouts of older sender records, which
 *  sender_load upgrades (sender_compat.c; test_sender builds one). */
#ifndef FARM_SENDER_COMPAT_H
#define FARM_SENDER_COMPAT_H
#include "sender.h"

//  Version 1 (farm 0.14 and before): caps on messages a minute and an hour
//  only, no recipient counts, a reason of 96 bytes.
typedef struct {
    uint32_t version, flagged;
    int64_t first_seen, last_seen, flagged_at, released_at;
    int64_t minute_head, hour_head;
    uint64_t total;
    uint16_t msgs_min[60], new_min[60];
    uint32_t msgs_hour[24], new_hour, hours;
    float slot_mean[24], slot_var[24];
    float all_mean, all_var, new_mean, new_var, score_recent, score_usual;
    uint32_t scored;
    uint32_t limit_minute, limit_hour;
    uint8_t rcpt_hll[2][64], dom_hll[2][32];
    bloom2_t known;
    char reason[96];
} sender_v1_t;
#endif
