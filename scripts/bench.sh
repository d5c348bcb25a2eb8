#!/usr/bin/env bash
# The benchmarks in full mode, run by hand; BENCHMARKS.md records their
# latest figures. Prints the machine, then each figure.
set -euo pipefail
cd "$(dirname "$0")/.."
export SHANZHI_TEST_POSTGRES="${SHANZHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"

echo "== machine"
echo "cores: $(nproc)  memory: $(free -g | awk '/Mem:/{print $2}') GiB  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "disk: $(df -h . | awk 'NR==2{print $1, $2}')  go: $(go version | cut -d' ' -f3)  postgres: $(psql "$SHANZHI_TEST_POSTGRES" -Atc 'show server_version' 2>/dev/null || echo '?')"

echo "== import of 100,000 residents from .xlsx (SQLite and PostgreSQL)"
SHANZHI_BENCH_RESIDENTS=${SHANZHI_BENCH_RESIDENTS:-100000} go test -run '^$' -bench 'ImportXLSX' -benchtime 1x -count "${COUNT:-3}" ./internal/sqlstore | grep -E '^Benchmark'

echo "== award sheet of 1,000,000 rows as CSV, bulk path (SQLite and PostgreSQL); load average $(cut -d' ' -f1-3 /proc/loadavg)"
SHANZHI_BENCH_AWARDS=${SHANZHI_BENCH_AWARDS:-1000000} go test -run '^$' -bench 'AwardImport/.*/csv$' -benchtime 1x -count 1 -timeout 2h ./internal/sqlstore | grep -E '^Benchmark'
echo "== award sheet of 100,000 rows as .xlsx, and as CSV row by row (the path the bulk one replaced); load average $(cut -d' ' -f1-3 /proc/loadavg)"
SHANZHI_BENCH_AWARDS=100000 go test -run '^$' -bench 'AwardImport/.*/(xlsx|csv-byrow)$' -benchtime 1x -count 1 -timeout 2h ./internal/sqlstore | grep -E '^Benchmark'

echo "== a grid's linkage tree, 500,000 households in 8,000 grids (SQLite and PostgreSQL); load average $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench 'GridNet' -benchtime 5x -count 1 -timeout 1h ./internal/sqlstore | grep -E '^Benchmark'

echo "== sheet reading and writing, 100,000 rows"
go test -run '^$' -bench 'XLSX100k' -benchtime 1x -count "${COUNT:-3}" ./internal/sheet | grep -E '^Benchmark'

echo "== pinyin keys and synthetic households"
go test -run '^$' -bench . ./internal/pinyin ./internal/synth | grep -E '^Benchmark'

echo "== binary"
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o build/shanzhi ./cmd/shanzhi
echo "size: $(stat -c %s build/shanzhi) bytes (stripped), static: $(file build/shanzhi | grep -q 'statically linked' && echo yes || echo no)"

echo "== demo server idle memory"
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
(cd "$dir" && exec "$OLDPWD/build/shanzhi" demo -addr 127.0.0.1:0 >out.txt 2>err.txt) &
pid=$!
for _ in $(seq 60); do grep -q listening "$dir/out.txt" 2>/dev/null && break; sleep 1; done
sleep 5
echo "idle RSS after first start with demo import: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null || true
(cd "$dir" && exec "$OLDPWD/build/shanzhi" demo -addr 127.0.0.1:0 >out.txt 2>err.txt) &
pid=$!
for _ in $(seq 60); do grep -q listening "$dir/out.txt" 2>/dev/null && break; sleep 1; done
sleep 5
echo "idle RSS on a later start: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null || true

echo "== store-level writes from 16 clients: awards, ledger postings, counter redemptions"
go test -run '^$' -bench 'AwardRecord|LedgerPost|Redeem' -benchtime 5s ./internal/sqlstore | grep -E '^Benchmark'

# The synthetic league through the real HTTP server. LEAGUE_SIZE is ci,
# small, medium or league (500,000 households, 10,000,000 entries: about
# 20 minutes to build and 7 GB on disk); PG_SIZE the same for PostgreSQL,
# whose per-row inserts make the full league an hours-long build.
echo "== synthetic league, SQLite (${LEAGUE_SIZE:=league})"
league="$dir/league"
/usr/bin/time -f 'gen peak RSS %M KB' build/shanzhi gen -data-dir "$league" -size "$LEAGUE_SIZE" | tail -1
# Read once into the page cache, as a server that has run a while has it;
# then every scenario flat out, and the reads again paced to a stated load.
cat "$league/shanzhi.db" > /dev/null
build/shanzhi load -data-dir "$league" -duration "${LOAD_DURATION:-10s}"
build/shanzhi load -data-dir "$league" -duration "${LOAD_DURATION:-10s}" -rate "${READ_RATE:-400}" -scenarios balance,statement,village-ranking,league-ranking
/usr/bin/time -f 'verify took %e s, peak RSS %M KB' build/shanzhi verify -data-dir "$league" | tail -1
echo "database: $(du -sh "$league/shanzhi.db" | cut -f1)"
rm -rf "$league"

echo "== synthetic league, PostgreSQL (${PG_SIZE:=small})"
pgdb="bench_$$"
psql "$SHANZHI_TEST_POSTGRES" -qc "CREATE DATABASE $pgdb"
pgdsn="${SHANZHI_TEST_POSTGRES%/*}/$pgdb?sslmode=disable"
build/shanzhi gen -db "$pgdsn" -key-file "$dir/pg.key" -size "$PG_SIZE" | tail -1
build/shanzhi load -db "$pgdsn" -key-file "$dir/pg.key" -duration "${LOAD_DURATION:-10s}"
build/shanzhi load -db "$pgdsn" -key-file "$dir/pg.key" -duration "${LOAD_DURATION:-10s}" -rate "${READ_RATE:-400}" -scenarios balance,statement,village-ranking,league-ranking
psql "$SHANZHI_TEST_POSTGRES" -qc "DROP DATABASE $pgdb WITH (FORCE)"
