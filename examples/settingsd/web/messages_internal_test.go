package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Every field of every form is named in words in the error summary, not
// by its form name ("recovery_code: …").
func TestSummaryLabelsEveryField(t *testing.T) {
	fieldRE := regexp.MustCompile(`\(field [.$]\w*(?:\.Form)? "(\w+)" "([^"]+)"`)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fieldRE.FindAllStringSubmatch(string(b), -1) {
			seen++
			if got := summaryLabel(m[1]); got == m[1] || strings.Contains(got, "_") || got == "" {
				t.Errorf("%s: field %q (%q) is called %q in the error summary", n, m[1], m[2], got)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found %d fields in the templates, want the forms' fields", seen)
	}
}

func TestWaitMessagesCount(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{signInThrottleMessage(time.Second), "Wait 1 second, then"},
		{signInThrottleMessage(500 * time.Millisecond), "Wait 1 second, then"},
		{signInThrottleMessage(2 * time.Second), "Wait 2 seconds, then"},
		{signInThrottleMessage(10 * time.Minute), "Wait 10 minutes, then"},
		{throttleMessage(3 * time.Minute), "Wait 3 minutes before"},
		{throttleMessage(time.Minute), "Wait a minute before"},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("%q, want %q in it", tc.got, tc.want)
		}
	}
}
