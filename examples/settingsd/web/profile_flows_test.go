package web_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// TestBrowserProfileFields (issue 22, finding 9): the profile's labels
// come from the one field table, so a field a public profile needs says
// so instead of "(optional)"; the country is a list of names whose
// values are ISO 3166-1 alpha-2 codes, and the public page shows the
// name.
func TestBrowserProfileFields(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.wantPage(b.signIn(ada, pw), 200, "Profile")
	for id, want := range map[string]string{
		"f-name": "Name (optional)", "f-job-title": "Job Title (needed for a public profile)",
		"f-department": "Department (needed for a public profile)", "f-country": "Country of Residence (needed for a public profile)",
		"f-about-you": "About You (needed for a public profile)", "f-skills": "Skills (needed for a public profile)",
		"f-industry-experience": "Industry Experience (needed for a public profile)", "f-twitter-url": "Twitter URL (optional)",
	} {
		if got := strings.Join(strings.Fields(b.text("label[for='"+id+"']")), " "); got != want {
			t.Errorf("label of %s = %q, want %q", id, got, want)
		}
	}
	if tag := eval[string](b, `document.getElementById("f-country").tagName`); tag != "SELECT" {
		t.Fatalf("the country is a %s, want a select", tag)
	}
	if got := eval[string](b, `[...document.querySelectorAll("#f-country option")].find(o => o.value === "NL").textContent`); got != "Netherlands" {
		t.Errorf("the option NL reads %q, want Netherlands", got)
	}
	if n := eval[int](b, `document.querySelectorAll("#f-country option").length`); n != 250 {
		t.Errorf("%d country options, want 249 and none", n)
	}
	b.run("choose the Netherlands", chromedp.SetValue(chromedp.CSS("#f-country"), "NL"))
	res := b.submit("form[action='/profile'] button[type=submit]", "#f-job-title", "Analyst")
	b.wantPage(res, 200, "Profile")
	if got := eval[string](b, `document.getElementById("f-country").value`); got != "NL" {
		t.Fatalf("the saved country shows as %q, want NL selected", got)
	}
	b.page("profile-country")
	p, err := e.settings.Profiles.Get(t.Context(), signedIn(e.settings, e.account(ada).ID))
	if err != nil || p.Country != "NL" {
		t.Fatalf("stored country %q, %v; want NL", p.Country, err)
	}
	// The public page names the country.
	if _, err := e.settings.Profiles.Update(t.Context(), signedIn(e.settings, e.account(ada).ID), publicReady()); err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(writeAvatar(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.settings.Profiles.SetAvatar(t.Context(), signedIn(e.settings, e.account(ada).ID), img); err != nil {
		t.Fatal(err)
	}
	b.visit("/profile")
	b.load("make public", chromedp.Click(chromedp.CSS("form[action='/profile/public'] button")))
	res = b.load("public view", chromedp.Click(chromedp.CSS("a[href^='/people/']")))
	b.wantPage(res, 200, "Ada Lovelace")
	b.wantText("main", "Country of Residence", "Netherlands")
	if strings.Contains(b.text("dl"), "NL") {
		t.Error("the public page shows the code NL")
	}
}

// publicReady sets every text a public profile needs (the country is
// set on the page).
func publicReady() profile.Update {
	name, job, dept, about := "Ada Lovelace", "Analyst", "Engines", "I write programs."
	skills, industries := []string{"Go"}, []string{"Computing"}
	return profile.Update{Name: &name, JobTitle: &job, Department: &dept, AboutYou: &about, Skills: &skills, Industries: &industries}
}
