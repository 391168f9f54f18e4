package prove

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// residents answer the questionnaires of their invitation codes, each from a phone of their
// own, and remember which answers the server acknowledged.
type residents struct {
	t        *testing.T
	codes    []string
	next     atomic.Int64 // index of the next fresh code
	mu       sync.Mutex
	acked    map[string]bool // invitation code → acknowledged
	pending  []*submission   // cut off (by a kill): retried later with the same key
	attempts int             // POSTs sent
	retried  int             // POSTs retried
	refused  []string        // unexpected answers, for the report
	failures map[int]int     // status (0: no answer) → count of submissions not stored
}

func newResidents(t *testing.T, codes []string) *residents {
	return &residents{t: t, codes: codes, acked: map[string]bool{}, failures: map[int]int{}}
}

// start sets n residents answering until stop is closed; done is closed when all stopped.
func (r *residents) start(base string, n int, stop <-chan struct{}) (done <-chan struct{}) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { r.client(base, stop) })
	}
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	return ch
}

// ackedNow is a copy of the acknowledged codes at this moment.
func (r *residents) ackedNow() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[string]bool, len(r.acked))
	for k := range r.acked {
		m[k] = true
	}
	return m
}

// unexpected reports answers that were neither an acknowledgement nor a cut connection.
func (r *residents) unexpected() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.refused[:min(10, len(r.refused))], "; ")
}

// submission is one resident's answer: the form as fetched, so a retry repeats it exactly.
type submission struct {
	code string
	form map[string][]string
}

// client answers fresh questionnaires, one resident after another, until stop; a submission the kill cut off is kept for
// retrying.
func (r *residents) client(base string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		i := r.next.Add(1) - 1
		if int(i) >= len(r.codes) {
			r.t.Errorf("ran out of invitations after %d", i)
			return
		}
		code := r.codes[i]
		hc := residentClient() // a new resident, on a phone of their own
		form, err := fetchForm(hc, base, code)
		if err != nil {
			continue // the server died while showing the form: nothing was submitted
		}
		r.submit(hc, base, &submission{code: code, form: form})
	}
}

func (r *residents) submit(hc *http.Client, base string, s *submission) {
	status, loc, err := postForm(hc, base+"/s/"+s.code, s.form)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	switch {
	case err != nil || status >= 500:
		// Cut off, or the server could not store it (database down, disk full): the
		// resident tries again later with the same form.
		r.pending = append(r.pending, s)
		r.failures[status]++
	case status == http.StatusSeeOther && loc == "/s/"+s.code+"/thanks":
		r.acked[s.code] = true
	default:
		r.refused = append(r.refused, fmt.Sprintf("%s: %d %s", s.code, status, loc))
	}
}

// retry sends again every submission a kill cut off, with its key.
func (r *residents) retry(base string) {
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.retried += len(pending)
	r.mu.Unlock()
	for _, s := range pending {
		r.submit(residentClient(), base, s)
	}
}

// pendingCount is how many submissions wait for a retry.
func (r *residents) pendingCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// failureSummary says how submissions failed, e.g. "41 answered 500, 3 cut off".
func (r *residents) failureSummary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var parts []string
	for status, n := range r.failures {
		if status == 0 {
			parts = append(parts, fmt.Sprintf("%d cut off", n))
		} else {
			parts = append(parts, fmt.Sprintf("%d answered %d", n, status))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "no submission failed"
	}
	return strings.Join(parts, ", ")
}
