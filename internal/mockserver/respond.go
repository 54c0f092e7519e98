package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "mockserver: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeDetail writes the {"detail": "..."} body the API uses for auth, throttling and
// not-found errors (mda-api.md 1.8).
func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]string{"detail": detail})
}

func writeNotFound(w http.ResponseWriter) {
	writeDetail(w, http.StatusNotFound, "Not found.")
}

// writeThrottled answers a request over the tenant's budget. The body is the DRF wording
// mda-api.md 1.7 infers; Retry-After is the mock's choice ([I]). Go's server writes the
// reason phrase "Too Many Requests", not the upper-case "TOO MANY REQUESTS" .NET clients
// reported; clients must key on the status code anyway.
func writeThrottled(w http.ResponseWriter, wait time.Duration) {
	secs := retryAfterSeconds(wait)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeDetail(w, http.StatusTooManyRequests, fmt.Sprintf("Request was throttled. Expected available in %d seconds.", secs))
}

// retryAfterSeconds rounds up, and never says 0: "retry in 0 seconds" invites a busy loop.
func retryAfterSeconds(d time.Duration) int {
	secs := int((d + time.Second - 1) / time.Second)
	return max(secs, 1)
}

// notFoundPage imitates the portal shell the API returns for an unknown route: HTML, not
// JSON, with console constants and "404Page not found" in its text (microsoft/MCAS#74).
const notFoundPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Microsoft Defender for Cloud Apps</title>
<script>window.__CONSOLE_CONSTANTS__ = {DATA_CENTER_NAME: 'US3', IS_MOCK: true};</script>
</head>
<body><div class="error-page"><h1>404</h1><h2>Page not found</h2></div></body>
</html>
`

func writeNotFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(notFoundPage))
}

// formErrorCode is the only validation code seen from the real API (mda-api.md 1.8). The
// mock uses it for every field error because other codes are unknown ([U]).
const formErrorCode = "CONSOLE_FORMS_NOT_VALID_VALUE"

type formError struct {
	Error  string            `json:"error"`
	Code   string            `json:"errorMessageCode"`
	Params map[string]string `json:"errorMessageParams"`
}

// formErrors is a 400 body keyed by field: {"name": [{...}], "error": true}. The shape is
// the one recorded for a bad filter value; using it for create and update errors is [I].
type formErrors map[string][]formError

func (fe *formErrors) add(field, message, value string) {
	if *fe == nil {
		*fe = formErrors{}
	}
	(*fe)[field] = append((*fe)[field], formError{
		Error:  message,
		Code:   formErrorCode,
		Params: map[string]string{"value": value},
	})
}

// invalid records the API's generic refusal of a field's value.
func (fe *formErrors) invalid(field string, raw json.RawMessage) {
	fe.add(field, fmt.Sprintf("%s is not valid", operandText(raw)), operandText(raw))
}

func (fe formErrors) write(w http.ResponseWriter) {
	body := make(map[string]any, len(fe)+1)
	for k, v := range fe {
		body[k] = v
	}
	body["error"] = true
	writeJSON(w, http.StatusBadRequest, body)
}

// Error joins the messages, for the out-of-band Go API that returns errors.
func (fe formErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var msgs []string
	for _, k := range keys {
		for _, e := range fe[k] {
			msgs = append(msgs, k+": "+e.Error)
		}
	}
	return strings.Join(msgs, "; ")
}
