package handler

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientIPBehind returns a client-address function for WithClientIP that
// trusts X-Forwarded-For only from the proxies in trusted: when the peer
// is one of them, the client is the rightmost address of the header that
// is not itself a trusted proxy. A peer outside trusted is the client,
// whatever the header says, so a client cannot pick its own rate-limit
// bucket.
func ClientIPBehind(trusted []netip.Prefix) func(*http.Request) string {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		peer := RemoteHost(r)
		addr, err := netip.ParseAddr(peer)
		if err != nil || !isTrusted(addr) {
			return peer
		}
		client := addr
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a forged or broken entry: stop at the last good hop
			}
			client = a.Unmap()
			if !isTrusted(client) {
				break
			}
		}
		return client.String()
	}
}
