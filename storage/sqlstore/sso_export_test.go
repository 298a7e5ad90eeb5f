package sqlstore

// The single-sign-on lookups on the request path: the company of an
// address (every password flow) and the account of an identity (every
// single sign-on).
func init() {
	HotQueries = append(HotQueries,
		HotQuery{"sso connection by domain", queryConnectionByDomain, args("acme.example")},
		HotQuery{"account by sso subject", queryAccountBySubject, args("acme", "sub-1")},
	)
}
