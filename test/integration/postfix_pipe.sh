#!/usr/bin/env bash
# postfix_pipe.sh: postfix.sh with the small site's set-up, Postfix's pipe
# into farm-submit instead of SMTP into farm-smtpd.
MODE=pipe exec bash "$(dirname "$0")/postfix.sh"
