package demo

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Print writes what was loaded and the table of demo logins, for the terminal that started
// manyi: the quickest way for a new user to find an account to try.
func (s Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "Demo data loaded: %d units, %d people, %d accounts. Every demo account's password is %q.\n", s.Units, s.People, s.Users, DemoPassword)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tROLE\tPERSON\tUNIT")
	for _, a := range s.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Username, a.Role, a.Name, a.Unit)
	}
	tw.Flush()
}
