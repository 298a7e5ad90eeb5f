package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// BenchmarkProfilePage compares serving the Profile page (session check,
// account and profile reads on the memory store, page data, template)
// with rendering its template from the same data already in memory, and
// reports the ratio as page/template.
func BenchmarkProfilePage(b *testing.B) {
	ctx := context.Background()
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true,
		Scopes: handler.SampleScopes,
		Hasher: password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}}),
	})
	if err != nil {
		b.Fatal(err)
	}
	id, err := s.Accounts.SignUp(ctx, "ada@example.com", "Correct-Horse-9-Battery", false)
	if err != nil {
		b.Fatal(err)
	}
	m, _ := s.Outbox.Last("ada@example.com")
	a, err := s.Accounts.ConfirmSignUp(ctx, id, usersettingstest.MailCode(b, "the sign-up mail", m.Body))
	if err != nil {
		b.Fatal(err)
	}
	name, job, about, skills := "Ada Lovelace", "Analyst", "I write programs for engines.", []string{"Go", "SQL", "Analysis"}
	p, err := s.Profiles.Update(ctx, auth.New(a.ID, auth.MethodPassword, time.Now(), ""), profile.Update{Name: &name, JobTitle: &job, AboutYou: &about, Skills: &skills})
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		b.Fatal(err)
	}
	w := New(s)
	req := httptest.NewRequest(http.MethodGet, "/profile", nil)
	req.AddCookie(&http.Cookie{Name: handler.CookieName, Value: secret.Reveal()})
	pg := &page{Title: "Profile", Nav: "profile", Me: a.Email, CSRF: session.CSRFToken(secret.Reveal()),
		Form: profileForm(p), Data: newProfileData(p)}

	// Warm up and check both produce the page.
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET /profile: %d", rec.Code)
	}
	// The two are timed in turn, one of each per iteration, so that a
	// change of load on the machine weighs on both alike.
	b.ResetTimer()
	var pageTime, tplTime time.Duration
	for range b.N {
		t0 := time.Now()
		w.ServeHTTP(httptest.NewRecorder(), req)
		t1 := time.Now()
		w.render(httptest.NewRecorder(), req, http.StatusOK, "profile", pg)
		pageTime, tplTime = pageTime+t1.Sub(t0), tplTime+time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(pageTime.Nanoseconds())/float64(b.N), "ns/page")
	b.ReportMetric(float64(tplTime.Nanoseconds())/float64(b.N), "ns/template")
	b.ReportMetric(float64(pageTime)/float64(tplTime), "page/template")
}
