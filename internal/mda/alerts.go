package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

const (
	permAlertRead   = "Investigation.read (or Discovery.read)"
	permAlertManage = "Investigation.manage (or Discovery.manage)"
)

// Alert codes: severityValue, statusValue and resolutionStatusValue (mda-api.md §3.1).
const (
	SeverityLow           = 0
	SeverityMedium        = 1
	SeverityHigh          = 2
	SeverityInformational = 3

	AlertUnread   = 0
	AlertRead     = 1
	AlertArchived = 2

	ResolutionOpen          = 0
	ResolutionDismissed     = 1 // legacy
	ResolutionResolved      = 2 // legacy
	ResolutionFalsePositive = 3
	ResolutionBenign        = 4
	ResolutionTruePositive  = 5
)

// Alert is an MDA alert.
type Alert struct {
	ID          string `json:"_id"`
	Title       string `json:"title"`
	Description string `json:"description"` // may hold HTML and placeholders such as __siteIcon__
	// Timestamp is when the alert was raised, in Unix milliseconds.
	Timestamp int64 `json:"timestamp"`
	Severity  int   `json:"severityValue"`
	Status    int   `json:"statusValue"`
	// Resolution is resolutionStatusValue. MDA leaves it out of some closed alerts (a
	// recorded one has only a resolveTime): those are ResolutionResolved, closed in a way
	// MDA does not say, with ResolutionInferred set. Without resolveTime either, open.
	Resolution int `json:"-"`
	// ResolutionInferred is set when MDA sent no resolutionStatusValue (absent or null).
	ResolutionInferred bool `json:"-"`
	// ResolveTime is when the alert was closed; nil while it is open. MDA sends an ISO
	// string here, not milliseconds.
	ResolveTime   *time.Time    `json:"-"`
	ThreatScore   int           `json:"threatScore"`
	IsSystemAlert bool          `json:"isSystemAlert"`
	URL           string        `json:"URL"`
	Policy        *AlertPolicy  `json:"policy"`
	Entities      []AlertEntity `json:"entities"`
	// Comment and HandledByUser are "" until someone handles the alert. Like every string
	// of an alert, they are "" when MDA sends null or the string "null" (see dropNullText).
	Comment       string `json:"comment"`
	HandledByUser string `json:"handledByUser"`

	// Raw is the alert's JSON exactly as MDA sent it.
	Raw json.RawMessage `json:"-"`
}

func (a *Alert) setRawJSON(raw json.RawMessage) { a.Raw = raw }

// AlertPolicy is the policy that raised an alert.
type AlertPolicy struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	PolicyType string `json:"policyType"` // e.g. ANOMALY_DETECTION
}

// AlertEntity is one thing an alert involves: an account, an IP address, an app
// ("service"), a file, a device, a country, the policy ("policyRule"), ...
type AlertEntity struct {
	Type  string `json:"type"`
	ID    string `json:"id"` // an app's id is a number in MDA's JSON, written here in decimal
	Label string `json:"label"`
	Role  string `json:"entityRole"` // "Source", "Related", ...
	PA    string `json:"pa"`         // an account's principal name
	// Inst and SaaS complete an account's entity pk, the operand of the entity.entity
	// filter (EntityRef).
	Inst int `json:"inst"`
	SaaS int `json:"saas"`
}

func (e *AlertEntity) UnmarshalJSON(data []byte) error {
	var w struct {
		Type  string          `json:"type"`
		ID    json.RawMessage `json:"id"`
		Label string          `json:"label"`
		Role  string          `json:"entityRole"`
		PA    string          `json:"pa"`
		Inst  json.RawMessage `json:"inst"`
		SaaS  json.RawMessage `json:"saas"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*e = AlertEntity{Type: w.Type, ID: jsonScalar(w.ID), Label: w.Label, Role: w.Role, PA: w.PA, Inst: jsonInt(w.Inst), SaaS: jsonInt(w.SaaS)}
	dropNullText(&e.Type, &e.ID, &e.Label, &e.Role, &e.PA)
	return nil
}

func (a *Alert) UnmarshalJSON(data []byte) error {
	type plain Alert
	var w struct {
		plain
		// These shadow plain's fields of the same JSON name.
		Timestamp   json.Number     `json:"timestamp"`
		ResolveTime json.RawMessage `json:"resolveTime"`
		Resolution  json.RawMessage `json:"resolutionStatusValue"`
		// Free text that only describes the handling must not fail a listing.
		Comment       json.RawMessage `json:"comment"`
		HandledByUser json.RawMessage `json:"handledByUser"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*a = Alert(w.plain)
	if w.Timestamp != "" {
		ms, err := w.Timestamp.Float64()
		if err != nil {
			return fmt.Errorf("alert timestamp %q: %w", w.Timestamp, err)
		}
		a.Timestamp = int64(ms)
	}
	t, err := parseResolveTime(w.ResolveTime)
	if err != nil {
		return err
	}
	a.ResolveTime = t
	code, present, err := resolutionCode(w.Resolution)
	if err != nil {
		return err
	}
	switch {
	case present:
		a.Resolution = code
	case t != nil:
		a.Resolution, a.ResolutionInferred = ResolutionResolved, true
	default:
		a.Resolution, a.ResolutionInferred = ResolutionOpen, true
	}
	a.Comment, a.HandledByUser = lenientText(w.Comment), lenientText(w.HandledByUser)
	dropNullText(&a.ID, &a.Title, &a.Description, &a.URL, &a.Comment, &a.HandledByUser)
	if p := a.Policy; p != nil {
		dropNullText(&p.ID, &p.Label, &p.PolicyType)
	}
	// The docs' own example has no "policy" key, only a policyRule entity.
	if a.Policy == nil {
		for _, e := range a.Entities {
			if e.Type == "policyRule" {
				a.Policy = &AlertPolicy{ID: e.ID, Label: e.Label}
				break
			}
		}
	}
	return nil
}

// parseResolveTime reads resolveTime: an ISO string ("2021-05-13T14:02:34.904Z"),
// absent or null while the alert is open. A bare ISO time is taken as UTC, and a
// number as milliseconds, in case MDA is inconsistent here as it is elsewhere.
func parseResolveTime(raw json.RawMessage) (*time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var n json.Number
	if raw[0] != '"' && json.Unmarshal(raw, &n) == nil {
		ms, err := n.Float64()
		if err != nil {
			return nil, fmt.Errorf("alert resolveTime %s: %w", raw, err)
		}
		t := time.UnixMilli(int64(ms)).UTC()
		return &t, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("alert resolveTime %s is neither a string nor a number", raw)
	}
	if s = strings.TrimSpace(s); s == "" || s == "null" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("alert resolveTime %q is not an ISO 8601 time", s)
}

// lenientText reads a JSON string; anything else is "".
func lenientText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// resolutionCode reads resolutionStatusValue: a number (or a numeric string), or nothing
// (absent, null, "null"), which present reports.
func resolutionCode(raw json.RawMessage) (code int, present bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `"null"` || string(raw) == `""` {
		return 0, false, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false, fmt.Errorf("alert resolutionStatusValue %s is not a number", raw)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, false, fmt.Errorf("alert resolutionStatusValue %s is not a whole number", raw)
	}
	return int(i), true, nil
}

// dropNullText is the one rule for an alert's strings: MDA sends null or, in recorded
// alerts (comment and handledByUser, most likely a serialisation slip), the string
// "null", and both mean there is no value. Every string field of Alert, AlertPolicy and
// AlertEntity goes through it; TestAlertDecoding_nullStrings checks that none is missed.
func dropNullText(fields ...*string) {
	for _, f := range fields {
		if *f == "null" {
			*f = ""
		}
	}
}

// jsonScalar writes a JSON string as is and anything else (an app's numeric id) as its
// JSON text.
func jsonScalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return compactJSON(raw)
}

