package notify

import (
	"html"
	"regexp"
	"strings"
)

// HTML returns the HTML part of the mail: the same content as Body,
// rendered by fixed rules so that it needs nothing stored beside the
// text and its language (the lang attribute, when Language is set).
// Paragraphs (separated by blank lines) become <p>; a paragraph
// whose lines are all indented by four spaces holds codes, keys or
// links, each on its own line, and becomes <code> (or a link); lines
// starting with "- " become a list; http and https addresses become
// links. Everything else is escaped. The page loads nothing: no images,
// no external style sheets, only inline styles.
func (m Message) HTML() string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html")
	if lang := m.languageTag(); lang != "" {
		b.WriteString(` lang="` + lang + `"`)
	}
	b.WriteString("><head><meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width\">\n")
	b.WriteString("<title>" + html.EscapeString(m.Subject) + "</title></head>\n")
	b.WriteString("<body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\r", "\n")
	for _, block := range strings.Split(strings.Trim(body, "\n"), "\n\n") {
		if strings.TrimSpace(block) == "" {
			continue
		}
		writeBlock(&b, strings.Split(strings.Trim(block, "\n"), "\n"))
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// writeBlock writes one paragraph of the text body.
func writeBlock(b *strings.Builder, lines []string) {
	if indented(lines) {
		for _, l := range lines {
			l = strings.TrimSpace(l)
			if webLink.MatchString(l) && webLink.FindString(l) == l {
				b.WriteString("<p>" + anchor(l) + "</p>\n")
				continue
			}
			b.WriteString("<p><code style=\"font-size:1.25em;letter-spacing:0.05em\">" + html.EscapeString(l) + "</code></p>\n")
		}
		return
	}
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + strings.Join(para, "\n") + "</p>\n")
			para = nil
		}
	}
	inList := false
	for _, l := range lines {
		item, isItem := strings.CutPrefix(l, "- ")
		switch {
		case isItem && !inList:
			flush()
			b.WriteString("<ul>\n")
			inList = true
		case !isItem && inList:
			b.WriteString("</ul>\n")
			inList = false
		}
		if isItem {
			b.WriteString("<li>" + linkify(item) + "</li>\n")
		} else {
			para = append(para, linkify(l))
		}
	}
	if inList {
		b.WriteString("</ul>\n")
	}
	flush()
}

// indented reports whether every line starts with four spaces.
func indented(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "    ") || strings.TrimSpace(l) == "" {
			return false
		}
	}
	return true
}

// webLink matches an http or https address up to a space, a quote or an
// angle bracket; a final full stop, comma, colon or semicolon is left
// out.
var webLink = regexp.MustCompile(`https?://[^\s<>"']*[^\s<>"'.,:;)]`)

// linkify escapes s and makes its http and https addresses links.
func linkify(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range webLink.FindAllStringIndex(s, -1) {
		b.WriteString(html.EscapeString(s[last:loc[0]]))
		b.WriteString(anchor(s[loc[0]:loc[1]]))
		last = loc[1]
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}

// anchor is a link to the address u, showing u.
func anchor(u string) string {
	e := html.EscapeString(u)
	return `<a href="` + e + `">` + e + `</a>`
}
