package mda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// maxErrorBody caps how much of an error response is read: the portal's HTML error
	// pages are large, and only their first words matter.
	maxErrorBody = 64 << 10
	// maxMessage caps the message kept from a non-JSON body.
	maxMessage = 300
	// maxJSONMessage caps the message kept from a JSON body: longer than maxMessage, so
	// that Entra's trace and correlation ids survive, but bounded, because form errors
	// repeat the field name for every entry and a 64 KiB body could otherwise grow into
	// a message of megabytes.
	maxJSONMessage = 2000
)

// APIError is a response from MDA with a status other than 2xx.
type APIError struct {
	StatusCode int
	// Operation says in words what was attempted: "create IP range".
	Operation string
	// Route is the method and path pattern: "POST /api/v1/subnet/create_rule/".
	Route string
	// Message is the API's own message: a JSON detail, form errors joined, the text of an
	// HTML page, or the status text when the body was empty.
	Message string
	// Code is the API's errorMessageCode, when it sent one.
	Code string
	// Field is the request field a form-style error names, e.g. "name".
	Field string
	// RequestID is the request's id from the response headers, for support cases.
	RequestID string
	// Permission is, for 401 and 403, the MDA permission the operation needs.
	Permission string
	// RetryAfter is the wait the server asked for, when it did.
	RetryAfter time.Duration

	// legacyToken tells Error whom to ask for the permission: an application is granted
	// it in Entra, a legacy token inherits its owner's MDA role.
	legacyToken bool
	// PortalURL is the portal URL the client was configured with, for hints that ask the
	// user to check it (the Graph URL for Graph requests).
	PortalURL string
	// graph marks an answer from Microsoft Graph, whose permissions and URL differ.
	graph bool

	// htmlPage is set when MDA answered with its HTML portal shell (or a redirect),
	// which it does for paths it does not know: usually a wrong portal URL.
	htmlPage bool
	// jsonBody is set when the body was a JSON object: MDA's own answer, not a page
	// from the portal or a proxy.
	jsonBody bool
	// objectRoute is set when the request addressed one object by id
	// (/v1/subnet/{id}/..., /v1/alerts/{id}/...), so that its 404 may speak of that
	// object; a 404 on a list route speaks of no object at all.
	objectRoute bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" && e.Message != http.StatusText(e.StatusCode) {
		b.WriteString(": " + e.Message)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", e.Code)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString(" (" + hint + ")")
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// tenantNotFound is MDA's answer on a regional host that does not serve the tenant
// (mda-api.md 1.8): a JSON 404 that is about the URL, not about any object.
const tenantNotFound = "tenant not found"

// Service names who answered: "MDA", or "Microsoft Graph" for discovered apps.
func (e *APIError) Service() string {
	if e.graph {
		return "Microsoft Graph"
	}
	return "MDA"
}

// LegacyToken reports whether the request was sent with a legacy API token, whose
// permissions are its owner's MDA role rather than an application's grants.
func (e *APIError) LegacyToken() bool { return e.legacyToken }

// Hint is the next step for this error, as a clause without a final full stop, or "".
func (e *APIError) Hint() string { return e.hint() }

func (e *APIError) portalHint() string {
	if e.PortalURL == "" {
		return "check that the portal URL is the tenant's API URL from Settings > Cloud Apps > System > About, without /api"
	}
	return fmt.Sprintf("check that the portal URL %q is the tenant's API URL from Settings > Cloud Apps > System > About, without /api", e.PortalURL)
}

// IsTenantNotFound reports whether MDA said the host serves no such tenant.
func (e *APIError) IsTenantNotFound() bool {
	return e.StatusCode == http.StatusNotFound && strings.EqualFold(strings.TrimSpace(e.Message), tenantNotFound)
}

// ProvesGone reports whether this error is evidence that the object the request
// addressed does not exist: a 404 from that object's own route, with MDA's JSON
// not-found body. An HTML 404 (an unknown path), "tenant not found" (a wrong regional
// host) and any 404 on a list route prove nothing about any object (mda-api.md 1.8,
// "What a 404 proves").
func (e *APIError) ProvesGone() bool {
	return e.StatusCode == http.StatusNotFound && e.objectRoute && e.jsonBody && !e.htmlPage && !e.IsTenantNotFound()
}

// RouteNotServed reports whether the answer says the route itself is unknown here (a
// 405, or an HTML 404 page), as a tenant that does not serve an undocumented route such
// as GET /api/v1/subnet/<id>/ would answer.
func (e *APIError) RouteNotServed() bool {
	return e.StatusCode == http.StatusMethodNotAllowed || (e.StatusCode == http.StatusNotFound && e.htmlPage)
}

func (e *APIError) hint() string {
	if e.graph {
		return e.graphHint()
	}
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		return e.portalHint()
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		if e.legacyToken {
			return "MDA refused the API token: check that it is complete and unchanged, and that its owner still holds an MDA admin role"
		}
		return "MDA refused the Entra token: check the tenant ID, and that the application is granted MDA permissions"
	case http.StatusForbidden:
		if e.Permission == "" {
			return ""
		}
		if e.legacyToken {
			return "the token's owner needs an MDA role that allows " + e.Permission
		}
		return "grant the application the MDA permission " + e.Permission
	case http.StatusNotFound:
		switch {
		case e.htmlPage:
			return "MDA answered with a web page, as it does for unknown paths: " + e.portalHint()
		case e.IsTenantNotFound():
			return "this host serves no such tenant, as happens with a wrong region in the URL: " + e.portalHint()
		case !e.ProvesGone():
			return "a 404 here says nothing about any object, so nothing was taken as deleted: " + e.portalHint()
		}
	case http.StatusMethodNotAllowed:
		if e.htmlPage {
			return "MDA answered with a web page, as it does for unknown paths: " + e.portalHint()
		}
	case http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("MDA allows about 30 requests per minute per tenant; it asked to wait %s", e.RetryAfter)
		}
		return "MDA allows about 30 requests per minute per tenant"
	}
	return ""
}

