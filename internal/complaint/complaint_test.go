package complaint_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/calendar"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

var clerk = access.Principal{UserID: 0, Username: "clerk", Name: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}

type fixture struct {
	db          *store.DB
	area, area2 org.Unit
	now         time.Time
}

func setup(t *testing.T, db *store.DB, now string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: at(now)}
	db.Now = func() time.Time { return f.now }
	root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "P", Name: "物业公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	if f.area, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "YXY", Name: "永馨园", Kind: org.Section, ServesPublic: true}); err != nil {
		t.Fatal(err)
	}
	if f.area2, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "MGQ", Name: "玫瑰区", Kind: org.Section}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) register(t *testing.T, in complaint.Input) complaint.Complaint {
	t.Helper()
	if in.UnitID == 0 {
		in.UnitID = f.area.ID
	}
	if in.Channel == "" {
		in.Channel = complaint.Phone
	}
	if in.Category == "" {
		in.Category = complaint.Attitude
	}
	if in.Complainant == "" {
		in.Complainant = "张女士"
	}
	if in.Description == "" {
		in.Description = "维修人员态度差"
	}
	c, err := complaint.Register(context.Background(), f.db, clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) act(t *testing.T, id int64, a complaint.Action) complaint.Complaint {
	t.Helper()
	c, err := complaint.Act(context.Background(), f.db, clerk, id, a)
	if err != nil {
		t.Fatalf("%s: %v", a.Verb, err)
	}
	return c
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow(context.Background(), q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFridayBeforeHoliday is the first "done when": a complaint registered on the
// Friday before the Spring Festival gets its solution deadline after the festival.
func TestFridayBeforeHoliday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "2026-02-13 15:20")
		c := f.register(t, complaint.Input{})
		if want := at("2026-02-14 15:20"); !c.ReplyDueAt.Equal(want) {
			t.Errorf("reply due %v, want %v (24 clock hours)", c.ReplyDueAt.In(shanghai), want)
		}
		// Saturday 14 February is an adjusted working day; 15–23 February are the festival.
		if want := at("2026-02-25 15:20"); c.SolutionDueAt == nil || !c.SolutionDueAt.Equal(want) {
			t.Errorf("solution due %v, want %v", c.SolutionDueAt, want)
		}
		d, err := complaint.Get(context.Background(), db, clerk, c.ID)
		if err != nil || !d.SolutionDueAt.Equal(at("2026-02-25 15:20")) || d.Status != complaint.Registered {
			t.Fatalf("Get = %+v, %v", d.Complaint, err)
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-03-02 10:00")
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		pdf := []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")
		good := complaint.Input{UnitID: f.area.ID, Channel: complaint.Phone, Category: complaint.Process, Complainant: "李先生", Description: "报修三天无人处理"}
		cases := []struct {
			name   string
			mutate func(*complaint.Input)
			field  string
			key    string
		}{
			{"attachment too large", func(in *complaint.Input) {
				in.Attachments = []complaint.Upload{{Name: "big.png", Data: append(png, make([]byte, complaint.MaxAttachmentBytes)...)}}
			}, "attachments", "complaint.file_too_large"},
			{"a PNG that is not one", func(in *complaint.Input) {
				in.Attachments = []complaint.Upload{{Name: "photo.png", ContentType: "image/png", Data: []byte("MZ\x90\x00 this is an executable")}}
			}, "attachments", "complaint.file_not_what_it_claims"},
			{"a PDF named .jpg", func(in *complaint.Input) {
				in.Attachments = []complaint.Upload{{Name: "scan.jpg", Data: pdf}}
			}, "attachments", "complaint.file_not_what_it_claims"},
			{"an executable", func(in *complaint.Input) {
				in.Attachments = []complaint.Upload{{Name: "x.exe", Data: []byte("MZ")}}
			}, "attachments", "complaint.file_type"},
			{"unknown unit", func(in *complaint.Input) { in.UnitID = 999999 }, "unit_id", "complaint.unit_unknown"},
			{"no description", func(in *complaint.Input) { in.Description = " " }, "description", "err.required"},
			{"unknown channel", func(in *complaint.Input) { in.Channel = "fax" }, "channel", "err.invalid_choice"},
			{"date outside the calendar's years", func(in *complaint.Input) { in.ReceivedAt = at("2024-06-03 10:00") }, "received_at", "complaint.calendar_missing"},
		}
		for _, tc := range cases {
			in := good
			tc.mutate(&in)
			_, err := complaint.Register(ctx, db, clerk, in)
			e := errs.As(err)
			if err == nil || e.Field != tc.field || e.Key != tc.key {
				t.Errorf("%s: err = %v (field %q key %q), want field %q key %q", tc.name, err, e.Field, e.Key, tc.field, tc.key)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaints"); n != 0 {
			t.Fatalf("refused complaints stored: %d", n)
		}
		// Good attachments are stored.
		in := good
		in.Attachments = []complaint.Upload{{Name: "photo.png", ContentType: "image/png", Data: png}, {Name: "letter.pdf", ContentType: "application/pdf", Data: pdf}}
		c, err := complaint.Register(ctx, db, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaint_attachments WHERE complaint_id = ?", c.ID); n != 2 {
			t.Errorf("attachments stored: %d", n)
		}

		// Classification without a reason.
		_, err = complaint.Act(ctx, db, clerk, c.ID, complaint.Action{Verb: complaint.Classify, Class: complaint.Valid, Text: "  "})
		if e := errs.As(err); e.Field != "reason" || e.Key != "err.required" {
			t.Errorf("classification without reason: %v", err)
		}
		// Reply to a closed complaint.
		f.act(t, c.ID, complaint.Action{Verb: complaint.Reply, Text: "已安排维修"})
		f.act(t, c.ID, complaint.Action{Verb: complaint.Resolve, Text: "已修好"})
		f.act(t, c.ID, complaint.Action{Verb: complaint.Close})
		before := count(t, db, "SELECT COUNT(*) FROM complaint_events WHERE complaint_id = ?", c.ID)
		_, err = complaint.Act(ctx, db, clerk, c.ID, complaint.Action{Verb: complaint.Reply, Text: "补充回复"})
		if e := errs.As(err); e.Code != errs.Conflict || e.Key != "complaint.finished" {
			t.Errorf("reply to a closed complaint: %v", err)
		}
		d, _ := complaint.Get(ctx, db, clerk, c.ID)
		if d.Class != complaint.Unclassified || d.Reply != "已安排维修" || len(d.Events) != before {
			t.Errorf("a refused action changed the complaint: %+v", d.Complaint)
		}
		// Unit heads of another unit do not see it.
		head2 := access.Principal{Username: "h2", Grants: []access.Grant{{Role: access.UnitHead, UnitID: f.area2.ID}}}
		if _, err := complaint.Get(ctx, db, head2, c.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("other unit's head reads the complaint: %v", err)
		}
		if list, total, _ := complaint.List(ctx, db, head2, complaint.Filter{}); total != 0 || len(list) != 0 {
			t.Errorf("other unit's head lists %d complaints", total)
		}
	})
}

func TestPauseResumeReopenAndReassign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "2026-03-02 10:00") // Monday
		c := f.register(t, complaint.Input{})
		responseCode := c.ResponseCode
		if !c.SolutionDueAt.Equal(at("2026-03-05 10:00")) {
			t.Fatalf("due %v", c.SolutionDueAt)
		}
		f.act(t, c.ID, complaint.Action{Verb: complaint.Reply, Text: "收到"})
		f.now = at("2026-03-03 10:00") // one working day used, 14 working hours left
		c = f.act(t, c.ID, complaint.Action{Verb: complaint.Pause, Text: "等待业主提供照片"})
		if c.SolutionDueAt != nil || c.PausedRemaining == nil || *c.PausedRemaining != 14*3600 {
			t.Fatalf("paused: due %v, remaining %v", c.SolutionDueAt, c.PausedRemaining)
		}
		f.now = at("2026-03-09 10:00") // resumed a week later, Monday
		c = f.act(t, c.ID, complaint.Action{Verb: complaint.Resume})
		if !c.SolutionDueAt.Equal(at("2026-03-11 10:00")) {
			t.Errorf("due after resume %v, want Wednesday 10:00", c.SolutionDueAt.In(shanghai))
		}
		d, _ := complaint.Get(context.Background(), db, clerk, c.ID)
		if len(d.Pauses) != 1 || d.Pauses[0].EndedAt == nil || d.Pauses[0].Reason != "等待业主提供照片" {
			t.Errorf("pauses = %+v", d.Pauses)
		}
		// Reassignment restarts the clock under the default policy.
		c = f.act(t, c.ID, complaint.Action{Verb: complaint.Reassign, UnitID: f.area2.ID, Text: "属玫瑰区管辖"})
		if c.UnitID != f.area2.ID || c.SLARound != 2 || !c.SolutionDueAt.Equal(at("2026-03-12 10:00")) {
			t.Errorf("after reassign: unit %d round %d due %v", c.UnitID, c.SLARound, c.SolutionDueAt)
		}
		c = f.act(t, c.ID, complaint.Action{Verb: complaint.Resolve, Text: "已处理"})
		if err := complaint.Respond(context.Background(), db, c.TrackingCode, responseCode, false, "问题没有解决"); err != nil {
			t.Fatal(err)
		}
		d, _ = complaint.Get(context.Background(), db, clerk, c.ID)
		if d.Status != complaint.Reopened || d.SLARound != 3 || d.ResolvedAt != nil {
			t.Errorf("after reopen: %+v", d.Complaint)
		}
	})
}

