# postfix.sh: a private Postfix instance (its own configuration, queue and
# maillog in a folder; nothing of the system's Postfix touched), for
# bench-mta.sh and the Postfix tests. Sourced; needs root.
#   postfix_make DIR RELAYPORT   DIR/etc/main.cf and master.cf: all mail relayed to
#                                127.0.0.1:RELAYPORT, no port 25, nothing chrooted,
#                                the customers' X-AuthUser removed (header_checks);
#                                append the services to DIR/etc/master.cf
#   postfix_start DIR PORT       check, start, and wait until PORT listens (10 s);
#                                non-zero with the reason on standard error
#   postfix_stop DIR             stop it at once
postfix_make() {
    local pf=$1 relay=$2
    mkdir -p "$pf/etc" "$pf/queue" "$pf/data"
    chown postfix "$pf/data"
    cp /etc/postfix/master.cf /etc/postfix/dynamicmaps.cf "$pf/etc/"
    cat >"$pf/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.farm-test.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost = [127.0.0.1]:$relay
smtp_dns_support_level = disabled
smtp_host_lookup = native
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
farm_destination_recipient_limit = 1000
header_checks = regexp:$pf/etc/farm_header_checks
CF
    # farm-smtpd believes X-AuthUser from Postfix: no customer may write it.
    echo '/^X-AuthUser:/ IGNORE' >"$pf/etc/farm_header_checks"
    sed -i '/^smtp[[:space:]]\+inet/d; /^postlog[[:space:]]/d' "$pf/etc/master.cf"
    postconf -c "$pf/etc" -F '*/*/chroot = n' >/dev/null
    echo "postlog   unix-dgram n  -       n       -       1       postlogd" >>"$pf/etc/master.cf"
}

postfix_start() {
    local pf=$1 port=$2 i=0
    script -qec "postfix -c $pf/etc check" /dev/null >"$pf/check.log" 2>&1 ||
        { echo "postfix check: $(tail -3 "$pf/check.log")" >&2; return 1; }
    script -qec "postfix -c $pf/etc start" /dev/null >"$pf/start.log" 2>&1 ||
        { echo "postfix start: $(tail -3 "$pf/start.log")" >&2; return 1; }
    until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && { echo "postfix does not listen on $port: $(tail -5 "$pf/maillog" 2>/dev/null)" >&2; return 1; }
        sleep 0.1
    done
}

postfix_stop() { postfix -c "$1/etc" abort >/dev/null 2>&1 || true; }