// graphHint is hint for an answer from Microsoft Graph.
func (e *APIError) graphHint() string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "Microsoft Graph refused the Entra token: check the tenant ID and that the application may sign in to Microsoft Graph"
	case http.StatusForbidden:
		return "grant the application the Microsoft Graph application permission " + GraphPermission +
			" (API permissions > Microsoft Graph > Application permissions) and grant admin consent"
	case http.StatusNotFound:
		if e.htmlPage || !e.jsonBody {
			return fmt.Sprintf("Microsoft Graph did not recognise the path: check that graph_url %q is a Microsoft Graph host, without /beta", e.PortalURL)
		}
	case http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("Microsoft Graph throttled the request and asked to wait %s", e.RetryAfter)
		}
		return "Microsoft Graph throttled the request"
	}
	return ""
}

// IsNotFound reports whether err is evidence that an object does not exist: an
// APIError that ProvesGone, or ErrNotFound from a run-scoped lookup, which returns it
// only once the absence is confirmed (see LookupSubnet). Every other 404 is a failure
// of the request, never a deletion.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.ProvesGone()
}

// AmbiguousError is returned when a write may have taken effect but its outcome is
// unknown: it was sent and the server answered 5xx, the connection dropped, no answer
// came in time, or the caller stopped waiting while it was in flight. Idempotent writes
// (an update, a delete, a close) have been repeated up to the client's retries by then;
// a create is never repeated blindly. Either way the caller looks (for a create: lists
// by name) before deciding what to do.
type AmbiguousError struct {
	Operation string
	// Attempts is the number of times the request was sent; 0 when not counted.
	Attempts int
	Err      error
}

func (e *AmbiguousError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("%s may have taken effect: it was sent %d times and no attempt got a clear answer: %v", e.Operation, e.Attempts, e.Err)
	}
	return fmt.Sprintf("%s may have taken effect: it was sent but its outcome is unknown: %v", e.Operation, e.Err)
}

func (e *AmbiguousError) Unwrap() error { return e.Err }

// IsAmbiguous reports whether err says a write may have taken effect.
func IsAmbiguous(err error) bool {
	var amb *AmbiguousError
	return errors.As(err, &amb)
}

