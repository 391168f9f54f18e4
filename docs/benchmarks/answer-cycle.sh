#!/bin/sh
# answer-cycle.sh DIALECT CLIENTS SECONDS — the public survey answer benchmark (issue 14,
# target 1): build manyi, load the demo into a fresh database, serve it on a free loopback
# port, run `manyi load` against it, stop the server. DIALECT is sqlite, or postgres with
# MANYI_TEST_POSTGRES naming a server (a fresh schema is made there and dropped afterwards).
# Prints what `manyi load` measured; exits non-zero if an acknowledged answer is missing.
# With PROFILE=1, also the server's CPU profile over the run (where an answer's time goes).
set -eu
dialect=${1:-sqlite} clients=${2:-8} seconds=${3:-10}
dir=$(mktemp -d)
bin=$dir/manyi
go build -o "$bin" ./cmd/manyi
port=$(( 20000 + $$ % 20000 ))
case $dialect in
sqlite) db=$dir/manyi.db ;;
postgres)
  : "${MANYI_TEST_POSTGRES:?postgres needs MANYI_TEST_POSTGRES}"
  schema=bench_$$
  psql "$MANYI_TEST_POSTGRES" -qc "CREATE SCHEMA $schema"
  case $MANYI_TEST_POSTGRES in *\?*) db="$MANYI_TEST_POSTGRES&search_path=$schema" ;; *) db="$MANYI_TEST_POSTGRES?search_path=$schema" ;; esac ;;
*) echo "usage: $0 sqlite|postgres [clients] [seconds]" >&2; exit 2 ;;
esac
cleanup() {
  [ -n "${pid:-}" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ "$dialect" = postgres ] && PGOPTIONS="-c client_min_messages=warning" psql "$MANYI_TEST_POSTGRES" -qc "DROP SCHEMA $schema CASCADE" || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$bin" demo --db "$db" >/dev/null
# Sealed before the run, or the server would spend its first seconds sealing the demo's
# 20,000 audit entries while being measured (a third of a short run's CPU).
"$bin" audit verify --db "$db" --seal >/dev/null
"$bin" serve --db "$db" --addr "127.0.0.1:$port" --cpuprofile "$dir/cpu.prof" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "== public survey answer cycle: $dialect, $clients clients, ${seconds}s (server logs requests to a file) =="
"$bin" load --db "$db" --url "http://127.0.0.1:$port" -c "$clients" -d "${seconds}s" || status=$?
if [ -n "${PROFILE:-}" ]; then
  kill -INT "$pid"; wait "$pid" || true; pid=
  go tool pprof -top -cum -nodecount 40 "$bin" "$dir/cpu.prof" 2>/dev/null | grep -v " runtime\.\| net/http\." | head -40
fi
exit "${status:-0}"
