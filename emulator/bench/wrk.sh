#!/bin/sh
# Loopback throughput and latency of the emulator, with wrk. What a key-holding server adds in
# front of it is credit-gauge-gateway's to measure, in the gateway's own benchmark.
#
# Build first, optimised but without the workspace's size-tuned release profile:
#   CARGO_TARGET_DIR=target/emu cargo build -p credit-gauge-emulator --release \
#     --config 'profile.release.lto=false' --config 'profile.release.opt-level=3' \
#     --config 'profile.release.codegen-units=16' --config 'profile.release.panic="unwind"'
# Then, from the repository root:  emulator/bench/wrk.sh [binary]
set -eu

BIN=${1:-target/emu/release/credit-gauge-emulator}
DURATION=${DURATION:-10s}
DIRECT=${DIRECT_PORT:-18801}
PIDS=""

cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

wait_port() {
    for _ in $(seq 1 100); do
        if wrk -t1 -c1 -d1s "http://127.0.0.1:$1/_emulator/ledger" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "the emulator on port $1 did not start" >&2
    exit 1
}

# demo-bench has no practical limits, so key/info keeps answering 200 under load; the keyed
# Cryptowatch caller gets enough credits for millions of price calls.
"$BIN" --port "$DIRECT" --cw-keyed-allowance 100000000 >/dev/null & PIDS="$PIDS $!"
wait_port "$DIRECT"

run() {
    echo "== $*"
    wrk --latency "$@" | grep -E 'Requests/sec|Latency  |99%|50%|Non-2xx|Socket errors'
}

run -t2 -c32 -d"$DURATION" -H 'X-CMC_PRO_API_KEY: demo-bench' "http://127.0.0.1:$DIRECT/cmc/v1/key/info"
run -t2 -c32 -d"$DURATION" -H 'X-CMC_PRO_API_KEY: demo-basic' "http://127.0.0.1:$DIRECT/cmc/v1/key/info"
run -t2 -c32 -d"$DURATION" "http://127.0.0.1:$DIRECT/cryptowatch/markets/kraken/btcusd/price?apikey=demo-cw"
# One connection at a time: the latency of one exchange, the baseline anything in front of
# the emulator (such as the gateway) adds to.
run -t1 -c1 -d"$DURATION" -H 'X-CMC_PRO_API_KEY: demo-bench' "http://127.0.0.1:$DIRECT/cmc/v1/key/info"
