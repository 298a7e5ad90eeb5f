package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestQuickstartRuns(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), "", &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"refused, missing: [avatar job_title department country about_you skill industry]",
		"valid token      -> 200",
		`mangled token    -> 403 {"error":""}`,
		`deleted token    -> 403 {"error":""}`,
		"defaults: daily digest=false, thread updates=true",
		"merged: name=\"Ada Lovelace\"",
		"wrote personal-data.zip",
		"password sign-up of grace@acme.example -> account: single sign-on required",
		"signed in through the provider: method=sso connection=acme created=true",
		"accounts overview: grace@acme.example company=Acme sso=true",
		"\ndone\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
