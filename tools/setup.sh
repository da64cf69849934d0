#!/bin/sh
# setup.sh: install the Debian packages the farm needs to build and test.
# Idempotent: asks dpkg what is present and installs only what is missing.
# Runs apt-get as root, or through sudo when not root.
set -eu

PKGS="build-essential clang pkg-config scons libzmq3-dev libczmq-dev liblmdb-dev \
libopendkim-dev libssl-dev libcmocka-dev openssl python3-dkim valgrind iproute2 tcpdump chromium \
postfix swaks help2man man-db bind9-utils libseccomp-dev libcurl4-openssl-dev libpsl-dev \
libcrypt-dev time"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# npm fetches the test corpus; a Node.js from elsewhere (NodeSource) brings
# its own npm and conflicts with Debian's package, so ask only when absent.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup: missing packages:$missing; run as root or install sudo" >&2
    exit 1
fi
echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix for the test that puts a real MTA in front of the farm and behind it
# (test/integration/postfix.sh runs a private instance): installed without a
# system configuration, so that no mail service starts on this machine.
case "$missing" in *postfix*)
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
esac
$SUDO apt-get update -qq >&2 || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
