/*  params.c: every configuration key, its default, range and meaning.
 *  One table for all programs, so a single ZPL file can configure a farm, and
 *  the key reference (tools/farm.cfg.md, farm-broker --print-config=markdown)
 *  is this table. */
#include "params.h"

#define B CFG_BROKER
#define W CFG_WORKER
#define R CFG_REPLAY
#define S CFG_SUBMIT
#define T CFG_TRAIN
#define C CFG_CTL
#define L CFG_RELAY
#define D CFG_SMTPD

const cfg_key_t params_table[] = {
    { "spool/root", "spool", CFG_STR, NULL, 0, 0, B | S | L | D,
      "spool root: tmp/ incoming/ active/ outgoing/ hold/ reject/ deferred/ corrupt/", NULL },
    { "spool/ingest", "ingest", CFG_STR, "", 0, 0, B,
      "more ingest spools (comma-separated roots, each with tmp/ and incoming/), served fairly", NULL },
    { "spool/rescan-ms", "rescan-ms", CFG_INT, "5000", 10, 3600000, B,
      "rescan of incoming/ and deferred/ when inotify says nothing, in ms", NULL },
    { "spool/scan-batch", "scan-batch", CFG_INT, "4096", 16, 1000000, B,
      "queue ids kept in memory per ingest spool per scan (oldest first)", NULL },
    { "spool/retry-s", "retry-s", CFG_INT, "300", 1, 86400 * 7, B,
      "retry time of a deferred message when its verdict gives none, in seconds", NULL },
    { "spool/batch", "commit-batch", CFG_INT, "256", 1, 100000, B,
      "outputs committed (fsync'd) together at most", NULL },
    { "spool/sync", "sync", CFG_ENUM, "filesystem", 0, 0, B,
      "how a batch of outputs is made durable: filesystem (one syncfs before the renames "
      "and one after, whatever the batch's size; give the spool a filesystem of its own) "
      "or files (an fsync per file and per directory)", "filesystem|files" },
    { "spool/flush-ms", "flush-ms", CFG_INT, "2", 0, 1000, B,
      "longest a verdict waits for its batch to fill before the commit, in ms", NULL },
    { "wire/endpoint", "endpoint", CFG_STR, "ipc://farm-broker.sock", 0, 0, B | W,
      "ZeroMQ endpoint: the broker binds it, workers connect (several, comma-separated)", NULL },
    { "wire/insecure-tcp", "insecure-tcp", CFG_BOOL, "false", 0, 0, B | W,
      "allow tcp:// without CURVE (mail and keys in clear on the network; logged loudly)", NULL },
    { "curve/cert", "curve-cert", CFG_STR, "", 0, 0, B | W,
      "this process's CURVE certificate for tcp:// (farm-keygen --curve NAME: NAME.cert, with "
      "NAME.cert_secret beside it, mode 0600)", NULL },
    { "curve/allow", "curve-allow", CFG_STR, "", 0, 0, B,
      "folder of the public certificates of the workers the broker accepts (reread when it changes)", NULL },
    { "curve/server-key", "curve-server-key", CFG_STR, "", 0, 0, W,
      "the broker's public certificate (file) or key (40 characters of Z85); comma-separated, "
      "one per wire/endpoint, or one for all", NULL },
    { "wire/heartbeat-ms", "heartbeat-ms", CFG_INT, "1000", 50, 60000, B | W,
      "heartbeat interval both ways, in ms", NULL },
    { "wire/liveness", "liveness", CFG_INT, "3", 2, 100, B | W,
      "heartbeats missed before the peer is taken for dead", NULL },
    { "wire/max-credit", "max-credit", CFG_INT, "256", 1, 65536, B,
      "most jobs in flight to one worker, whatever credit it asks for in READY", NULL },
    { "wire/max-workers", "max-workers", CFG_INT, "1024", 1, 100000, B,
      "most workers connected at once; more are refused (DISCONNECT), said once a second", NULL },
    { "wire/credit", "credit", CFG_INT, "16", 1, 1024, W,
      "jobs a worker holds at once (sent to the broker in READY)", NULL },
    { "wire/max-jobs", "max-jobs", CFG_INT, "50000", 0, 1000000000, W,
      "a worker exits cleanly after this many jobs, for its supervisor to start a fresh one "
      "(bounds libopendkim's Ed25519 leak); 0: never", NULL },
    { "wire/reconnect-max-ms", "reconnect-max-ms", CFG_INT, "32000", 100, 600000, W,
      "longest back-off between reconnects to a silent broker, in ms", NULL },
    { "lease/timeout-ms", "lease-ms", CFG_INT, "30000", 100, 3600000, B,
      "a job not answered within this goes to another worker, in ms", NULL },
    { "lease/max-inflight", "max-inflight", CFG_INT, "512", 1, 1000000, B,
      "jobs in flight at most (active/ holds no more than this)", NULL },
    { "limits/message-size", "max-size", CFG_INT, "33554432", 1024, 1073741824, B | W | S | R | T | L | D,
      "largest message in bytes; larger ones are rejected with reason message-size", NULL },
    { "limits/recipients", "max-rcpt", CFG_INT, "1000", 1, 1000000, W | D,
      "most envelope recipients; more are rejected with reason too-many-recipients", NULL },
    { "limits/mime-depth", "max-mime-depth", CFG_INT, "20", 1, 1000, W | T,
      "deepest MIME nesting read; deeper parts are not read (reason mime-depth)", NULL },
    { "limits/mime-parts", "max-mime-parts", CFG_INT, "500", 1, 1000000, W | T,
      "most MIME parts read in one message; the rest are not (reason mime-parts)", NULL },
    { "limits/text-bytes", "max-text", CFG_INT, "1048576", 1024, 1073741824, W | T,
      "decoded text of one message kept for scoring, in bytes", NULL },
    { "limits/headers", "max-headers", CFG_INT, "1000", 1, 1000000, W | T | D,
      "most header fields in a message", NULL },
    { "limits/header-length", "max-header-length", CFG_INT, "65536", 78, 16777216, W | T,
      "longest header field, continuation lines included, in bytes", NULL },
    { "limits/line-length", "max-line-length", CFG_INT, "65536", 78, 16777216, W | T | D,
      "longest physical line, in bytes: of the header section (worker, train), of any line of the "
      "message (farm-smtpd: 554 5.6.0 after the data)", NULL },
    { "worker/sandbox", "sandbox", CFG_BOOL, "true", 0, 0, W,
      "enter the seccomp filter once started: no exec, no new process, no tracing, nothing of "
      "the kernel's (worker/sandbox.h)", NULL },
    { "test/sandbox-probe", "sandbox-probe", CFG_BOOL, "false", 0, 0, W,
      "testing: after the sandbox, try exec, fork and ptrace and log what became of each", NULL },
    { "test/scan-delay-ms", "scan-delay-ms", CFG_INT, "0", 0, 60000, W,
      "testing only: sleep this long in every scan, to hold jobs in flight", NULL },
    { "test/defer-s", "defer-s", CFG_INT, "0", 0, 86400, W,
      "testing only: defer every message on its first attempt for this many seconds", NULL },
    { "models/dir", "models", CFG_STR, "", 0, 0, B | W | R | T,
      "folder of the Bayes model (bayes.mdb), its thresholds (bayes.cfg) and the compromise "
      "detection parameters and rate limits (compromise.cfg); empty: no scoring, default parameters", NULL },
    { "state/watch", "watch", CFG_BOOL, "true", 0, 0, B | R,
      "compromise detection and rate limits (the sender state); false only where every sender "
      "is trusted, or to test the transport alone", NULL },
    { "spool/clock", "clock", CFG_ENUM, "wall", 0, 0, B,
      "what makes deferred mail due: the wall clock, or the messages' own time (messages: "
      "farm-replay's, so that a replayed week defers as that week did)", "wall|messages" },
    { "spool/stream-lag", "stream-lag", CFG_INT, "32", 1, 4096, B | R,
      "with the messages' clock: a verdict changes the sender state at most this many messages "
      "after its own was dispatched (and this many at most are scanned at once)", NULL },
    { "spool/stream-latency", "stream-latency", CFG_INT, "1", 0, 3600, B | R,
      "with the messages' clock: ... and before any message received this many seconds after "
      "its own (a scan's latency, in the messages' time), so that a replay judges as the live "
      "farm would and gives the same verdicts however fast its workers are", NULL },
    { "compromise/mode", "compromise-mode", CFG_ENUM, "enforce", 0, 0, B | R,
      "what the compromise detector's decisions do: observe (recorded as would-hold in the "
      "reasons, the verdict log's would field and the metrics; mail delivered) or enforce "
      "(held, the account flagged); farm-ctl mode ACCOUNT sets an account's own",
      "observe|enforce" },
    { "compromise/observe-until", "observe-until", CFG_INT, "0", 0, INT64_MAX, B | R,
      "mail received before this unix time is only observed, whatever the mode: a warm-up "
      "(0: none)", NULL },
    { "notify/webhook", "notify-webhook", CFG_STR, "", 0, 0, B,
      "URL the compromise detector's events (flag, escalation, expiry) are POSTed to as JSON, "
      "signed with HMAC-SHA256 (X-Farm-Signature); empty: none", NULL },
    { "notify/secret-file", "notify-secret", CFG_STR, "", 0, 0, B,
      "file holding the webhook's HMAC key (mode 0600, at most 4 KiB)", NULL },
    { "notify/command", "notify-command", CFG_STR, "", 0, 0, B,
      "command (sh -c) run for each event with its JSON on standard input and FARM_EVENT set; "
      "empty: none", NULL },
    { "notify/timeout-ms", "notify-timeout-ms", CFG_INT, "5000", 100, 600000, B,
      "longest one webhook request or command may take", NULL },
    { "notify/retries", "notify-retries", CFG_INT, "4", 0, 20,  B,
      "attempts after the first, 1 s apart and doubling, before an event is dropped (logged)", NULL },
    { "feedback/max-files", "feedback-max-files", CFG_INT, "1000", 1, 1000000, B,
      "files of SPOOL/feedback/ (delivery outcomes) and of SPOOL/complaints/ (ARF reports) "
      "read every 25 ms, each, and for at most 10 ms of it: a flood is taken in steps, "
      "never all at once", NULL },
    { "feedback/keep-days", "feedback-keep-days", CFG_INT, "7", 0, 3650, B,
      "days the broker keeps what it delivered (queue id, account, recipients, Message-ID) "
      "to charge outcomes and complaints to the right account (0: forever)", NULL },
    { "feedback/sender-id", "feedback-sender-id", CFG_STR, "", 0, 0, B | W,
      "when set, workers add a Feedback-ID header (ACCOUNT:SENDER-ID, Gmail's format) to "
      "mail they deliver, before signing, and the broker matches complaints by it; empty: none",
      NULL },
    { "feedback/simulate", "dead-recipients", CFG_STR, "", 0, 0, B | R,
      "a scenario's remote servers, for a replay: a file of recipient addresses that do not "
      "exist, one a line; each delivered message's recipients are answered at once, 550 5.1.1 "
      "for those and 250 for the others, and charged as farm-relay's replies would be; "
      "empty: none (live, the replies come from farm-relay)", NULL },
    { "state/path", "state", CFG_STR, "", 0, 0, B,
      "LMDB file of the sender state (per-account counters, baselines, flags); "
      "empty: senders.mdb in the spool root", NULL },
    { "state/damaged", "state-damaged", CFG_ENUM, "move-aside", 0, 0, B,
      "a sender state file found cut short at start (truncated, a copy not finished): "
      "move-aside (renamed .damaged-TIME, begun anew, said loudly) or refuse (the broker does "
      "not start); flags come back from the state's .flags file either way", "move-aside|refuse" },
    { "state/map-mb", "state-map-mb", CFG_INT, "1024", 1, 1048576, B,
      "largest size of the sender state file, in MiB (about 1.6 KiB an account and a domain); "
      "when full, messages are deferred with a reason that names this key", NULL },
    { "state/cache-records", "state-cache", CFG_INT, "65536", 64, 100000000, B,
      "sender records kept in memory (about 1.2 KiB each); dispatch reads and writes them there", NULL },
    { "state/flush-ms", "state-flush-ms", CFG_INT, "1000", 0, 60000, B,
      "changed sender records are written to the file this often, in ms (a flag at once); "
      "a broker killed outright forgets at most this long of counting", NULL },
    { "metrics/file", "metrics-file", CFG_STR, "", 0, 0, B,
      "write the broker's metrics here in the Prometheus text format (for node_exporter's "
      "textfile collector: a .prom file in its folder); empty: none", NULL },
    { "metrics/interval-ms", "metrics-interval-ms", CFG_INT, "5000", 100, 3600000, B,
      "how often the metrics file is rewritten, in ms", NULL },
    { "control/endpoint", "control", CFG_STR, "ipc://farm-control.sock", 0, 0, B | C,
      "ZeroMQ endpoint of the broker's control socket (farm-ctl); ipc:// only, mode 0600", NULL },
    { "control/timeout-ms", "timeout-ms", CFG_INT, "10000", 100, 3600000, C,
      "how long farm-ctl waits for the broker's answer, in ms", NULL },
    { "models/check-ms", "model-check-ms", CFG_INT, "1000", 0, 3600000, W,
      "how often a worker looks for a new model between jobs, in ms", NULL },
    { "dkim/keys", "keys", CFG_STR, "", 0, 0, W | R,
      "folder of DKIM keys, KEYS/<domain>/<selector>.pem (mode 0600); empty: no signing", NULL },
    { "dkim/accounts", "accounts", CFG_STR, "", 0, 0, W | R,
      "accounts table (account domain [domain ...] a line); empty: DOMAIN LOCKDOWN OFF", NULL },
    { "dkim/check-ms", "keys-check-ms", CFG_INT, "1000", 0, 3600000, W,
      "how often a worker looks for changed keys and accounts between jobs, in ms", NULL },
    { "dkim/canonicalization", "canon", CFG_ENUM, "relaxed", 0, 0, W | R,
      "header/body: relaxed (= relaxed/relaxed) or relaxed/simple; simple headers are refused",
      "relaxed|relaxed/relaxed|relaxed/simple|simple|simple/simple|simple/relaxed" },
    { "dkim/signer", "signer", CFG_ENUM, "openssl", 0, 0, W | R,
      "openssl (each key parsed once: the fast one) or opendkim (libopendkim, the reference); "
      "both give the same signature byte for byte", "openssl|opendkim" },
    { "test/dkim-time", "dkim-time", CFG_INT, "0", 0, 100000000000, W | R,
      "testing only: the t= of every signature (0: the clock)", NULL },
    { "bayes/explain", "explain", CFG_BOOL, "false", 0, 0, W | R,
      "name the strongest tokens in the reasons", NULL },
    { "log/level", "log-level", CFG_STR, "info", 0, 0, B | W | R | S | T | L | D,
      "error, warning, info or debug", NULL },
    { "log/syslog", "syslog", CFG_BOOL, "false", 0, 0, B | W | L | D,
      "log to syslog (mail facility) instead of stderr", NULL },
    { "log/verdicts", "verdict-log", CFG_STR, "", 0, 0, B,
      "append one JSON line per finished message to this file", NULL },
    { "relay/smarthost", "smarthost", CFG_STR, "127.0.0.1:10026", 0, 0, L,
      "where farm-relay hands outgoing/ on over SMTP: host:port ([v6]:port), normally the "
      "MTA's re-injection listener", NULL },
    { "hold/max-age-days", "hold-max-age-days", CFG_INT, "0", 0, 3650, B,
      "held mail not released or dropped after this many days goes to reject/ as hold-expired, "
      "not bounced (0: kept until an operator acts); swept at start and hourly", NULL },
    { "reject/max-age-days", "reject-max-age-days", CFG_INT, "30", 0, 3650, B,
      "mail in reject/ longer than this many days is deleted, each logged (0: kept); swept at "
      "start and hourly", NULL },
    { "reject/notify", "reject-notify", CFG_ENUM, "sender", 0, 0, B,
      "mail the MTA accepted and the farm rejects is bounced to its envelope sender (an RFC 3464 "
      "DSN through outgoing/, in words the customer can act on): sender, or none", "sender|none" },
    { "reject/quiet", "reject-quiet", CFG_STR, "", 0, 0, B,
      "reasons (the word before the colon: bayes, domain-lockdown, message-size, ...) whose "
      "rejects are not bounced, comma-separated", NULL },
    { "relay/helo", "helo", CFG_STR, "", 0, 0, B | L,
      "the name farm-relay gives in EHLO, and the Reporting-MTA of the bounces of farm-relay and "
      "the broker (empty: this host's name)", NULL },
    { "relay/connections", "connections", CFG_INT, "10", 1, 100, L,
      "connections farm-relay keeps to the smarthost at once, messages spread over them (each "
      "pipelined when the smarthost offers PIPELINING); match the smarthost's process limit", NULL },
    { "relay/timeout-s", "smtp-timeout-s", CFG_INT, "60", 1, 3600, L,
      "longest wait for the smarthost's connection or any one reply, in seconds", NULL },
    { "relay/retry-s", "relay-retry-s", CFG_INT, "60", 1, 86400, L,
      "first wait after a temporary failure (4xx, no connection), in seconds; the wait "
      "grows with the message's age, up to relay/retry-max-s", NULL },
    { "relay/retry-max-s", "relay-retry-max-s", CFG_INT, "3600", 1, 86400, L,
      "longest wait between two attempts, in seconds", NULL },
    { "relay/max-queue-s", "max-queue-s", CFG_INT, "432000", 60, 86400 * 60, L,
      "a message still refused for the time being this long after it was received is "
      "bounced to its account (5 days)", NULL },
    { "relay/scan-ms", "scan-ms", CFG_INT, "500", 10, 60000, L,
      "how often farm-relay looks in outgoing/ for mail, in ms", NULL },
    { "relay/metrics-file", "metrics-file", CFG_STR, "", 0, 0, L,
      "farm-relay's metrics in the Prometheus text format (node_exporter's textfile "
      "collector), rewritten after every pass", NULL },
    { "smtpd/listen", "listen", CFG_STR, "127.0.0.1:10025", 0, 0, D,
      "where farm-smtpd takes mail: host:port ([v6]:port), several comma-separated", NULL },
    { "smtpd/hostname", "hostname", CFG_STR, "", 0, 0, D,
      "the name farm-smtpd gives in its greeting and EHLO reply (empty: this host's name)", NULL },
    { "smtpd/max-sessions", "max-sessions", CFG_INT, "1000", 1, 100000, D,
      "SMTP sessions at once; one more is told 421 4.3.2 and closed", NULL },
    { "smtpd/max-per-client", "max-per-client", CFG_INT, "50", 0, 100000, D,
      "sessions at once from one address outside smtpd/trusted (as Postfix's "
      "smtpd_client_connection_count_limit); one more is told 421 4.7.0; 0: no limit", NULL },
    { "smtpd/timeout-s", "session-timeout-s", CFG_INT, "300", 1, 3600, D,
      "a session silent this long is told 421 4.4.2 and closed, in seconds (RFC 5321: 5 minutes)", NULL },
    { "smtpd/max-errors", "max-errors", CFG_INT, "20", 1, 100000, D,
      "refused commands in one session before it is told 421 and closed", NULL },
    { "smtpd/commit-ms", "commit-ms", CFG_INT, "2", 0, 1000, D,
      "longest a message waits for others to share its commit (fsync) before its 250, in ms", NULL },
    { "smtpd/commit-batch", "commit-max", CFG_INT, "256", 1, 100000, D,
      "messages committed together at most", NULL },
    { "smtpd/tls-cert", "tls-cert", CFG_STR, "", 0, 0, D,
      "PEM certificate chain for STARTTLS (empty: no STARTTLS, and so no AUTH)", NULL },
    { "smtpd/tls-key", "tls-key", CFG_STR, "", 0, 0, D,
      "PEM private key of smtpd/tls-cert (mode 0600 or stricter)", NULL },
    { "smtpd/auth-accounts", "auth-accounts", CFG_STR, "", 0, 0, D,
      "accounts for SMTP AUTH PLAIN and LOGIN over TLS: NAME:HASH a line, HASH from crypt(3) "
      "(yescrypt $y$ or SHA-512 $6$; mkpasswd -m yescrypt); reread when it changes", NULL },
    { "smtpd/trusted", "trusted", CFG_STR, "127.0.0.0/8,::1/128", 0, 0, D,
      "networks (comma-separated CIDR) whose clients may send XCLIENT and XFORWARD and whose "
      "account header is believed; from others those are refused or removed", NULL },
    { "smtpd/account-from", "account-from", CFG_STR, "auth,xclient,received,header,sender", 0, 0, D,
      "where the account comes from, first found wins (comma-separated): auth (SMTP AUTH here), "
      "xclient (XCLIENT LOGIN=), received (the topmost Received: '(Authenticated sender: NAME)' "
      "of Postfix's smtpd_sasl_authenticated_header), header (smtpd/account-header), sender "
      "(the envelope sender); all but auth and sender only from smtpd/trusted, whose MTA must "
      "remove the header from its customers' mail", NULL },
    { "smtpd/account-header", "account-header", CFG_STR, "X-AuthUser", 0, 0, D,
      "the header a trusted MTA names the account in (MailChannels' X-AuthUser); removed from "
      "every message", NULL },
    { "smtpd/metrics-file", "smtpd-metrics-file", CFG_STR, "", 0, 0, D,
      "farm-smtpd's metrics in the Prometheus text format (node_exporter's textfile collector), "
      "rewritten every second", NULL },
    { "smtpd/received", "received", CFG_BOOL, "true", 0, 0, D,
      "add a Received: trace field to each message (RFC 5321 4.4: from the EHLO name and the "
      "client's address, by smtpd/hostname, with ESMTP[S][A], id the queue id)", NULL },
    { "smtpd/auth-required", "auth-required", CFG_BOOL, "true", 0, 0, D,
      "clients outside smtpd/trusted must AUTH before MAIL (false: anyone who can connect may "
      "send, as the envelope sender's account)", NULL },
    { "replay/workers", "workers", CFG_INT, "2", 1, 256, R,
      "worker processes replay starts", NULL },
    { "replay/timeout-s", "timeout-s", CFG_INT, "600", 1, 86400, R,
      "replay gives up when no verdict arrives for this long, in seconds", NULL },
};

const size_t params_count = sizeof params_table / sizeof params_table[0];
