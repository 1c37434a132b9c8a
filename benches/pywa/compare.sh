#!/usr/bin/env bash
# Webhook ingest, side by side on this machine: `hirechat serve` and the pywa 4.5 + FastAPI +
# uvicorn (one worker) + SQLite (WAL, synchronous=FULL) receiver of receiver.py, each loaded in
# turn by the same generator (benches/webhook_ingest.rs: 32 keep-alive connections, each
# delivery signed as Meta signs it, acknowledged only once stored).
#
#   benches/pywa/compare.sh            (BENCH_DELIVERIES=N, 50,000 by default)
#
# Needs python3 with venv; installs pywa and its dependencies from PyPI into a venv under
# target/ the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
venv=$root/target/pywa-venv
work=$(mktemp -d)
hirechat_port=${HIRECHAT_PORT:-8721}
pywa_port=${PYWA_PORT:-8722}
secret=bench-secret
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x "$venv/bin/uvicorn" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r benches/pywa/requirements.txt
fi
cargo build --release -q
cargo bench --bench webhook_ingest --no-run -q

cat > "$work/config.toml" <<EOF
[whatsapp]
api_base = "http://127.0.0.1:9"
phone_number_id = "106540352242922"
business_account_id = "102290129340398"
access_token = "unused"
app_secret = "$secret"
verify_token = "bench-verify"

[webhook]
listen = "127.0.0.1:$hirechat_port"
EOF
./target/release/hirechat --config "$work/config.toml" --data-dir "$work/hirechat" serve \
    > "$work/hirechat.out" 2>&1 &
pids+=($!)
(cd benches/pywa && PYWA_APP_SECRET=$secret PYWA_DB="$work/pywa.db" \
    exec "$venv/bin/uvicorn" receiver:app --workers 1 --port "$pywa_port" --log-level warning) \
    > "$work/pywa.out" 2>&1 &
pids+=($!)

for url in "http://127.0.0.1:$hirechat_port/healthz" "http://127.0.0.1:$pywa_port/count"; do
    for _ in $(seq 100); do
        curl -sf "$url" > /dev/null && break
        sleep 0.1
    done
done

BENCH_SECRET=$secret \
BENCH_TARGETS="hirechat=http://127.0.0.1:$hirechat_port/webhook,pywa=http://127.0.0.1:$pywa_port/webhook" \
    cargo bench --bench webhook_ingest
echo "pywa stored: $(curl -s "http://127.0.0.1:$pywa_port/count")"