// newAPIError builds the error for a non-2xx response; body is at most maxErrorBody bytes.
func (c *Client) newAPIError(op operation, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		StatusCode:  resp.StatusCode,
		Operation:   op.name,
		Route:       op.route,
		RequestID:   requestID(resp.Header),
		legacyToken: c.authFor(op).legacy(),
		graph:       op.graph,
	}
	e.Message, e.Code, e.Field = parseErrorBody(resp.Header.Get("Content-Type"), body)
	e.PortalURL = c.baseURLFor(op)
	e.objectRoute = strings.Contains(op.route, "{")
	e.jsonBody = isJSONObject(body)
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Message = fmt.Sprintf("MDA redirected the request to %q instead of answering it", resp.Header.Get("Location"))
		e.htmlPage = true
	case isHTML(resp.Header.Get("Content-Type"), body):
		e.htmlPage = true
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		e.Permission = op.permission
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "Request-Id", "X-Ms-Request-Id", "X-Ms-Correlation-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// parseErrorBody extracts a readable message from the shapes MDA is known to send
// (mda-api.md §1.8): {"detail": ...}; form errors keyed by field,
// {"<field>": [{"error": ..., "errorMessageCode": ...}], "error": true};
// {"errors": [{"error": ...}]}; and HTML pages for unknown routes and crashes.
func parseErrorBody(contentType string, body []byte) (msg, code, field string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", "", ""
	}
	if trimmed[0] == '{' || trimmed[0] == '"' || trimmed[0] == '[' {
		if msg, code, field, ok := parseJSONError(trimmed); ok {
			return truncate(msg, maxJSONMessage), code, field
		}
	}
	if isHTML(contentType, trimmed) {
		return htmlText(trimmed), "", ""
	}
	return truncate(collapseSpace(string(trimmed)), maxMessage), "", ""
}

func isJSONObject(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) > 0 && body[0] == '{' && json.Valid(body)
}

func isHTML(contentType string, body []byte) bool {
	body = bytes.TrimSpace(body)
	return strings.Contains(strings.ToLower(contentType), "html") || (len(body) > 0 && body[0] == '<')
}

type formError struct {
	Error            string `json:"error"`
	ErrorMessageCode string `json:"errorMessageCode"`
}

func parseJSONError(body []byte) (msg, code, field string, ok bool) {
	var s string
	if json.Unmarshal(body, &s) == nil {
		return truncate(s, maxMessage), "", "", true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return "", "", "", false
	}
	if raw, found := obj["detail"]; found {
		return jsonText(raw), jsonString(obj["errorMessageCode"]), "", true
	}
	// Microsoft Graph: {"error": {"code": ..., "message": ..., "innerError": {...}}}.
	if raw, found := obj["error"]; found && len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '{' {
		var ge struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &ge) == nil && (ge.Code != "" || ge.Message != "") {
			return ge.Message, ge.Code, "", true
		}
	}
	if raw, found := obj["errors"]; found {
		var list []formError
		if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
			msgs := make([]string, 0, len(list))
			for _, fe := range list {
				if fe.Error != "" {
					msgs = append(msgs, fe.Error)
				}
				if code == "" {
					code = fe.ErrorMessageCode
				}
			}
			return strings.Join(msgs, "; "), code, "", true
		}
	}
	// Form-style: every key but "error" may hold a list of field errors. Keys are sorted
	// so the message (and Field) does not change from run to run.
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var msgs []string
	size := 0
	for _, k := range keys {
		if k == "error" || size > maxJSONMessage {
			continue
		}
		var list []formError
		if json.Unmarshal(obj[k], &list) != nil {
			continue
		}
		for _, fe := range list {
			if fe.Error == "" {
				continue
			}
			if field == "" {
				field, code = k, fe.ErrorMessageCode
			}
			m := fe.Error
			if k != "" {
				m = k + ": " + m
			}
			if size > maxJSONMessage { // the rest would be cut anyway
				break
			}
			msgs, size = append(msgs, m), size+len(m)+2
		}
	}
	if len(msgs) > 0 {
		return strings.Join(msgs, "; "), code, field, true
	}
	for _, k := range []string{"message", "error_description", "error"} {
		if s := jsonString(obj[k]); s != "" {
			return s, jsonString(obj["errorMessageCode"]), "", true
		}
	}
	return truncate(string(body), maxMessage), "", "", true
}

// jsonText renders a JSON value as text: strings bare, anything else compact JSON.
func jsonText(raw json.RawMessage) string {
	if s := jsonString(raw); s != "" {
		return s
	}
	return truncate(compactJSON(raw), maxMessage)
}

// compactJSON is raw without insignificant space, or raw as it is when it is not JSON.
func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}

func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

var (
	htmlHidden = regexp.MustCompile(`(?is)<(script|style|noscript|template|head)\b.*?</(script|style|noscript|template|head)\s*>|<!--.*?-->`)
	htmlTag    = regexp.MustCompile(`(?s)<[^>]*>`)
)

// htmlText keeps the visible words of an HTML page: the portal's 404 page reads
// "404 Page not found" once its scripts (console constants) and tags are gone.
func htmlText(body []byte) string {
	s := htmlHidden.ReplaceAllString(string(body), " ")
	s = htmlTag.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	return truncate(collapseSpace(s), maxMessage)
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}
