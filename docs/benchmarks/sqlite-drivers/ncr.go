//go:build ncruces

package drivers

import (
	_ "github.com/ncruces/go-sqlite3/driver"
)

var other = struct{ name, driver, dsn string }{"ncruces-wasm", "sqlite3", "file:%s?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"}
