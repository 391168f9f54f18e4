#!/bin/sh
# scale-data.sh DIALECT BIN — prints the URL of a fresh copy of the benchmark data (issue 14's
# N=100 year, `manyi demo --scale N`; SCALE=N picks another N), building the cached original
# first if it is absent: .cache/scale-N.db on SQLite, the database manyi_bench_scale_N on the
# PostgreSQL server of MANYI_TEST_POSTGRES. A manyi without --scale builds the ordinary demo
# (N=1) instead, and says so on stderr. The copy is the caller's to change and to remove:
# a file under .cache/ (`rm`), or a database `DROP DATABASE`d by the URL's name. The copy is
# migrated by BIN: the cached original may have been built by an older manyi, and the
# benchmarks open the database without migrating it. With a third argument `original`, it only
# builds the cached original if it is absent and prints nothing (`make bench` builds the two
# databases' originals side by side that way before it measures).
set -eu
dialect=$1 bin=$2 only=${3:-}
scale=${SCALE:-100}
if "$bin" demo -h 2>&1 | grep -q -- '-scale'; then name=scale-$scale; echo "scale-data: the N=$scale year" >&2; else name=demo-1 scale=; echo "scale-data: this manyi has no demo --scale; using the ordinary demo (N=1)" >&2; fi
mkdir -p .cache
build() { # build URL: the demo, with its scale data when there is a scale (demo --scale loads both)
  MANYI_ADMIN_PASSWORD=${MANYI_ADMIN_PASSWORD:-bench-admin-password} "$bin" demo --db "$1" ${scale:+--scale "$scale"} >&2
  # Sealed once here, or every run's server would spend its first seconds sealing the
  # loaded year's audit entries while being measured.
  "$bin" audit verify --db "$1" --seal >/dev/null
}
case $dialect in
sqlite)
  if [ ! -f ".cache/$name.db" ]; then
    rm -f .cache/"$name".tmp.db*
    build ".cache/$name.tmp.db"
    "$bin" backup --db ".cache/$name.tmp.db" ".cache/$name.db" >/dev/null # one self-contained file
    rm -f .cache/"$name".tmp.db*
  fi
  [ "$only" = original ] && exit 0
  copy=.cache/bench-$$.db
  cp ".cache/$name.db" "$copy"
  "$bin" migrate --db "$copy" >&2
  echo "$copy" ;;
postgres)
  : "${MANYI_TEST_POSTGRES:?postgres needs MANYI_TEST_POSTGRES}"
  # The same server, another database: the URL's path is the database's name.
  dburl() { echo "$MANYI_TEST_POSTGRES" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$1#"; }
  orig=manyi_bench_$(echo "$name" | tr - _)
  if [ -z "$(psql "$MANYI_TEST_POSTGRES" -Atc "SELECT 1 FROM pg_database WHERE datname = '$orig'")" ]; then
    psql "$MANYI_TEST_POSTGRES" -qc "CREATE DATABASE ${orig}_tmp"
    build "$(dburl "${orig}_tmp")"
    psql "$MANYI_TEST_POSTGRES" -qc "ALTER DATABASE ${orig}_tmp RENAME TO $orig"
  fi
  [ "$only" = original ] && exit 0
  copy=manyi_bench_copy_$$
  psql "$MANYI_TEST_POSTGRES" -qc "CREATE DATABASE $copy TEMPLATE $orig"
  "$bin" migrate --db "$(dburl "$copy")" >&2
  dburl "$copy" ;;
*) echo "usage: $0 sqlite|postgres BIN" >&2; exit 2 ;;
esac
