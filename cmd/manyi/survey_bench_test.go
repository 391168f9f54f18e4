package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// BenchmarkSurveySubmit is the public answer page under load: 50 residents' phones (each its
// own loopback address, 127.0.0.2 to 127.0.0.51, as each phone is its own client to the rate
// limit) submit answers to the fourth-quarter campaign of the demo data over HTTP at once.
// b.N is the number of answers; run it with -benchtime=1000x (each client stays under the
// hourly limit of 30 answers). It reports answers per second and the latency percentiles,
// and fails unless every acknowledged answer is stored exactly once.
func BenchmarkSurveySubmit(b *testing.B) {
	run := func(b *testing.B, d store.Dialect) {
		m := MustRunMain(b, d)
		ctx := context.Background()
		var codes []string
		err := m.DB.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, `SELECT i.code FROM survey_invitations i JOIN survey_campaigns c ON c.id = i.campaign_id
				WHERE c.quarter = ? AND i.answered_at IS NULL ORDER BY i.id LIMIT 3000`, quarterOf(demoMonth(0)))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					return err
				}
				codes = append(codes, c)
			}
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
		const clients = 50
		if b.N > len(codes) || b.N > clients*30 {
			b.Skipf("b.N = %d is more than the invitations or the clients' hourly limit; use -benchtime=1000x", b.N)
		}
		before := countAnswers(b, m)
		// Each phone answers its own share, as residents do: no client goes over its hourly
		// limit however the scheduler runs them.
		share := make([][]string, clients)
		for i, c := range codes[:b.N] {
			share[i%clients] = append(share[i%clients], c)
		}
		var mu sync.Mutex
		var lat []time.Duration
		acked, failed := 0, 0
		var wg sync.WaitGroup
		b.ResetTimer()
		start := time.Now()
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}, Timeout: 5 * time.Second}
				hc := &http.Client{
					Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 2},
					CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
				}
				n := 0
				for _, code := range share[i] {
					n++
					form := url.Values{"idem": {fmt.Sprintf("bench-%d-%d", i, n)}, "q_overall": {fmt.Sprint(1 + n%3)}, "q_cleaning": {"2"}, "survey_opinion": {"楼道灯不亮"}}
					t0 := time.Now()
					resp, err := hc.Post(m.URL()+"/s/"+code, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
					d := time.Since(t0)
					mu.Lock()
					switch {
					case err == nil && resp.StatusCode == http.StatusSeeOther:
						acked++
						lat = append(lat, d)
					case err != nil:
						failed++
						b.Logf("submission: %v", err)
					default:
						failed++
						b.Logf("submission: HTTP %d", resp.StatusCode)
					}
					mu.Unlock()
					if err == nil {
						resp.Body.Close()
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		if failed > 0 {
			b.Fatalf("%d of %d submissions failed", failed, b.N)
		}
		if stored := countAnswers(b, m) - before; stored != acked {
			b.Fatalf("%d answers acknowledged, %d stored", acked, stored)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(float64(acked)/elapsed.Seconds(), "answers/s")
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
	}
	b.Run("sqlite", func(b *testing.B) { run(b, store.SQLite) })
	if storetest.PostgresURL() != "" {
		b.Run("postgres", func(b *testing.B) { run(b, store.Postgres) })
	}
}

func countAnswers(b *testing.B, m *Main) int {
	b.Helper()
	var n int
	ctx := context.Background()
	if err := m.DB.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM survey_answers").Scan(&n) }); err != nil {
		b.Fatal(err)
	}
	return n
}