// TestSweepEscalatesOnce: a breach writes one escalation, however often and from however
// many instances the sweep runs.
func TestSweepEscalatesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-03-02 10:00")
		c := f.register(t, complaint.Input{})
		if n, err := complaint.Sweep(ctx, db); err != nil || n != 0 {
			t.Fatalf("sweep before any deadline: %d, %v", n, err)
		}
		f.now = at("2026-03-03 07:00") // reply due at 10:00, reminder window 4 h
		if n, _ := complaint.Sweep(ctx, db); n != 1 {
			t.Fatalf("reminder sweep wrote %d", n)
		}
		f.now = at("2026-03-03 11:00")
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); complaint.Sweep(ctx, db) }()
		}
		wg.Wait()
		complaint.Sweep(ctx, db)
		if n := count(t, db, "SELECT COUNT(*) FROM complaint_notifications WHERE complaint_id = ? AND kind = 'reply_breach'", c.ID); n != 1 {
			t.Errorf("reply_breach notifications: %d, want 1", n)
		}
		ns, _ := complaint.Notifications(ctx, db, clerk, store.Page{Limit: 10})
		if len(ns) != 2 {
			t.Errorf("notifications: %+v", ns)
		}
	})
}

// TestFactSource: the month's valid and major counts, with a record per complaint.
func TestFactSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-10-20 10:00")
		classes := []complaint.Class{complaint.Valid, complaint.Valid, complaint.Major, complaint.Invalid, ""}
		var ids []int64
		for i, cl := range classes {
			c := f.register(t, complaint.Input{ReceivedAt: at("2026-10-0" + string(rune('1'+i)) + " 09:00")})
			ids = append(ids, c.ID)
			if cl != "" {
				f.act(t, c.ID, complaint.Action{Verb: complaint.Classify, Class: cl, Text: "经查实"})
			}
		}
		// September's complaint and another unit's do not count.
		f.register(t, complaint.Input{ReceivedAt: at("2026-09-30 23:00")})
		other := f.register(t, complaint.Input{UnitID: f.area2.ID, ReceivedAt: at("2026-10-05 10:00")})
		f.act(t, other.ID, complaint.Action{Verb: complaint.Classify, Class: complaint.Major, Text: "x"})

		var facts []assessment.Fact
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			facts, err = complaint.FactSource{}.Facts(ctx, tx, assessment.FactQuery{UnitID: f.area.ID, Period: "2026-10",
				From: at("2026-10-01 00:00").UTC(), To: at("2026-11-01 00:00").UTC(), Names: []string{"complaints_valid", "complaints_major"}})
			return err
		})
		if err != nil || len(facts) != 2 {
			t.Fatalf("facts = %+v, %v", facts, err)
		}
		if facts[0].Value != 2 || len(facts[0].Records) != 2 || facts[1].Value != 1 || len(facts[1].Records) != 1 {
			t.Errorf("facts = %+v", facts)
		}
		if facts[1].Records[0].URL != "/complaints/"+itoa(ids[2]) {
			t.Errorf("major record URL = %s", facts[1].Records[0].URL)
		}
		// The parent company's subtree includes both units.
		err = db.Read(ctx, func(tx *store.Tx) (err error) {
			facts, err = complaint.FactSource{}.Facts(ctx, tx, assessment.FactQuery{UnitID: f.area.ParentID,
				From: at("2026-10-01 00:00").UTC(), To: at("2026-11-01 00:00").UTC(), Names: []string{"complaints_major"}})
			return err
		})
		if err != nil || len(facts) != 1 || facts[0].Value != 2 {
			t.Errorf("company facts = %+v, %v", facts, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPublicRateLimitAndTracking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-03-02 10:00")
		in := complaint.Input{UnitID: f.area.ID, Category: complaint.Delay, Complainant: "王", Contact: "13800001111", Description: "电梯坏了一周"}
		var first complaint.Complaint
		for i := range complaint.PublicLimit {
			c, err := complaint.RegisterPublic(ctx, db, in, complaint.Sender{ClientKey: "client-a"})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = c
			}
		}
		if _, err := complaint.RegisterPublic(ctx, db, in, complaint.Sender{ClientKey: "client-a"}); !errs.Is(err, errs.TooMany) {
			t.Errorf("sixth submission: %v", err)
		}
		if _, err := complaint.RegisterPublic(ctx, db, in, complaint.Sender{ClientKey: "client-b"}); err != nil {
			t.Errorf("another client: %v", err)
		}
		// 玫瑰区 is not flagged as serving the public: the public form refuses it by its field
		// (the desk may still register a complaint about it).
		other := in
		other.UnitID = f.area2.ID
		if _, err := complaint.RegisterPublic(ctx, db, other, complaint.Sender{ClientKey: "client-c"}); errs.As(err) == nil || errs.As(err).Key != "complaint.unit_not_public" || errs.As(err).Field != "unit_id" {
			t.Errorf("a unit that does not serve the public: %v", err)
		}
		v, err := complaint.Track(ctx, db, "  "+first.TrackingCode[3:7]+first.TrackingCode[8:])
		if err != nil || v.TrackingCode != first.TrackingCode || v.Status != complaint.Registered {
			t.Errorf("Track = %+v, %v", v, err)
		}
		if _, err := complaint.Track(ctx, db, "TS-AAAA-AAAA"); errs.As(err).Key != "complaint.code_unknown" {
			t.Errorf("unknown code: %v", err)
		}
	})
}

