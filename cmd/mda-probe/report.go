package main

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Report is what -out receives: both runs and where they differ.
type Report struct {
	Tool        string       `json:"tool"`
	Version     int          `json:"version"`
	Started     time.Time    `json:"started"`
	Options     ReportOpts   `json:"options"`
	Target      *Run         `json:"target"`
	Reference   *Run         `json:"reference,omitempty"`
	Differences []Difference `json:"differences"`
}

// ReportOpts records the choices that change the sequence.
type ReportOpts struct {
	AlertSteps  bool `json:"alert_steps"`
	SpendBudget bool `json:"spend_budget"`
	Private     bool `json:"private"`
}

// Run is the sequence against one server.
type Run struct {
	Label      string `json:"label"` // "target" or "reference"
	URL        string `json:"url"`
	Credential string `json:"credential"`
	RangeName  string `json:"range_name"`
	Steps      []Step `json:"steps"`
	// Cleanup lists the requests the deferred cleanup sent: none when the sequence
	// removed everything it created itself.
	Cleanup []Step `json:"cleanup,omitempty"`
	// Leftovers names what cleanup could not remove (or could not prove removed).
	Leftovers   []string `json:"leftovers,omitempty"`
	Interrupted bool     `json:"interrupted,omitempty"`
	// Stopped says why the sequence ended after its first step.
	Stopped string `json:"stopped,omitempty"`
	// MDARequests counts requests to the MDA API, the ones the tenant's 30-a-minute
	// budget counts; GraphRequests those to Microsoft Graph. Sign-ins are not counted.
	MDARequests   int `json:"mda_requests"`
	GraphRequests int `json:"graph_requests"`
}

// Step is one request and its answer, as the server sent it.
type Step struct {
	Name        string            `json:"name"`
	Method      string            `json:"method,omitempty"`
	Path        string            `json:"path,omitempty"`
	RequestBody json.RawMessage   `json:"request_body,omitempty"`
	Status      int               `json:"status,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Body        string            `json:"body,omitempty"`
	BodyBytes   int               `json:"body_bytes,omitempty"`
	Truncated   bool              `json:"body_truncated,omitempty"`
	Shape       *Shape            `json:"shape,omitempty"`
	// Error is set when no HTTP answer came (connection refused, dropped, timed out).
	Error string `json:"error,omitempty"`
	// Skipped says why the step did not run. Conditional marks a step whose running
	// depends on an earlier answer (a range that should not have been created is deleted;
	// nothing is updated when the create returned no id): that answer is compared itself,
	// so whether the step ran is not a second difference.
	Skipped     string   `json:"skipped,omitempty"`
	Conditional bool     `json:"conditional,omitempty"`
	Notes       []string `json:"notes,omitempty"`
	DurationMS  int64    `json:"duration_ms"`
}

func (s *Step) note(format string, args ...any) {
	s.Notes = append(s.Notes, fmt.Sprintf(format, args...))
}

// Shape summarises a body without its values, so that ids, names and timestamps never
// count as differences: the JSON type, an object's keys, and the first element of an
// array (or of an object's list under data, value or streams).
type Shape struct {
	Type    string   `json:"type"` // object, array, string, number, boolean, null, html, text, empty
	Keys    []string `json:"keys,omitempty"`
	ItemsOf string   `json:"items_of,omitempty"` // the key whose array Items describes; "" for a bare array
	Items   *Shape   `json:"items,omitempty"`
}

func (s *Shape) String() string {
	if s == nil {
		return "none"
	}
	out := s.Type
	if s.Type == "object" {
		out += "{" + strings.Join(s.Keys, ",") + "}"
	}
	if s.Items != nil {
		out += " " + s.ItemsOf + "[" + s.Items.String() + "]"
	}
	return out
}

// listKeys are the keys under which MDA (data, streams) and Graph (value) return lists.
var listKeys = []string{"data", "value", "streams"}

func shapeOf(contentType string, body []byte) *Shape {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return &Shape{Type: "empty"}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		if strings.Contains(strings.ToLower(contentType), "html") || strings.HasPrefix(trimmed, "<") {
			return &Shape{Type: "html"}
		}
		return &Shape{Type: "text"}
	}
	s := valueShape(v)
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			s.Items = valueShape(x[0])
		}
	case map[string]any:
		for _, k := range listKeys {
			if arr, ok := x[k].([]any); ok && len(arr) > 0 {
				s.ItemsOf, s.Items = k, valueShape(arr[0])
				break
			}
		}
	}
	return s
}

// valueShape is the shape of one value, one level deep.
func valueShape(v any) *Shape {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return &Shape{Type: "object", Keys: keys}
	case []any:
		return &Shape{Type: "array"}
	case string:
		return &Shape{Type: "string"}
	case float64:
		return &Shape{Type: "number"}
	case bool:
		return &Shape{Type: "boolean"}
	default:
		return &Shape{Type: "null"}
	}
}

// keptHeaders are the response headers a step records: the ones that tell how to read
// the body or when to retry, and the request ids Microsoft support asks for.
var keptHeaders = []string{
	"Content-Type", "Retry-After", "WWW-Authenticate", "Allow", "Location",
	"X-Ms-Request-Id", "Request-Id", "Client-Request-Id", "X-Request-Id", "X-Correlation-Id",
	"X-Ms-Correlation-Request-Id", "X-Ms-Ags-Diagnostic",
}

func keepHeaders(h http.Header, red *redactor) map[string]string {
	out := map[string]string{}
	for _, k := range keptHeaders {
		if v := h.Get(k); v != "" {
			out[k] = red.apply(v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// redactor removes secrets from everything the report and the output hold: the
// credential values themselves, any Authorization value the probe sent, anything that
// looks like a JWT, and SAS signatures.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

const redacted = "[REDACTED]"

var (
	jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)
	sasPattern = regexp.MustCompile(`(?i)([?&]sig=)[^&"'\s<>]+`)
)

func (r *redactor) add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		// A very short "secret" would blank out ordinary words; no real credential is
		// that short, and an empty one would match everywhere.
		if s = strings.TrimSpace(s); len(s) >= 6 && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	// Longest first, so a header value is replaced whole before the token inside it.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

func (r *redactor) apply(s string) string {
	r.mu.Lock()
	secrets := slices.Clone(r.secrets)
	r.mu.Unlock()
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, redacted)
	}
	s = jwtPattern.ReplaceAllString(s, redacted)
	return sasPattern.ReplaceAllString(s, "${1}"+redacted)
}

