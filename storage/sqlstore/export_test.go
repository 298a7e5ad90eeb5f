package sqlstore

import (
	"time"
)

// HotQuery is a lookup the services make on the request path; TestExplain
// checks that its plan finds rows through an index, and the benchmarks
// run the same text as the raw prepared statement.
type HotQuery struct {
	Name  string
	Query string // written with ? placeholders
	Args  func(d Dialect) []any
}

func args(a ...any) func(Dialect) []any { return func(Dialect) []any { return a } }

var explainTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// HotQueries lists the hot lookups. A file that adds a Store appends its
// own in an init function of its own _test.go file in this package.
var HotQueries = []HotQuery{
	{"profile by id", queryProfileByID, args("prf_1")},
	{"account by id", queryAccountByID, args("acc_1")},
	{"account by email", queryAccountByEmail, args("ada@example.com")},
	{"accounts of profile", queryAccountsOfProfile, args("prf_1")},
	{"code of flow", queryCodeOfFlow, args("signup", "flow_1")},
	{"sends since", querySendsSince, func(d Dialect) []any {
		return []any{"ada@example.com", d.timeArg(explainTime)}
	}},
	{"history page", queryHistoryPage, args("prf_1", 10, 0)},
	{"history after", queryHistoryAfter, func(d Dialect) []any {
		return []any{"prf_1", d.timeArg(explainTime), "his_1", 256}
	}},
	{"watched apps", queryWatchedApps, args("prf_1")},
	{"digest subscribers after", queryDigestAfter, args("prf_1", 256)},
}

// QueryAccountByEmail and QueryCodeOfFlow are the hot lookups the
// benchmarks compare with their raw prepared statements.
const (
	QueryAccountByEmail = queryAccountByEmail
	QueryCodeOfFlow     = queryCodeOfFlow
)

// Rebind rewrites ? placeholders for the dialect.
func Rebind(d Dialect, query string) string { return d.Rebind(query) }

// Classify names the kind of a driver error: "unique", "foreign_key",
// "retry" or "other".
func Classify(err error) string {
	switch classify(err) {
	case kindUnique:
		return "unique"
	case kindForeignKey:
		return "foreign_key"
	case kindRetry:
		return "retry"
	case kindNoTable:
		return "no_table"
	case kindDown:
		return "down"
	}
	return "other"
}

// Translate exposes translate.
var Translate = translate