func mustCalendar(t testing.TB, db *store.DB) *calendar.Calendar {
	t.Helper()
	var cal *calendar.Calendar
	if err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		cal, err = calendar.Load(context.Background(), tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestResponseCode: the tracking code, which staff see, only reads; confirming or rejecting
// a solution needs the response code shown once at registration and stored only hashed.
// Complaints from before response codes are answered through the desk.
func TestResponseCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-03-02 10:00")
		c := f.register(t, complaint.Input{})
		if !regexp.MustCompile(`^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$`).MatchString(c.ResponseCode) {
			t.Fatalf("response code %q", c.ResponseCode)
		}
		code := c.ResponseCode
		var stored string
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT response_hash FROM complaints WHERE id = ?", c.ID).Scan(&stored)
		})
		if stored == "" || strings.Contains(stored, strings.ReplaceAll(code, "-", "")) {
			t.Fatalf("response code stored as %q", stored)
		}
		if d, _ := complaint.Get(ctx, db, clerk, c.ID); d.ResponseCode != "" {
			t.Fatal("staff see the response code after registration")
		}
		f.act(t, c.ID, complaint.Action{Verb: complaint.Reply, Text: "收到"})
		f.act(t, c.ID, complaint.Action{Verb: complaint.Resolve, Text: "已处理"})
		for _, tt := range []struct{ response, key string }{
			{"", "err.required"},
			{c.TrackingCode, "complaint.response_code_wrong"},
			{"AAAA-AAAA-AAAA", "complaint.response_code_wrong"},
		} {
			err := complaint.Respond(ctx, db, c.TrackingCode, tt.response, true, "")
			if e := errs.As(err); e.Field != "response_code" || e.Key != tt.key {
				t.Errorf("Respond with response code %q = %v, want %s on response_code", tt.response, err, tt.key)
			}
		}
		if v, _ := complaint.Track(ctx, db, c.TrackingCode); v.Status != complaint.Resolved || !v.Answerable {
			t.Fatalf("after refused answers: %+v", v)
		}
		// Typed in lower case without dashes, the right code confirms.
		if err := complaint.Respond(ctx, db, c.TrackingCode, strings.ToLower(strings.ReplaceAll(code, "-", " ")), true, ""); err != nil {
			t.Fatal(err)
		}
		if v, _ := complaint.Track(ctx, db, c.TrackingCode); v.Status != complaint.Confirmed {
			t.Fatalf("status after confirming %s", v.Status)
		}

		// A complaint registered before response codes: read-only online, answered by the desk.
		old := f.register(t, complaint.Input{})
		db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE complaints SET response_hash = '' WHERE id = ?", old.ID)
			return err
		})
		f.act(t, old.ID, complaint.Action{Verb: complaint.Reply, Text: "收到"})
		f.act(t, old.ID, complaint.Action{Verb: complaint.Resolve, Text: "已处理"})
		if v, err := complaint.Track(ctx, db, old.TrackingCode); err != nil || v.Answerable {
			t.Fatalf("old complaint: %+v, %v", v, err)
		}
		if err := complaint.Respond(ctx, db, old.TrackingCode, old.TrackingCode, true, ""); errs.As(err).Key != "complaint.answer_by_desk" {
			t.Fatalf("old complaint answered online: %v", err)
		}
		if c := f.act(t, old.ID, complaint.Action{Verb: complaint.Confirm}); c.Status != complaint.Confirmed {
			t.Fatalf("the desk cannot record the answer: %s", c.Status)
		}
	})
}

