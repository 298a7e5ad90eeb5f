package storagetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/personaldata"
)

// Catalogue is what CoverageProblems needs of an adapter: the kinds of
// record it stores, found in the adapter's own schema (the tables of the
// database catalogue, the maps of an in-memory store), never through the
// Store methods, so that a kind no Store method reaches is still seen.
// An adapter's test implements it; the Store itself does not.
type Catalogue interface {
	// Kinds names every kind of record the adapter stores: every table.
	Kinds(ctx context.Context) ([]string, error)
	// Count returns how many records of the kind refer to one of keys:
	// hold one of them, compared case-insensitively, as a whole value in
	// any column or field.
	Count(ctx context.Context, kind string, keys []string) (int, error)
	// Hide makes the records of the kind that refer to one of keys
	// invisible to the Store until restore is called. It leaves every
	// other record as it is, but may hide those of the same keys in
	// kinds that index the kind or that it indexes, to keep the store
	// consistent.
	Hide(ctx context.Context, kind string, keys []string) (restore func() error, err error)
}

// CoveragePolicy names the kinds of record an adapter's test exempts
// from parts of CoverageProblems, each with its reason. CoverageProblems
// checks that the exemptions still hold, so the lists cannot go stale.
type CoveragePolicy struct {
	// Unfilled kinds hold no record FillPerson makes: they hold no
	// personal data (migration bookkeeping), or records the fixture
	// cannot make.
	Unfilled map[string]string
	// NotExported kinds hold records of a person that the export leaves
	// out on purpose (digests, short-lived requests, the other side's
	// addresses). Erasure must still delete them.
	NotExported map[string]string
}

// CoverageProblems checks through cat that every kind of record the
// adapter stores is wired into the personal data catalogue (package
// personaldata, as NewWorld wires it over st). person and other were
// stored with FillPerson (and whatever else the test adds); person is
// erased on the way. It returns the problems found, one sentence each:
//
//   - a kind holds no record of person, unless pol.Unfilled lists it (a
//     new kind must be filled by FillPerson, or the test cannot see it);
//   - hiding person's records of a kind leaves person's export as it
//     was, unless pol.NotExported lists it (and then it must);
//   - after personaldata.Service.Erase of person a kind still holds a
//     record of person, or holds fewer records of other than before.
//
// A problem of the adapter's mechanics (a failed query) ends the test.
func CoverageProblems(t testing.TB, st ErasureStore, cat Catalogue, pol CoveragePolicy, person, other Person) []string {
	t.Helper()
	ctx := context.Background()
	w := NewWorld(t, st)
	w.owners.remember = true // the person stays the caller while their accounts are hidden
	kinds, err := cat.Kinds(ctx)
	if err != nil {
		t.Fatalf("Kinds: %v", err)
	}
	problems := stalePolicy(kinds, pol)
	export, err := exportOf(ctx, w, person)
	if err != nil {
		t.Fatalf("ExportJSON: %v", err)
	}
	otherBefore := map[string]int{}
	for _, k := range kinds {
		otherBefore[k] = countOf(t, cat, k, other)
		_, unfilled := pol.Unfilled[k]
		switch n := countOf(t, cat, k, person); {
		case n == 0 && !unfilled:
			problems = append(problems, fmt.Sprintf("%s: holds no record of the person: fill it in storagetest.FillPerson", k))
		case n > 0 && unfilled:
			problems = append(problems, fmt.Sprintf("%s: exempted as unfilled, but holds %d records of the person", k, n))
		case n > 0:
			problems = append(problems, exportProblem(t, w, cat, k, person, export, pol)...)
		}
	}
	if again, err := exportOf(ctx, w, person); err != nil || !bytes.Equal(again, export) {
		t.Fatalf("the export changed after every kind was restored (%v): Catalogue.Hide's restore is incomplete", err)
	}
	if err := w.PersonalData.Erase(ctx, person.Caller()); err != nil {
		t.Fatalf("Erase: %v", err)
	}
	for _, k := range kinds {
		if n := countOf(t, cat, k, person); n > 0 {
			problems = append(problems, fmt.Sprintf("%s: keeps %d records of the erased person: erase them in a personaldata source", k, n))
		}
		if n := countOf(t, cat, k, other); n != otherBefore[k] {
			problems = append(problems, fmt.Sprintf("%s: holds %d records of the other person after the erasure, %d before", k, n, otherBefore[k]))
		}
	}
	slices.Sort(problems)
	return problems
}

// stalePolicy reports the exemptions of kinds the adapter does not store.
func stalePolicy(kinds []string, pol CoveragePolicy) []string {
	var out []string
	for _, list := range []map[string]string{pol.Unfilled, pol.NotExported} {
		for k := range list {
			if !slices.Contains(kinds, k) {
				out = append(out, fmt.Sprintf("%s: exempted by the policy, but the adapter does not store it", k))
			}
		}
	}
	return out
}

// countOf returns how many records of kind refer to p.
func countOf(t testing.TB, cat Catalogue, kind string, p Person) int {
	t.Helper()
	n, err := cat.Count(context.Background(), kind, p.Keys())
	if err != nil {
		t.Fatalf("Count(%s): %v", kind, err)
	}
	return n
}

// exportProblem hides the person's records of kind and reports whether
// the export, before that, changed as the policy says it must.
func exportProblem(t testing.TB, w *World, cat Catalogue, kind string, p Person, before []byte, pol CoveragePolicy) []string {
	t.Helper()
	ctx := context.Background()
	restore, err := cat.Hide(ctx, kind, p.Keys())
	if err != nil {
		t.Fatalf("Hide(%s): %v", kind, err)
	}
	after, err := exportOf(ctx, w, p)
	if rerr := restore(); rerr != nil {
		t.Fatalf("restoring %s: %v", kind, rerr)
	}
	if err != nil && !errors.Is(err, personaldata.ErrNotFound) {
		t.Fatalf("ExportJSON with %s hidden: %v", kind, err)
	}
	// An export refused for want of the kind's records depends on them.
	changed := err != nil || !bytes.Equal(before, after)
	_, exempt := pol.NotExported[kind]
	switch {
	case !changed && !exempt:
		return []string{fmt.Sprintf("%s: the export does not show the person's records: collect them in a personaldata source", kind)}
	case changed && exempt:
		return []string{fmt.Sprintf("%s: exempted as not exported, but the export shows the person's records", kind)}
	}
	return nil
}

// exportOf returns p's personal-data.json without exported_at, which
// changes with every export.
func exportOf(ctx context.Context, w *World, p Person) ([]byte, error) {
	var buf bytes.Buffer
	if err := w.PersonalData.ExportJSON(ctx, p.Caller(), &buf); err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("the export is not JSON: %w", err)
	}
	delete(doc, "exported_at")
	return json.Marshal(doc)
}

// WantNewKindsCaught fails t unless problems are exactly what
// CoverageProblems reports when the adapter stores two kinds more than
// the personal data catalogue knows: unwired, holding one record of the
// person that no source exports or erases, and unfilled, holding none.
// An adapter's test uses it to show that its Catalogue sees a new table.
func WantNewKindsCaught(t testing.TB, problems []string, unwired, unfilled string) {
	t.Helper()
	want := []string{
		unwired + ": keeps 1 records of the erased person",
		unwired + ": the export does not show the person's records",
		unfilled + ": holds no record of the person",
	}
	ok := len(problems) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(problems[i], want[i])
	}
	if !ok {
		t.Errorf("problems = %q,\nwant three starting with %q", problems, want)
	}
}
