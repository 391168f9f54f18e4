# The two commands a new machine needs: `make run` and `make test`.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run build test test-short lint chromium clean

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
test: chromium
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./internal/... | grep -v '/internal/demo$$')
	$(GO) test -count=1 -timeout 15m ./internal/demo ./cmd/...

## test-short: the tests without the browser and without -race, for a quick edit loop
test-short:
	$(GO) test -short ./...

lint:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || { \
	  echo "installing Debian's chromium and CJK fonts for the browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null); }

clean:
	rm -rf bin
