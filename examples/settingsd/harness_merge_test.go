package main

// The merges of the fault mix: pairs of people, one of each merging the
// other's profile into its own through the API (start, the mailed code,
// verify, commit) while a fault happens, and the checker's part that
// says no merge is left half done.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mergePair is one merge of the mix: into, signed in, merges the profile
// of from into its own. Both profiles get community points and their
// history is counted before the mix, so that the checker knows what each
// side must hold, merged or not.
type mergePair struct {
	into, from               *user
	intoProfile, fromProfile string
	points                   [2]int64 // into's and from's, as seeded
	history                  [2]int   // entries in into's and from's history before the merge

	mu    sync.Mutex
	flow  string // the flow's id, once started
	acked bool   // the commit answered 200
	end   string // the last answer of each step, as "start 201, code 202, …"
	body  string // the last answer that was no success, for the log
}

// note records the answers of a step ("commit 503→200") and the body of
// the last when it is no success.
func (p *mergePair) note(answers string, status int, raw []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.end != "" {
		p.end += ", "
	}
	p.end += answers
	if status < 200 || status >= 300 {
		p.body = fmt.Sprintf("%s: %.100s", answers, raw)
	}
}

// state returns the flow's id, whether the commit was acknowledged and
// the answers of its steps (with the body of the last failure).
func (p *mergePair) state() (flow string, acked bool, story string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	story = p.end
	if p.body != "" {
		story += " (" + p.body + ")"
	}
	return p.flow, p.acked, story
}

// seedMerges signs up the n pairs of a merge mix through the API (the
// one who merges also signs in), then gives each profile its points
// (us_progress: the API has no route that writes progress) and counts
// its history.
func (tg *target) seedMerges(t *testing.T, d *daemon, n int) []*mergePair {
	t.Helper()
	pairs := make([]*mergePair, n)
	var all []*user
	for i := range pairs {
		p := &mergePair{
			into: &user{email: fmt.Sprintf("merge%03d-into@example.com", i), password: "Correct-Horse-9-Battery",
				ip: fmt.Sprintf("203.0.113.%d", (2*i)%250+1)},
			from: &user{email: fmt.Sprintf("merge%03d-from@example.com", i), password: "Correct-Horse-9-Battery",
				ip: fmt.Sprintf("203.0.113.%d", (2*i+1)%250+1)},
			points: [2]int64{int64(10 * (i + 1)), int64(1000 + i)},
		}
		pairs[i] = p
		all = append(all, p.into, p.from)
	}
	tg.seed(t, all, func(u *user) error {
		if err := u.register(t, d, tg.mail); err != nil {
			return err
		}
		if strings.HasSuffix(u.email, "-into@example.com") {
			return u.signIn(d)
		}
		return nil
	})
	db := tg.openDB(t)
	defer db.Close()
	for _, p := range pairs {
		for i, u := range []*user{p.into, p.from} {
			var profileID string
			if err := db.QueryRow(tg.q(`SELECT profile_id FROM us_accounts WHERE email = ?`), u.email).Scan(&profileID); err != nil {
				t.Fatalf("account %s: %v", u.email, err)
			}
			if _, err := db.Exec(tg.q(`INSERT INTO us_progress (profile_id, points) VALUES (?, ?)
				ON CONFLICT (profile_id) DO UPDATE SET points = excluded.points`), profileID, p.points[i]); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(tg.q(`SELECT count(*) FROM us_history WHERE profile_id = ?`), profileID).Scan(&p.history[i]); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				p.intoProfile = profileID
			} else {
				p.fromProfile = profileID
			}
		}
	}
	return pairs
}

