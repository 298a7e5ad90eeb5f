package auth

import "strings"

// DeviceLabel returns a short, human label for a User-Agent header, such
// as "Chrome on Windows" or "curl": the browser (or tool) and the
// operating system it names. It recognises the common browsers and
// command-line clients and answers "Unknown device" for the rest; it is a
// label for people, never an input to a security decision.
func DeviceLabel(userAgent string) string {
	ua := strings.TrimSpace(userAgent)
	if ua == "" {
		return "Unknown device"
	}
	for _, tool := range []struct{ prefix, name string }{
		{"curl/", "curl"}, {"Wget/", "Wget"}, {"Go-http-client/", "Go HTTP client"},
		{"python-requests/", "Python requests"}, {"HTTPie/", "HTTPie"}, {"PostmanRuntime/", "Postman"},
	} {
		if strings.HasPrefix(ua, tool.prefix) {
			return tool.name
		}
	}
	browser := firstMatch(ua, []struct{ token, name string }{
		// Order matters: Edge and Opera also say Chrome; Chrome also says
		// Safari.
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"},
		{"HeadlessChrome/", "Headless Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	})
	system := firstMatch(ua, []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
	})
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "Browser on " + system
	}
	return "Unknown device"
}

func firstMatch(ua string, table []struct{ token, name string }) string {
	for _, e := range table {
		if strings.Contains(ua, e.token) {
			return e.name
		}
	}
	return ""
}
