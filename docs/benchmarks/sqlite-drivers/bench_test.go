package drivers

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

var drivers = []struct{ name, driver, dsn string }{
	{"modernc", "sqlite", "file:%s?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"},
	other,
}

func open(b *testing.B, driver, dsn string) *sql.DB {
	path := filepath.Join(b.TempDir(), "b.db")
	db, err := sql.Open(driver, fmt.Sprintf(dsn, path))
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE units (id INTEGER PRIMARY KEY, parent_id INTEGER, code TEXT UNIQUE, name TEXT, kind TEXT, households INTEGER, created_at TIMESTAMP)`); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkInsertTx(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := open(b, d.driver, d.dsn)
			defer db.Close()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tx, _ := db.Begin()
				if _, err := tx.Exec("INSERT INTO units (parent_id, code, name, kind, households, created_at) VALUES (?, ?, ?, ?, ?, datetime('now'))", 1, fmt.Sprint("U", i), "永馨园", "area", 400); err != nil {
					b.Fatal(err)
				}
				tx.Commit()
			}
		})
	}
}

func BenchmarkPointSelect(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := open(b, d.driver, d.dsn)
			defer db.Close()
			tx, _ := db.Begin()
			for i := 0; i < 1000; i++ {
				tx.Exec("INSERT INTO units (parent_id, code, name, kind, households) VALUES (?, ?, ?, ?, ?)", 1, fmt.Sprint("U", i), "永馨园", "area", 400)
			}
			tx.Commit()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var name string
				if err := db.QueryRow("SELECT name FROM units WHERE id = ?", i%1000+1).Scan(&name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkList1000(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := open(b, d.driver, d.dsn)
			defer db.Close()
			tx, _ := db.Begin()
			for i := 0; i < 1000; i++ {
				tx.Exec("INSERT INTO units (parent_id, code, name, kind, households) VALUES (?, ?, ?, ?, ?)", 1, fmt.Sprint("U", i), "永馨园", "area", 400)
			}
			tx.Commit()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rows, _ := db.Query("SELECT id, code, name, kind, households FROM units ORDER BY code")
				n := 0
				for rows.Next() {
					var id, h int
					var c, nm, k string
					rows.Scan(&id, &c, &nm, &k, &h)
					n++
				}
				rows.Close()
				if n != 1000 {
					b.Fatal(n)
				}
			}
		})
	}
}