// Difference is one way the target's answer to a step differs from the reference's.
type Difference struct {
	Step      string `json:"step"`
	What      string `json:"what"` // ran, status, shape, content-type, retry-after
	Target    string `json:"target"`
	Reference string `json:"reference"`
}

func (d Difference) String() string {
	return fmt.Sprintf("%s: %s differs: target %s, reference %s", d.Step, d.What, d.Target, d.Reference)
}

// compare lists where two runs differ, step by step, matching steps by name. Only what
// does not vary between runs of the same server counts: whether the step ran, the status,
// the shape, the media type and whether Retry-After was sent.
func compare(target, ref *Run) []Difference {
	diffs := []Difference{}
	refSteps := map[string]*Step{}
	for i := range ref.Steps {
		refSteps[ref.Steps[i].Name] = &ref.Steps[i]
	}
	seen := map[string]bool{}
	for i := range target.Steps {
		t := &target.Steps[i]
		seen[t.Name] = true
		diffs = append(diffs, compareStep(t.Name, t, refSteps[t.Name])...)
	}
	for i := range ref.Steps {
		if r := &ref.Steps[i]; !seen[r.Name] {
			diffs = append(diffs, compareStep(r.Name, nil, r)...)
		}
	}
	return diffs
}

func compareStep(name string, t, r *Step) []Difference {
	tRan, rRan := t != nil && t.Skipped == "", r != nil && r.Skipped == ""
	if !tRan || !rRan {
		conditional := (t != nil && t.Conditional) || (r != nil && r.Conditional)
		if tRan == rRan || conditional {
			return nil
		}
		return []Difference{{Step: name, What: "ran", Target: ranText(t), Reference: ranText(r)}}
	}
	var out []Difference
	add := func(what, tv, rv string) {
		if tv != rv {
			out = append(out, Difference{Step: name, What: what, Target: tv, Reference: rv})
		}
	}
	add("status", statusText(t), statusText(r))
	if t.Error != "" || r.Error != "" {
		return out
	}
	add("shape", t.Shape.String(), r.Shape.String())
	add("content-type", mediaType(t.Headers["Content-Type"]), mediaType(r.Headers["Content-Type"]))
	add("retry-after", presence(t.Headers["Retry-After"]), presence(r.Headers["Retry-After"]))
	return out
}

func ranText(s *Step) string {
	switch {
	case s == nil:
		return "not run"
	case s.Skipped != "":
		return "skipped (" + s.Skipped + ")"
	}
	return "ran"
}

func statusText(s *Step) string {
	if s.Error != "" {
		return "no answer (" + s.Error + ")"
	}
	return fmt.Sprint(s.Status)
}

func mediaType(ct string) string {
	if ct == "" {
		return "none"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

func presence(v string) string {
	if v == "" {
		return "absent"
	}
	return "present"
}

// printComparison writes one line per step of the target (and any the reference ran
// alone), marking the ones that differ, then the differences themselves.
func printComparison(w io.Writer, rep *Report) {
	byStep := map[string][]Difference{}
	for _, d := range rep.Differences {
		byStep[d.Step] = append(byStep[d.Step], d)
	}
	refSteps := map[string]*Step{}
	for i := range rep.Reference.Steps {
		refSteps[rep.Reference.Steps[i].Name] = &rep.Reference.Steps[i]
	}
	names := make([]string, 0, len(rep.Target.Steps))
	for _, s := range rep.Target.Steps {
		names = append(names, s.Name)
	}
	for _, s := range rep.Reference.Steps {
		if !slices.Contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	targetSteps := map[string]*Step{}
	for i := range rep.Target.Steps {
		targetSteps[rep.Target.Steps[i].Name] = &rep.Target.Steps[i]
	}
	say(w, "%-4s %-40s %-14s %s\n", "", "step", "target", "reference")
	for _, n := range names {
		mark := "same"
		if len(byStep[n]) > 0 {
			mark = "DIFF"
		}
		say(w, "%-4s %-40s %-14s %s\n", mark, n, brief(targetSteps[n]), brief(refSteps[n]))
	}
	if len(rep.Differences) == 0 {
		say(w, "\nNo differences.\n")
		return
	}
	say(w, "\n%d difference(s):\n", len(rep.Differences))
	for _, d := range rep.Differences {
		say(w, "  - %s\n", d)
	}
}

// brief is a step's answer in a few words: status and JSON type.
func brief(s *Step) string {
	switch {
	case s == nil:
		return "-"
	case s.Skipped != "":
		return "skipped"
	case s.Error != "":
		return "no answer"
	}
	return fmt.Sprintf("%d %s", s.Status, s.Shape.Type)
}
