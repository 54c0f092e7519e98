package mda

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseErrorBody feeds arbitrary error answers to the error decoder. Whatever MDA,
// a proxy or a crashed portal sends, the message must be valid UTF-8 (it ends up in a
// Terraform diagnostic), and a page or text body must be cut to maxMessage: a 64 KiB
// HTML page must not become the diagnostic. Messages MDA wrote in JSON are cut to the
// longer maxJSONMessage, also when form errors repeat a long field name many times.
func FuzzParseErrorBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		msg, code, field := parseErrorBody(contentType, body)
		for name, s := range map[string]string{"message": msg, "code": code, "field": field} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s %q is not valid UTF-8", name, s)
			}
		}
		trimmed := bytes.TrimSpace(body)
		isJSON := len(trimmed) > 0 && bytes.IndexByte([]byte(`{"[`), trimmed[0]) >= 0
		if isJSON {
			_, _, _, isJSON = parseJSONError(trimmed)
		}
		limit := maxMessage
		if isJSON {
			limit = maxJSONMessage
		}
		if n := utf8.RuneCountInString(msg); n > limit+1 {
			t.Fatalf("message has %d runes, want at most %d (with the ellipsis): %.80q…", n, limit+1, msg)
		}
		e := &APIError{StatusCode: status, Operation: "list IP ranges", Message: msg, Code: code, Field: field,
			htmlPage: isHTML(contentType, body)}
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
		if text := e.Error(); !utf8.ValidString(text) || !strings.HasPrefix(text, "list IP ranges: HTTP ") {
			t.Fatalf("Error() = %q", text)
		}
	})
}
