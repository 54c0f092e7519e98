package mda

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

const portal404 = `<!DOCTYPE html><html><head><title>Microsoft Defender for Cloud Apps</title>
<script>window.CONSOLE_CONSTANTS = { DATA_CENTER_NAME: 'US3', TENANT_ID: 123 };</script>
<style>.x{color:red}</style></head>
<body><div class="error-page"><div class="code">404</div><div class="text">Page not found</div></div>
<script src="/static/app.js"></script></body></html>`

func TestAPIError_403NamesThePermission(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]any{"detail": "Insufficient role based permissions"})
	})
	e := newEntra(t)
	c, _, _ := testClient(t, srv.URL, withEntra(e))
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if !IsForbidden(err) {
		t.Fatalf("err = %v, want 403", err)
	}
	mustEqual(t, "Error()", err.Error(),
		"create IP range: HTTP 403 Forbidden: Insufficient role based permissions (grant the application the MDA permission Settings.manage or Investigation.manage)")
	var apiErr *APIError
	errors.As(err, &apiErr)
	mustEqual(t, "Route", apiErr.Route, "POST /api/v1/subnet/create_rule/")
	mustEqual(t, "Permission", apiErr.Permission, "Settings.manage or Investigation.manage")
	mustEqual(t, "requests", srv.count(), 1)
}

func TestAPIError_403WithALegacyTokenNamesTheOwnersRole(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]any{"detail": "Insufficient role based permissions"})
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if !strings.Contains(err.Error(), "the token's owner needs an MDA role that allows Settings.read or Investigation.read") {
		t.Errorf("err = %q", err)
	}
}

func TestAPIError_bodies(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body     string
		status                      int
		wantMessage, wantCode       string
		wantField, wantErrorContain string
	}{
		{
			name: "JSON detail", status: 404, contentType: "application/json",
			body:        `{"detail": "tenant not found"}`,
			wantMessage: "tenant not found", wantErrorContain: "delete IP range: HTTP 404 Not Found: tenant not found",
		},
		{
			name: "form-style field errors", status: 400, contentType: "application/json",
			body: `{"name": [{"error": "Name already exists", "errorMessageCode": "CONSOLE_FORMS_DUPLICATE_NAME", "errorMessageParams": {"value": "x"}}],
			        "subnets": [{"error": "Overlapping range", "errorMessageCode": "CONSOLE_FORMS_OVERLAP"}], "error": true}`,
			wantMessage: "name: Name already exists; subnets: Overlapping range", wantCode: "CONSOLE_FORMS_DUPLICATE_NAME", wantField: "name",
			wantErrorContain: "(code CONSOLE_FORMS_DUPLICATE_NAME)",
		},
		{
			name: "form-style with the empty key", status: 400, contentType: "application/json",
			body:        `{"": [{"error": "abc is not valid", "errorMessageCode": "CONSOLE_FORMS_NOT_VALID_VALUE"}], "error": true}`,
			wantMessage: "abc is not valid", wantCode: "CONSOLE_FORMS_NOT_VALID_VALUE",
		},
		{
			name: "errors list", status: 400, contentType: "application/json",
			body:        `{"errors": [{"error": "first"}, {"error": "second"}]}`,
			wantMessage: "first; second",
		},
		{
			name: "portal HTML 404", status: 404, contentType: "text/html; charset=utf-8", body: portal404,
			wantMessage: "404 Page not found", wantErrorContain: "check that the portal URL",
		},
		{
			name: "portal HTML 500", status: 500, contentType: "text/html",
			body:        "<html><body><h1>500</h1><p>Internal error</p><p>If the problem persists, contact support.</p></body></html>",
			wantMessage: "500 Internal error If the problem persists, contact support.",
		},
		{
			name: "empty body", status: 502, body: "",
			wantMessage: "Bad Gateway", wantErrorContain: "delete IP range: HTTP 502 Bad Gateway",
		},
		{
			name: "plain text", status: 400, contentType: "text/plain", body: "  bad\n\n request  ",
			wantMessage: "bad request",
		},
		{
			name: "JSON string", status: 400, contentType: "application/json", body: `"nope"`,
			wantMessage: "nope",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.Header().Set("X-Request-Id", "req-42")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
			err := c.DeleteSubnet(context.Background(), "5fd767259cd24bb563567d7c")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %#v, want an APIError", err)
			}
			mustEqual(t, "StatusCode", apiErr.StatusCode, tc.status)
			mustEqual(t, "Message", apiErr.Message, tc.wantMessage)
			mustEqual(t, "Code", apiErr.Code, tc.wantCode)
			mustEqual(t, "Field", apiErr.Field, tc.wantField)
			mustEqual(t, "RequestID", apiErr.RequestID, "req-42")
			mustEqual(t, "Route", apiErr.Route, "DELETE /api/v1/subnet/{id}/")
			if !strings.Contains(err.Error(), tc.wantErrorContain) {
				t.Errorf("Error() = %q, want it to contain %q", err, tc.wantErrorContain)
			}
			if strings.Contains(err.Error(), "DATA_CENTER_NAME") {
				t.Errorf("Error() kept the page's script: %q", err)
			}
		})
	}
}

func TestAPIError_hugeHTMLIsCapped(t *testing.T) {
	body := "<html><body>" + strings.Repeat("<p>lorem ipsum dolor</p>", 10000) + "</body></html>"
	msg, _, _ := parseErrorBody("text/html", []byte(body)[:maxErrorBody])
	if n := len([]rune(msg)); n > maxMessage+1 {
		t.Errorf("message has %d runes, want at most %d", n, maxMessage+1)
	}
	if !strings.HasSuffix(msg, "…") {
		t.Errorf("a cut message should end in an ellipsis: %q", msg)
	}
}

