package sqlstore

// The security log's hot lookups: its pages, newest first, and the
// retention job's batch of the oldest events.
func init() {
	HotQueries = append(HotQueries,
		HotQuery{"security log first page", querySecurityFirst, args("prf_1", 51)},
		HotQuery{"security log page before", querySecurityBefore, func(d Dialect) []any {
			return []any{"prf_1", d.timeArg(explainTime), "sev_1", 51}
		}},
		HotQuery{"security log after", querySecurityAfter, func(d Dialect) []any {
			return []any{"prf_1", d.timeArg(explainTime), "sev_1", 256}
		}},
		HotQuery{"security log retention batch", querySecurityRetention, func(d Dialect) []any {
			return []any{d.timeArg(explainTime), 1000}
		}},
	)
}
