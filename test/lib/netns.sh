# netns.sh: sourced by tests and benchmarks that need real hosts. Builds
# "hosts" as Linux network namespaces: one broker host with a bridge, and
# worker hosts each joined to it by a veth pair (10.N.0.1 the broker,
# 10.N.0.1X worker host X). Needs root (CAP_NET_ADMIN); netns_usable says
# whether this machine allows it.
#   netns_usable                   0 when namespaces can be made here
#   netns_up NHOSTS                make broker host + NHOSTS worker hosts
#   on_broker CMD... & / on_host X CMD... &   run in a host, in the background
#                                  only: they exec, so $! is CMD's own pid
#   host_cut X                     take host X's link down
#   netns_down                     remove everything (also on EXIT)
NS_TAG="f$$"
NS_NET=$(( (RANDOM % 200) + 20 ))
NS_HOSTS=0
BROKER_IP="10.$NS_NET.0.1"

netns_usable() {
    [ "$(id -u)" -eq 0 ] || return 1
    command -v ip >/dev/null || return 1
    ip netns add "${NS_TAG}probe" 2>/dev/null || return 1
    ip netns del "${NS_TAG}probe"
}

netns_up() {
    local n=$1 i
    ip netns add "${NS_TAG}b"
    ip -n "${NS_TAG}b" link set lo up
    ip -n "${NS_TAG}b" link add br0 type bridge
    ip -n "${NS_TAG}b" addr add "$BROKER_IP/24" dev br0
    ip -n "${NS_TAG}b" link set br0 up
    for i in $(seq 1 "$n"); do
        ip netns add "${NS_TAG}w$i"
        ip -n "${NS_TAG}w$i" link set lo up
        ip link add "vb$i$NS_TAG" netns "${NS_TAG}b" type veth peer name "vw$i" netns "${NS_TAG}w$i"
        ip -n "${NS_TAG}b" link set "vb$i$NS_TAG" master br0 up
        ip -n "${NS_TAG}w$i" addr add "10.$NS_NET.0.$((10 + i))/24" dev "vw$i"
        ip -n "${NS_TAG}w$i" link set "vw$i" up
    done
    NS_HOSTS=$n
}

on_broker() { exec ip netns exec "${NS_TAG}b" "$@"; }
on_host() { local x=$1; shift; exec ip netns exec "${NS_TAG}w$x" "$@"; }
host_cut() { ip -n "${NS_TAG}w$1" link set "vw$1" down; }

netns_down() {
    local i
    for i in $(seq 1 "$NS_HOSTS"); do ip netns del "${NS_TAG}w$i" 2>/dev/null; done
    ip netns del "${NS_TAG}b" 2>/dev/null
    NS_HOSTS=0
}