// mergeStep sends one step of p's merge as p.into, again while the
// server answers 503 or not at all, until the deadline, and returns the
// last answer. Every answer is counted in the ledger and passed to seen
// (when not nil).
func (l *ledger) mergeStep(base func() string, p *mergePair, step, method, path string, body any, until time.Time, seen func(int)) (int, []byte) {
	var tries []string
	for {
		s, raw := do(base(), method, path, p.into, p.into.session, body)
		l.answered(s, raw)
		if seen != nil {
			seen(s)
		}
		tries = append(tries, strconv.Itoa(s))
		if (s != 0 && s != http.StatusServiceUnavailable) || time.Now().After(until) {
			p.note(step+" "+strings.Join(tries, "→"), s, raw)
			return s, raw
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// prepareMerge runs p's merge up to its commit: start (naming from's
// address), the code to that address (the first choice, the address
// typed), and its verification. It returns the flow's path, or "" when
// the flow could not go on (noted in p).
func (l *ledger) prepareMerge(base func() string, mail *smtpRecorder, p *mergePair, until time.Time, seen func(int)) string {
	s, raw := l.mergeStep(base, p, "start", "POST", "/v1/me/merges", map[string]any{"email": p.from.email}, until, seen)
	var started struct {
		ID string `json:"id"`
	}
	if s != http.StatusCreated || json.Unmarshal(raw, &started) != nil {
		return ""
	}
	p.mu.Lock()
	p.flow = started.ID
	p.mu.Unlock()
	path := "/v1/me/merges/" + url.PathEscape(started.ID)
	mailed := mail.count(p.from.email)
	if s, _ = l.mergeStep(base, p, "code", "POST", path+"/code", map[string]any{"address": 0}, until, seen); s != http.StatusAccepted {
		return ""
	}
	code, err := mail.codeAfter(p.from.email, mailed, time.Until(until))
	if err != nil {
		p.note("mail 0", 0, []byte(err.Error()))
		return ""
	}
	// A verification whose answer was lost may have used the code up: the
	// commit goes on regardless and finds out whether the flow is
	// verified.
	l.mergeStep(base, p, "verify", "POST", path+"/verify", map[string]any{"code": code}, until, seen)
	return path
}

// commitMerge commits p's verified merge (path from prepareMerge) and
// notes it acknowledged when it answers 200.
func (l *ledger) commitMerge(base func() string, p *mergePair, path string, until time.Time, seen func(int)) int {
	s, _ := l.mergeStep(base, p, "commit", "POST", path+"/commit", nil, until, seen)
	if s == http.StatusOK {
		p.mu.Lock()
		p.acked = true
		p.mu.Unlock()
	}
	return s
}

// mergers runs n goroutines that merge the ledger's pairs one after the
// other, each pausing up to pause between two merges, until every pair
// had its turn or stop is called; stop waits for the merges under way.
func mergers(base func() string, l *ledger, mail *smtpRecorder, n int, pause time.Duration, seen func(int)) (stop func()) {
	done := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				i := int(next.Add(1)) - 1
				if i >= len(l.merges) {
					return
				}
				p := l.merges[i]
				until := time.Now().Add(20 * time.Second)
				if path := l.prepareMerge(base, mail, p, until, seen); path != "" {
					l.commitMerge(base, p, path, until, seen)
				}
				time.Sleep(rand.N(pause))
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

// mergesAcked counts the merges of the ledger whose commit answered 200.
func (l *ledger) mergesAcked() int {
	n := 0
	for _, p := range l.merges {
		if _, acked, _ := p.state(); acked {
			n++
		}
	}
	return n
}

// mergeSummary counts the merges of the ledger by how they ended.
func (l *ledger) mergeSummary() string {
	ends := map[string]int{}
	var failures []string
	acked := 0
	for _, p := range l.merges {
		p.mu.Lock()
		if p.acked {
			acked++
		}
		ends[p.end]++
		if p.body != "" {
			failures = append(failures, p.body)
		}
		p.mu.Unlock()
	}
	return fmt.Sprintf("%d merges, %d acknowledged; steps %v; failures %q", len(l.merges), acked, ends, failures)
}

// mergeUsers returns both people of every pair.
func (l *ledger) mergeUsers() []*user {
	var out []*user
	for _, p := range l.merges {
		out = append(out, p.into, p.from)
	}
	return out
}

// merges checks that no merge of the ledger is left half done. The
// points of all profiles add up to what was seeded (a merge adds them
// up on the surviving profile and deletes the other's). For each pair,
// either its flow is done and everything moved (from's account belongs
// to into's profile, from's profile is gone, into's profile holds the
// sum of the points and both histories plus the merge entry), or it is
// not and nothing did (each account on its own profile, the points and
// history counts as seeded); a commit acknowledged with 200 must be
// done.
func (c *checker) merges(l *ledger) {
	c.t.Helper()
	if len(l.merges) == 0 {
		return
	}
	var seeded int64
	for _, p := range l.merges {
		seeded += p.points[0] + p.points[1]
	}
	var total int64
	c.row(`SELECT COALESCE(sum(points), 0) FROM us_progress`, nil, &total)
	if total != seeded {
		c.fail("the profiles hold %d points in all, %d were seeded", total, seeded)
	}
	for _, p := range l.merges {
		flow, acked, end := p.state()
		state := ""
		if flow != "" {
			c.row(`SELECT state FROM us_merge_flows WHERE id = ?`, []any{flow}, &state)
		}
		var intoAt, fromAt string
		c.row(`SELECT profile_id FROM us_accounts WHERE email = ?`, []any{p.into.email}, &intoAt)
		c.row(`SELECT profile_id FROM us_accounts WHERE email = ?`, []any{p.from.email}, &fromAt)
		fromExists := c.count(`SELECT count(*) FROM us_profiles WHERE id = ?`, p.fromProfile) == 1
		var points [2]int64
		c.row(`SELECT COALESCE(sum(points), 0) FROM us_progress WHERE profile_id = ?`, []any{p.intoProfile}, &points[0])
		c.row(`SELECT COALESCE(sum(points), 0) FROM us_progress WHERE profile_id = ?`, []any{p.fromProfile}, &points[1])
		history := [2]int{
			c.count(`SELECT count(*) FROM us_history WHERE profile_id = ?`, p.intoProfile),
			c.count(`SELECT count(*) FROM us_history WHERE profile_id = ?`, p.fromProfile),
		}
		got := mergeSides{intoAt, fromAt, fromExists, points, history}
		if acked && state != "done" {
			c.fail("merge of %s into %s acknowledged but its flow %q is %q (%s): %+v", p.fromProfile, p.intoProfile, flow, state, end, got)
		}
		if want := mergeAfter(p, state == "done"); got != want {
			c.fail("merge of %s into %s half done: flow %q %q (%s) holds %+v, want %+v", p.fromProfile, p.intoProfile, flow, state, end, got, want)
		}
	}
}

// mergeSides is what the checker reads of a pair.
type mergeSides struct {
	intoAt, fromAt string // the profiles of into's and from's account
	fromExists     bool
	points         [2]int64
	history        [2]int
}

// mergeAfter returns what a pair holds after its merge, or without it.
func mergeAfter(p *mergePair, done bool) mergeSides {
	if !done {
		return mergeSides{p.intoProfile, p.fromProfile, true, p.points, p.history}
	}
	return mergeSides{p.intoProfile, p.intoProfile, false,
		[2]int64{p.points[0] + p.points[1], 0}, [2]int{p.history[0] + p.history[1] + 1, 0}}
}