// TestPublicIdempotency: a resubmitted public form returns the first complaint with the same
// codes and stores nothing more; it does not count against the client's hourly limit.
func TestPublicIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-03-02 10:00")
		in := complaint.Input{UnitID: f.area.ID, Category: complaint.Delay, Complainant: "王", Description: "电梯坏了一周"}
		sender := complaint.Sender{ClientKey: "client-a", Limit: 2, IdemKey: "0123456789abcdef0123456789abcdef"}
		first, err := complaint.RegisterPublic(ctx, db, in, sender)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			again, err := complaint.RegisterPublic(ctx, db, in, sender)
			if err != nil || again.ID != first.ID || again.TrackingCode != first.TrackingCode || again.ResponseCode != first.ResponseCode {
				t.Fatalf("retry = %+v, %v; want the first complaint %d with its codes", again, err, first.ID)
			}
		}
		// A key too short to derive a secret from is not used: two complaints.
		weak := complaint.Sender{ClientKey: "client-a", Limit: 2, IdemKey: "1"}
		if c, err := complaint.RegisterPublic(ctx, db, in, weak); err != nil || c.ID == first.ID {
			t.Fatalf("weak key: %+v, %v", c, err)
		}
		var n int
		db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM complaints").Scan(&n) })
		if n != 2 {
			t.Fatalf("%d complaints stored, want 2", n)
		}
		// The configured limit holds: a third different form from the client is refused.
		if _, err := complaint.RegisterPublic(ctx, db, in, complaint.Sender{ClientKey: "client-a", Limit: 2}); !errs.Is(err, errs.TooMany) {
			t.Fatalf("third complaint within the limit of 2: %v", err)
		}
	})
}
