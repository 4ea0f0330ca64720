package connectortest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// LogExchange logs a webhook delivery and what the connector sent the platform as a result,
// bodies included, for the record of a walk-through (go test -v -run Walkthrough). Header
// values named in secret are masked, as are the token-bearing parts of URLs.
func LogExchange(t testing.TB, in *http.Request, inBody []byte, status int, out []Call, secret ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("\n>>> platform → connector\n")
	b.WriteString(in.Method + " " + in.URL.Path + "\n")
	writeHeaders(&b, in.Header, secret)
	b.WriteString(pretty(inBody) + "\n")
	b.WriteString("<<< connector answers " + strconv.Itoa(status) + " " + http.StatusText(status) + "\n")
	for _, c := range out {
		b.WriteString("\n>>> connector → platform API\n")
		q, _ := url.ParseQuery(c.Query)
		for k := range q {
			if slices.Contains(secret, k) {
				q.Set(k, "****")
			}
		}
		path := c.Path
		for _, s := range secret {
			if strings.HasPrefix(s, "path:") {
				path = strings.ReplaceAll(path, strings.TrimPrefix(s, "path:"), "****")
			}
		}
		line := c.Method + " " + path
		if len(q) > 0 {
			line += "?" + strings.ReplaceAll(q.Encode(), "%2A%2A%2A%2A", "****")
		}
		b.WriteString(line + "\n")
		writeHeaders(&b, c.Header, secret)
		body := c.Body
		if strings.HasPrefix(c.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			form, _ := url.ParseQuery(body)
			for k := range form {
				if slices.Contains(secret, k) {
					form.Set(k, "****")
				}
			}
			body = form.Encode()
		}
		b.WriteString(pretty([]byte(body)) + "\n")
	}
	t.Log(b.String())
}

func writeHeaders(b *strings.Builder, h http.Header, secret []string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		if k == "Content-Length" || k == "Accept-Encoding" || k == "User-Agent" {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := h.Get(k)
		if slices.ContainsFunc(secret, func(s string) bool { return strings.EqualFold(s, k) }) {
			v = "****"
		}
		b.WriteString(k + ": " + v + "\n")
	}
}

func pretty(body []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, body, "", "  ") == nil {
		return out.String()
	}
	return string(body)
}