func TestAPIError_redirectIsNotFollowed(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://login.example.com/", http.StatusFound)
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err == nil || !strings.Contains(err.Error(), "redirected") || !strings.Contains(err.Error(), "portal URL") {
		t.Fatalf("err = %v, want a redirect error that points at the portal URL", err)
	}
	mustEqual(t, "requests", srv.count(), 1)
}

func TestAPIError_429SaysWhatHappened(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "12")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"detail": "Request was throttled. Expected available in 12 seconds."})
	})
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if !IsThrottled(err) {
		t.Fatalf("err = %v, want throttled", err)
	}
	var apiErr *APIError
	errors.As(err, &apiErr)
	mustEqual(t, "RetryAfter", apiErr.RetryAfter.String(), "12s")
	if !strings.Contains(err.Error(), "30 requests per minute") {
		t.Errorf("Error() = %q", err)
	}
}

func TestErrorPredicates(t *testing.T) {
	wrap := func(status int) error {
		return &AmbiguousError{Operation: "x", Err: &APIError{StatusCode: status}}
	}
	gone := &APIError{StatusCode: 404, Message: "Not found.", objectRoute: true, jsonBody: true}
	if !IsNotFound(&AmbiguousError{Operation: "x", Err: gone}) || IsNotFound(wrap(404)) || IsNotFound(wrap(403)) || !IsNotFound(ErrNotFound) {
		t.Error("IsNotFound")
	}
	if !IsThrottled(wrap(429)) || !IsForbidden(wrap(403)) || !IsUnauthorized(wrap(401)) || !IsMethodNotAllowed(wrap(405)) {
		t.Error("status predicates")
	}
	if !IsAmbiguous(wrap(503)) || IsAmbiguous(&APIError{StatusCode: 503}) || IsAmbiguous(nil) {
		t.Error("IsAmbiguous")
	}
}

// TestIsNotFound_onlyFromEvidence sends each kind of 404 (and its neighbours) to an
// object's own route and to a list route: only MDA's JSON 404 from the object's route
// says the object is gone, and every other answer names the portal URL.
func TestIsNotFound_onlyFromEvidence(t *testing.T) {
	const jsonType, htmlType = "application/json", "text/html; charset=utf-8"
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		onObject, onList        bool // IsNotFound for DELETE /subnet/{id}/ and POST /subnet/
		wantHint                string
	}{
		{name: "JSON not found", status: 404, contentType: jsonType, body: `{"detail": "Not found."}`, onObject: true,
			wantHint: "says nothing about any object"},
		{name: "tenant not found", status: 404, contentType: jsonType, body: `{"detail": "tenant not found"}`,
			wantHint: "serves no such tenant"},
		{name: "HTML page", status: 404, contentType: htmlType, body: portal404, wantHint: "answered with a web page"},
		{name: "empty body", status: 404, wantHint: "says nothing about any object"},
		{name: "plain text", status: 404, contentType: "text/plain", body: "404 page not found", wantHint: "says nothing about any object"},
		{name: "401", status: 401, contentType: jsonType, body: `{"detail": "Invalid token"}`},
		{name: "403", status: 403, contentType: jsonType, body: `{"detail": "Insufficient role based permissions"}`},
		{name: "500", status: 500, contentType: htmlType, body: "<html><body>500 Internal error</body></html>"},
		{name: "503", status: 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
			delErr := c.DeleteSubnet(context.Background(), "5fd767259cd24bb563567d7c")
			_, listErr := c.ListSubnets(context.Background(), SubnetQuery{})
			if delErr == nil || listErr == nil {
				t.Fatalf("delete: %v, list: %v; want errors", delErr, listErr)
			}
			mustEqual(t, "IsNotFound on the object's route", IsNotFound(delErr), tc.onObject)
			mustEqual(t, "IsNotFound on the list route", IsNotFound(listErr), tc.onList)
			if tc.wantHint == "" {
				return
			}
			if !strings.Contains(listErr.Error(), tc.wantHint) || !strings.Contains(listErr.Error(), `portal URL "`+srv.URL+`"`) {
				t.Errorf("list error = %q, want %q and the portal URL", listErr, tc.wantHint)
			}
			if !tc.onObject && !strings.Contains(delErr.Error(), srv.URL) {
				t.Errorf("delete error = %q, want the portal URL", delErr)
			}
		})
	}
}

func TestIsNotFound_alertRoute(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
	})
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	_, err := c.GetAlert(context.Background(), "5fd767259cd24bb563567d7c")
	if !IsNotFound(err) {
		t.Errorf("GET /v1/alerts/{id}/ answered a JSON 404: err = %v, want not found", err)
	}
}

// A form-error body repeats the field name for every entry: 2 000 entries under a long
// key must not grow into a message of megabytes.
func TestParseErrorBody_formErrorsAreCapped(t *testing.T) {
	key := strings.Repeat("k", 20000)
	entries := strings.Repeat(`{"error":"bad"},`, 2000)
	body := `{"` + key + `":[` + strings.TrimSuffix(entries, ",") + `],"error":true}`
	msg, _, field := parseErrorBody("application/json", []byte(body))
	if field != key {
		t.Fatalf("field = %.20q…, want the key", field)
	}
	if n := utf8.RuneCountInString(msg); n > maxJSONMessage+1 {
		t.Fatalf("message has %d runes, want at most %d", n, maxJSONMessage+1)
	}
}
