# The two commands a new machine needs: `make run` and `make test`.
GO ?= go
# Go 1.27.3: the standard library of 1.26.8 has vulnerabilities reachable from manyi that
# govulncheck reports (README, Security checks); the go command fetches it from the proxy.
GOTOOLCHAIN ?= go1.27.3
export GOTOOLCHAIN
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run build test test-short lint chromium clean bench fuzz prove vulncheck gosec

## run: build manyi and serve it on http://127.0.0.1:8080 with demo data in ./manyi.db;
## `make run ADDR=127.0.0.1:9090` serves on another address (MANYI_ADDR works too).
ADDR ?=
run: build
	./bin/manyi serve --demo $(if $(ADDR),--addr $(ADDR))

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/manyi ./cmd/manyi

## test: every test, on SQLite and, when MANYI_TEST_POSTGRES is set, on PostgreSQL too;
## the browser test installs Debian's chromium first if it is missing.
## The packages run under the race detector, except the two that load the whole demo: the demo
## package's own tests and the end-to-end tests in cmd/manyi (which load it once per dialect and
## copy it for each test). Loading is one goroutine's work, and the race detector slows the
## pure-Go SQLite engine some tenfold (the demo tests took 400 s under it), which would push CI
## past its time limit. The concurrency those tests exercise (HTTP handlers, jobs) runs under
## -race in the package tests.
## The two go test commands run at the same time: the end-to-end tests spend most of their
## time waiting on PostgreSQL round trips and Chromium, not on the CPU, and run for minutes
## after the package tests are done when started after them. The end-to-end output goes to
## test-e2e.log and is printed after the package tests' own, so neither interleaves; a failure
## of either fails the target.
test: chromium
	@$(GO) test -count=1 -timeout 15m ./internal/demo ./cmd/... > test-e2e.log 2>&1 & e2e=$$!; \
	  trap 'kill $$e2e 2>/dev/null' INT TERM; \
	  echo "go test ./internal/demo ./cmd/... started beside the package tests; its output follows theirs (test-e2e.log)"; \
	  echo "== go test -race -count=1 -timeout 15m ./internal/... (but internal/demo)"; \
	  $(GO) test -race -count=1 -timeout 15m $$($(GO) list ./internal/... | grep -v '/internal/demo$$'); status=$$?; \
	  wait $$e2e; e2estatus=$$?; \
	  echo "== go test -count=1 -timeout 15m ./internal/demo ./cmd/..."; cat test-e2e.log; \
	  [ $$status -eq 0 ] && [ $$e2estatus -eq 0 ]

## test-short: the tests without the browser and without -race, for a quick edit loop
test-short:
	$(GO) test -short ./...

## bench: the speed benchmarks of issue 14 and the report speed of issue 15, with what each
## measured (docs/benchmarks.md says how to read them). Targets 2, 3 and the reports run over the
## N=100 year, built once into .cache/ (and the database manyi_bench_scale_100 on PostgreSQL) by
## docs/benchmarks/scale-data.sh. PostgreSQL parts run when MANYI_TEST_POSTGRES names a server.
## Stop other work on the machine first: the figures are only as quiet as it.
bench:
	@echo "== the N=100 year on each database, built side by side where it is absent (some 50 minutes on 2 cores) =="
	@set -e; dir=$$(mktemp -d); $(GO) build -o $$dir/manyi ./cmd/manyi; \
	  sh docs/benchmarks/scale-data.sh sqlite $$dir/manyi original & s=$$!; \
	  if [ -n "$$MANYI_TEST_POSTGRES" ]; then sh docs/benchmarks/scale-data.sh postgres $$dir/manyi original & p=$$!; wait $$p; fi; \
	  wait $$s; rm -rf $$dir
	@echo "== audit log: writing transactions with 1 and 16 writers (PostgreSQL) =="
	$(GO) test -run '^$$' -bench BenchmarkRecord -benchtime 3s ./internal/audit/
	@set -e; for d in sqlite $${MANYI_TEST_POSTGRES:+postgres}; do \
	  echo "###### $$d (target 1 answers, target 5 its RSS; the reports and target 2 closes; target 3 staff, and the reports)"; \
	  sh docs/benchmarks/answer-cycle.sh $$d 8 10; \
	  sh docs/benchmarks/close.sh $$d; \
	  sh docs/benchmarks/staff.sh $$d 50 20; done
	@[ -n "$$MANYI_TEST_POSTGRES" ] || echo "== PostgreSQL: skipped, MANYI_TEST_POSTGRES is not set =="
	@echo "== import of a 100,000-row fault workbook through the API, seconds and peak RSS (targets 4 and 5; PostgreSQL when MANYI_TEST_POSTGRES is set) =="
	$(GO) test -run '^$$' -bench BenchmarkImport100k -benchtime 1x -timeout 30m ./cmd/manyi/

lint:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

chromium:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || { \
	  echo "installing Debian's chromium, CJK fonts and pdftotext (poppler-utils) for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null) || \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null); }

clean:
	rm -rf bin

## fuzz: a short run of every fuzz target (FUZZTIME each; the seeds also run in `make test`)
FUZZTIME ?= 5s
FUZZ_TARGETS := internal/scheme:FuzzCompile internal/scheme:FuzzEvaluateFacts \
	internal/workorder:FuzzReadSheet internal/workorder:FuzzReadWorksheet internal/calendar:FuzzParseImport \
	internal/calendar:FuzzParseHours internal/survey:FuzzScore internal/plaintext:FuzzCheck
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$pkg | tail -1; done

## prove: the reliability proofs of docs/reliability.md (kill -9 under load on SQLite and,
## with MANYI_TEST_POSTGRES, PostgreSQL); PROVE_CYCLES=1000 for the long run
PROVE_CYCLES ?= 100
prove:
	@MANYI_PROVE=1 MANYI_PROVE_CYCLES=$(PROVE_CYCLES) $(GO) test -count=1 -timeout 60m -v ./internal/prove/ > prove.log 2>&1; \
	  status=$$?; grep -E -- '--- |_test\.go:[0-9]+:|FAIL|^ok' prove.log; \
	  [ $$status -eq 0 ] || echo "make prove failed: the whole log is in prove.log"; exit $$status

## vulncheck: govulncheck against an offline copy of the Go vulnerability database (vuln.go.dev
## is out of this network's reach); the copy is built from the golang.org/x/vulndb module,
## which the Go module proxy serves, at VULNDB_VERSION; raise it to refresh the database.
## Building it takes some three CPU-minutes, so it is kept beside Go's own caches, outside the
## checkout: every clone on the machine (CI clones afresh for each run) shares it, as they share
## the module cache it is built from. A version is built once and never changes.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
VULNDB ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/manyi/vulndb-$(VULNDB_VERSION)
vulncheck: $(VULNDB)/index/db.json
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0 -db file://$(abspath $(VULNDB)) ./...

$(VULNDB)/index/db.json:
	@echo "building the offline vulnerability database from golang.org/x/vulndb@$(VULNDB_VERSION)"
	@src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$$/\1/p'); \
	  test -d "$$src/data/osv" || { echo "golang.org/x/vulndb@$(VULNDB_VERSION) has no data/osv"; exit 1; }; \
	  tmp=$(VULNDB).tmp.$$$$; mkdir -p $(dir $(VULNDB)) && \
	  $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out $$tmp && \
	  rm -rf $(VULNDB) && mv $$tmp $(VULNDB)

## gosec: the security linter; findings are fixed or marked #nosec with the reason beside them
gosec:
	$(GO) run github.com/securego/gosec/v2/cmd/gosec@v2.30.0 -quiet -exclude-generated ./...
