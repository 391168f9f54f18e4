package demo

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Print writes what was loaded and the table of demo logins, for the terminal that started
// manyi: the quickest way for a new user to find an account to try.
func (s Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "Demo data loaded: %d units, %d people, %d accounts. Every demo account's password is %q.\n", s.Units, s.People, s.Users, DemoPassword)
	rows := [][]string{{"USERNAME", "ROLE", "PERSON", "UNIT"}}
	for _, a := range s.Accounts {
		rows = append(rows, []string{a.Username, string(a.Role), a.Name, a.Unit})
	}
	widths := make([]int, 4)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// displayWidth counts Chinese characters as two columns, as terminals show them;
// text/tabwriter counts them as one and misaligns the table.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) > 1 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
