package demo

import (
	"strings"
	"testing"
)

func TestPrintAlignsChineseColumns(t *testing.T) {
	var b strings.Builder
	Summary{Accounts: []Account{{Username: "a", Role: "clerk", Name: "林晓雯", Unit: "品质部"}, {Username: "bb", Role: "staff", Name: "Li", Unit: "x"}}}.Print(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")[1:]
	col := func(line, text string) int { return displayWidth(line[:strings.Index(line, text)]) }
	if col(lines[1], "品质部") != col(lines[0], "UNIT") || col(lines[2], "x") != col(lines[0], "UNIT") {
		t.Fatalf("columns misaligned:\n%s", b.String())
	}
}
