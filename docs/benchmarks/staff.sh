#!/bin/sh
# staff.sh DIALECT CLIENTS SECONDS — staff pages and list APIs at CLIENTS concurrent users
# (issue 14, target 3) and the reports alone (issue 15), over the benchmark data of
# scale-data.sh: serve a fresh copy on a free loopback port, run `manyi load --staff` twice,
# with no pause between a user's requests and then with users reading each page THINK (5s) on
# average for THINK_SECONDS (60), then
# open the latest monthly and quarterly report once each as the clerk with nothing else
# running, with the server's RSS before and after. DIALECT is sqlite or postgres.
set -eu
dialect=${1:-sqlite} clients=${2:-50} seconds=${3:-20}
dir=$(mktemp -d)
bin=$dir/manyi
go build -o "$bin" ./cmd/manyi
export MANYI_ADMIN_PASSWORD=${MANYI_ADMIN_PASSWORD:-bench-admin-password}
db=$(sh docs/benchmarks/scale-data.sh "$dialect" "$bin")
port=$(( 20000 + $$ % 20000 ))
cleanup() {
  [ -n "${pid:-}" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  case $db in
  postgres*) PGOPTIONS="-c client_min_messages=warning" psql "$MANYI_TEST_POSTGRES" -qc "DROP DATABASE IF EXISTS $(echo "$db" | sed -E 's#^[^/]*//[^/]*/([^?]*).*#\1#')" || true ;;
  *) rm -f "$db" "$db-wal" "$db-shm" ;;
  esac
  rm -rf "$dir"
}
trap cleanup EXIT
"$bin" serve --db "$db" --addr "127.0.0.1:$port" --cpuprofile "$dir/cpu.prof" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "== staff pages and list APIs: $dialect, $clients users without pause (the machine's limit), ${seconds}s =="
"$bin" load --staff --db "$db" --url "http://127.0.0.1:$port" -c "$clients" -d "${seconds}s" || status=$?
echo "== staff pages and list APIs: $dialect, $clients users reading each page ${THINK:-5s} on average, ${THINK_SECONDS:-60}s =="
"$bin" load --staff --db "$db" --url "http://127.0.0.1:$port" -c "$clients" -d "${THINK_SECONDS:-60}s" --think "${THINK:-5s}" || status=$?

echo "== reports alone, as the clerk: $dialect =="
base=http://127.0.0.1:$port jar=$dir/cookies
rss() { curl -fs "$base/metrics" | awk '$1 == "process_resident_memory_bytes" { printf "%.0f MB", $2 / 1048576 }'; }
curl -fs -c "$jar" -o /dev/null -d username=clerk -d password=manyi-demo-2026 "$base/login"
for kind in monthly quarterly; do
  path=$(curl -fs -b "$jar" "$base/reports" | grep -o "href=\"/reports/$kind/[^\"/]*\"" | head -1 | cut -d'"' -f2)
  [ -n "$path" ] || { echo "$kind: no link on /reports"; continue; }
  before=$(rss)
  t=$(curl -fs -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' "$base$path")
  echo "$path  HTTP ${t% *}  ${t#* } s  server RSS $before before, $(rss) after"
done
if [ -n "${PROFILE:-}" ]; then
  kill -INT "$pid"; wait "$pid" || true; pid=
  go tool pprof -top -cum -nodecount 40 "$bin" "$dir/cpu.prof" 2>/dev/null | grep -v " runtime\.\| net/http\." | head -40
fi
exit "${status:-0}"
