//go:build !ncruces

package drivers

import _ "github.com/mattn/go-sqlite3"

var other = struct{ name, driver, dsn string }{"mattn-cgo", "sqlite3", "file:%s?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL"}
