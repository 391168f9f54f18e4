#!/bin/sh
# close.sh DIALECT — the reports (issue 15, BenchmarkReports), then the month close of
# unit-monthly and maintainer-monthly (issue 14, target 2)
# over the benchmark data of scale-data.sh: BenchmarkMonthClose on a fresh copy, the latest
# month recomputed with no earlier month of the year closed, from the running totals
# ("totals", what a close does) and by rescanning the records ("records", the old way).
set -eu
dialect=${1:-sqlite}
dir=$(mktemp -d)
go build -o "$dir/manyi" ./cmd/manyi
db=$(sh docs/benchmarks/scale-data.sh "$dialect" "$dir/manyi")
cleanup() {
  case $db in
  postgres*) PGOPTIONS="-c client_min_messages=warning" psql "$MANYI_TEST_POSTGRES" -qc "DROP DATABASE IF EXISTS $(echo "$db" | sed -E 's#^[^/]*//[^/]*/([^?]*).*#\1#')" || true ;;
  *) rm -f "$db" "$db-wal" "$db-shm" ;;
  esac
  rm -rf "$dir"
}
trap cleanup EXIT
case $db in /*) ;; postgres*) ;; *) db=$PWD/$db ;; esac # the test runs in cmd/manyi
# The reports first: the close benchmark below reopens and supersedes closes of the copy.
echo "== monthly and quarterly reports, page and XLSX (issue 15): $dialect =="
MANYI_BENCH_DB=$db go test -run '^$' -bench BenchmarkReports -benchtime 3x -benchmem ./cmd/manyi/ | grep -E '^(Benchmark|ok|FAIL|---)|report_bench'
echo "== month close, first of the year (no earlier month closed): $dialect =="
MANYI_BENCH_DB=$db go test -run '^$' -bench BenchmarkMonthClose -benchtime 3x -benchmem ./cmd/manyi/ | grep -E '^(Benchmark|ok|FAIL|---)|close_bench'