// jsonInt reads a number or numeric string; anything else is 0, since these fields
// only complete an entity and must not fail a listing.
func jsonInt(raw json.RawMessage) int {
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return 0
	}
	f, err := n.Float64()
	if err != nil {
		return 0
	}
	return int(f)
}

// AlertIDPattern is an alert id as users meet it: MDA's _id, a MongoDB ObjectId (MCASPS
// validates it the same way), or Defender XDR's and Graph's spelling of it, "ca" and the
// same 24 hexadecimal characters (mda-api.md 8.12).
var AlertIDPattern = regexp.MustCompile(`^(ca)?[0-9a-fA-F]{24}$`)

// NormalizeAlertID is the one place an alert id is checked and written the way MDA
// writes it: the "ca" prefix stripped (only from a 26-character id, since a plain id may
// itself begin with "ca"), surrounding space trimmed, hexadecimal in lower case. It runs
// before an id is spent on a request or joins a batch that a malformed id would fail for
// everyone (MDA refuses the whole request).
func NormalizeAlertID(id string) (string, error) {
	id = strings.TrimSpace(id)
	if !AlertIDPattern.MatchString(id) {
		return "", fmt.Errorf("alert id %q is not valid: MDA alert ids are 24 hexadecimal characters, optionally prefixed with "+
			"the \"ca\" Microsoft Defender XDR shows", id)
	}
	if len(id) == 26 {
		id = id[2:]
	}
	return strings.ToLower(id), nil
}

// ListAlerts lists alerts, 100 per request.
func (c *Client) ListAlerts(ctx context.Context, q Query) (ListResult[Alert], error) {
	op := newOperation("list alerts", http.MethodPost, "/v1/alerts/", permAlertRead, classList)
	if err := q.validate(); err != nil {
		return ListResult[Alert]{}, fmt.Errorf("%s: %w", op.name, err)
	}
	return listAll[Alert](ctx, c, op, q.listRequest(), q.Max)
}

// GetAlert reads one alert. An alert that does not exist gives an *APIError with
// IsNotFound.
func (c *Client) GetAlert(ctx context.Context, id string) (*Alert, error) {
	id, err := NormalizeAlertID(id)
	if err != nil {
		return nil, err
	}
	op := newOperation("read alert", http.MethodGet, "/v1/alerts/{id}/", permAlertRead, classRead, id)
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	var a Alert
	if err := decodeKeepingRaw(raw, &a); err != nil {
		return nil, fmt.Errorf("%s: decoding the alert: %w", op.name, err)
	}
	return &a, nil
}

// MarkAlertRead sets the alert's status to read.
func (c *Client) MarkAlertRead(ctx context.Context, id string) error {
	return c.markAlert(ctx, id, "read")
}

// MarkAlertUnread sets the alert's status to unread.
func (c *Client) MarkAlertUnread(ctx context.Context, id string) error {
	return c.markAlert(ctx, id, "unread")
}

func (c *Client) markAlert(ctx context.Context, id, mark string) error {
	id, err := NormalizeAlertID(id)
	if err != nil {
		return err
	}
	// Marking is idempotent, so a failed attempt is retried like a listing.
	op := newOperation("mark alert "+id+" "+mark, http.MethodPost, "/v1/alerts/{id}/"+mark+"/", permAlertRead, classIdempotentWrite, id)
	return c.do(ctx, op, nil, nil)
}
