package mockserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Alert is an alert as tests see and edit it (Server.Alerts, EditAlert, AddAlert).
// ServiceIDs, IPs, Accounts and the policy are views of Entities, the list the API
// serves: EditAlert keeps the two in step whichever side an edit changes.
type Alert struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Timestamp   int64      `json:"timestamp"`  // ms
	Severity    int        `json:"severity"`   // severityValue: 0 low, 1 medium, 2 high, 3 informational
	Status      int        `json:"status"`     // statusValue: 0 unread, 1 read, 2 archived
	Resolution  int        `json:"resolution"` // resolutionStatusValue: 0 open .. 5 true positive
	ResolveTime *time.Time `json:"resolveTime,omitempty"`
	ThreatScore int        `json:"threatScore"`
	// IsSystemAlert marks MDA's own operational alerts (an app connector failing, say).
	IsSystemAlert bool     `json:"isSystemAlert"`
	URL           string   `json:"url"`
	PolicyID      string   `json:"policyId"`
	PolicyLabel   string   `json:"policyLabel"`
	ServiceIDs    []int    `json:"serviceIds"`
	IPs           []string `json:"ips"`
	Accounts      []string `json:"accounts"` // the account entities' pa (UPN)
	// Source is "built-in" (Microsoft's detections) or "policy" (a policy the tenant
	// wrote). The docs describe the filter only as "built-in or policy"; the exact
	// spellings are the mock's choice ([U]), and the filter ignores case, "-" and "_".
	Source        string `json:"source"`
	Comment       string `json:"comment"`
	HandledByUser string `json:"handledByUser"`
	Reason        *int   `json:"reason,omitempty"` // reasonId of the last close
	// AlertType is the number the alertType filter compares with. The API's object
	// documents no such field, so it is not served ([U]).
	AlertType int              `json:"alertType"`
	Entities  []map[string]any `json:"entities"`
	// OmitResolution serves the alert without resolutionStatusValue, as MDA sent a closed
	// alert recorded from a real tenant (a resolveTime and no code). Resolution still
	// decides the filters (alertOpen, resolutionStatus), which for such alerts are [U].
	// A close through the API clears it: MDA records the code it was given.
	OmitResolution bool `json:"omitResolution,omitempty"`
	// NullStrings serves an empty Comment and HandledByUser as the string "null", as in
	// the same recording, instead of JSON null.
	NullStrings bool `json:"nullStrings,omitempty"`
}

// alert is an alert as stored: the editable view plus what only the wire form carries.
type alert struct {
	Alert
	policyType string
	idValue    int
	stories    []int
	intent     []int
	evidence   []any

	// Filter values, derived from Entities by index.
	pks       []string // "id|inst" and "id|inst|saas" of account entities
	users     []string // account pa and label, lower case
	files     []string
	instances []int
}

// alertIDPattern is an ObjectId; MCASPS validates alert ids the same way (mda-api.md 3.1).
// A Defender XDR id ("ca" + ObjectId) fails it, as SECOPS found out.
var alertIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// Scopes from mda-api.md 3: reading and marking read need a read scope; closing, manage.
var (
	permAlertRead = permission{
		anyOf:    []string{"investigation.read", "investigation.manage", "discovery.read", "discovery.manage"},
		required: []string{"Investigation.read", "Discovery.read"},
	}
	permAlertWrite = permission{
		anyOf:    []string{"investigation.manage", "discovery.manage"},
		required: []string{"Investigation.manage", "Discovery.manage"},
	}
)

// alertCollection declares the documented alert filters (mda-api.md 3.1) and MCASPS's
// entity.user.
var alertCollection = newCollection("alerts", map[string]field[*alert]{
	"entity.entity": {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return anys(a.pks) }, operand: parseEntityPK},
	"entity.ip":     {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return anys(a.IPs) }},
	"entity.service": {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any {
		return anys(a.ServiceIDs)
	}},
	// The app instance of the accounts involved ([I]: the docs say only "int").
	"entity.instance": {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return anys(a.instances) }},
	// Policy ids are strings, but XSOAR's README filters with a number; the string
	// parser matches a number by its spelling.
	"entity.policy": {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any {
		if a.PolicyID == "" {
			return nil
		}
		return []any{a.PolicyID}
	}},
	"entity.file": {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return anys(a.files) }},
	// MCASPS's username filter; matched against the accounts' UPN or label, ignoring case.
	"entity.user": {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return anys(a.users) }, operand: parseLowerString},
	// Open means resolutionStatusValue 0: the legacy DISMISSED and RESOLVED are closed too.
	"alertOpen": {typ: boolField, ops: []string{"eq"}, values: func(a *alert) []any { return []any{a.Resolution == 0} }},
	"severity":  {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return []any{a.Severity} }},
	"resolutionStatus": {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any {
		return []any{a.Resolution}
	}},
	// Archived alerts count as read: archiving is something done after reading ([I]).
	"read": {typ: boolField, ops: []string{"eq"}, values: func(a *alert) []any { return []any{a.Status != 0} }},
	"date": {typ: timestampField, ops: []string{"lte", "gte", "range", "lte_ndays", "gte_ndays"}, values: func(a *alert) []any {
		return []any{a.Timestamp}
	}},
	"resolutionDate": {typ: timestampField, ops: []string{"lte", "gte", "range"}, values: func(a *alert) []any {
		if a.ResolveTime == nil {
			return nil
		}
		return []any{a.ResolveTime.UnixMilli()}
	}},
	// What "risk" compares with is not documented; the threat score is the alert's only
	// risk-like number ([U]).
	"risk":      {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return []any{a.ThreatScore} }},
	"alertType": {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return []any{a.AlertType} }},
	// The docs' table says ID, every example and client says id: both are served.
	"id":     {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return []any{a.ID} }, operand: parseAlertID},
	"ID":     {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return []any{a.ID} }, operand: parseAlertID},
	"source": {typ: stringField, ops: []string{"eq"}, values: func(a *alert) []any { return []any{sourceKey(a.Source)} }, operand: parseSource},
}, map[string]func(a, b *alert) int{
	"date":     func(a, b *alert) int { return cmp.Compare(a.Timestamp, b.Timestamp) },
	"severity": func(a, b *alert) int { return cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)) },
	// MCASPS sorts by resolution status with "status" ([3P]).
	"status": func(a, b *alert) int { return cmp.Compare(a.Resolution, b.Resolution) },
})

// severityRank orders severities by meaning, not by code: informational (3) is the
// least severe. Whether the API sorts by code or by meaning is unknown ([U]).
func severityRank(sev int) int {
	if sev == 3 {
		return -1
	}
	return sev
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// parseAlertID refuses a malformed id, which is what gives the forms-style 400 keyed
// "filters" recorded by XSOAR (mda-api.md 1.8).
func parseAlertID(raw json.RawMessage) (any, error) {
	var id string
	if json.Unmarshal(raw, &id) != nil || !alertIDPattern.MatchString(id) {
		return nil, fmt.Errorf("not an alert id")
	}
	return strings.ToLower(id), nil
}

// parseEntityPK flattens {"id": ..., "inst": 0[, "saas": 11161]} to the key index
// stores; without saas it matches the account in any app.
func parseEntityPK(raw json.RawMessage) (any, error) {
	var pk struct {
		ID   any  `json:"id"`
		Inst *int `json:"inst"`
		SaaS *int `json:"saas"`
	}
	if err := json.Unmarshal(raw, &pk); err != nil || pk.ID == nil || fmt.Sprint(pk.ID) == "" {
		return nil, fmt.Errorf("not an entity pk")
	}
	inst := 0
	if pk.Inst != nil {
		inst = *pk.Inst
	}
	if pk.SaaS != nil {
		return fmt.Sprintf("%v|%d|%d", pk.ID, inst, *pk.SaaS), nil
	}
	return fmt.Sprintf("%v|%d", pk.ID, inst), nil
}

func parseLowerString(raw json.RawMessage) (any, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return strings.ToLower(s), nil
}

func parseSource(raw json.RawMessage) (any, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return sourceKey(s), nil
}

// sourceKey folds "built-in", "builtIn" and "BUILT_IN" together.
func sourceKey(s string) string {
	return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
}

// index derives the view fields and filter values from Entities. Every change to
// Entities ends here.
func (a *alert) index() {
	a.ServiceIDs, a.IPs, a.Accounts = nil, nil, nil
	a.pks, a.users, a.files, a.instances = nil, nil, nil, nil
	for _, e := range a.Entities {
		id := e["id"]
		switch e["type"] {
		case "service":
			if n, ok := toFloat(id); ok {
				a.ServiceIDs = appendNew(a.ServiceIDs, int(n))
			}
		case "ip":
			if s, ok := id.(string); ok {
				a.IPs = appendNew(a.IPs, s)
			}
		case "file":
			a.files = appendNew(a.files, fmt.Sprint(id))
		case "account", "user":
			pa, _ := e["pa"].(string)
			label, _ := e["label"].(string)
			if e["type"] == "account" && pa != "" {
				a.Accounts = appendNew(a.Accounts, pa)
			}
			for _, u := range []string{pa, label} {
				if u != "" {
					a.users = appendNew(a.users, strings.ToLower(u))
				}
			}
			inst := 0
			if n, ok := toFloat(e["inst"]); ok {
				inst = int(n)
			}
			a.instances = appendNew(a.instances, inst)
			a.pks = append(a.pks, fmt.Sprintf("%v|%d", id, inst))
			if saas, ok := toFloat(e["saas"]); ok {
				a.pks = append(a.pks, fmt.Sprintf("%v|%d|%d", id, inst, int(saas)))
			}
		}
	}
}

func appendNew[T comparable](xs []T, x T) []T {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// wireAlert is an alert as the API sends it (mda-api.md 3.1: the documented example plus
// the keys XSOAR recorded).
type wireAlert struct {
	ID                    string           `json:"_id"`
	ContextID             string           `json:"contextId"`
	Timestamp             int64            `json:"timestamp"`
	Title                 string           `json:"title"`
	Description           string           `json:"description"`
	IsMarkdown            bool             `json:"isMarkdown"`
	Entities              []map[string]any `json:"entities"`
	Policy                *wirePolicy      `json:"policy"`
	IDValue               int              `json:"idValue"`
	IsSystemAlert         bool             `json:"isSystemAlert"`
	IsPreview             bool             `json:"isPreview"`
	ResolutionStatusValue *int             `json:"resolutionStatusValue,omitempty"`
	SeverityValue         int              `json:"severityValue"`
	StatusValue           int              `json:"statusValue"`
	Stories               []int            `json:"stories"`
	Intent                []int            `json:"intent"`
	Evidence              []any            `json:"evidence"`
	ThreatScore           int              `json:"threatScore"`
	// comment and handledByUser are null until someone handles the alert.
	Comment       *string `json:"comment"`
	HandledByUser *string `json:"handledByUser"`
	// resolveTime is absent while the alert is open ("appears only once the alert is
	// closed or resolved"); it is an ISO string, not ms.
	ResolveTime string `json:"resolveTime,omitempty"`
	URL         string `json:"URL"`
}

// wireText is an optional string as served: null when empty, or the string "null" for
// an alert with NullStrings.
func (a *alert) wireText(s string) *string {
	if s == "" && a.NullStrings {
		s = "null"
	}
	if s == "" {
		return nil
	}
	return &s
}

type wirePolicy struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	PolicyType string `json:"policyType"`
	Type       string `json:"type"`
}

// isoMillis is resolveTime's format: "2021-05-13T14:02:34.904Z".
const isoMillis = "2006-01-02T15:04:05.000Z"

// resolveStamp is a resolve time as stored: UTC, to the millisecond, which is all the
// wire carries, so that what tests see is what clients get.
func resolveStamp(t time.Time) *time.Time {
	t = t.UTC().Truncate(time.Millisecond)
	return &t
}

func (s *Server) wireAlert(a *alert) wireAlert {
	w := wireAlert{
		ID:            a.ID,
		ContextID:     s.tenant,
		Timestamp:     a.Timestamp,
		Title:         a.Title,
		Description:   a.Description,
		Entities:      cloneEntities(a.Entities),
		IDValue:       a.idValue,
		IsSystemAlert: a.IsSystemAlert,
		SeverityValue: a.Severity,
		StatusValue:   a.Status,
		Stories:       nonNilSlice(a.stories),
		Intent:        nonNilSlice(a.intent),
		Evidence:      nonNilSlice(a.evidence),
		ThreatScore:   a.ThreatScore,
		URL:           s.alertURL(a),
	}
	if w.Entities == nil {
		w.Entities = []map[string]any{}
	}
	if a.PolicyID != "" {
		w.Policy = &wirePolicy{ID: a.PolicyID, Label: a.PolicyLabel, PolicyType: a.policyType, Type: "policyRule"}
	}
	if !a.OmitResolution {
		r := a.Resolution
		w.ResolutionStatusValue = &r
	}
	w.Comment, w.HandledByUser = a.wireText(a.Comment), a.wireText(a.HandledByUser)
	if a.ResolveTime != nil {
		w.ResolveTime = a.ResolveTime.UTC().Format(isoMillis)
	}
	return w
}

// alertURL is the alert's page in the portal: its own URL when a test set one, else
// defaultAlertURL.
func (s *Server) alertURL(a *alert) string {
	if a.URL != "" {
		return a.URL
	}
	return s.defaultAlertURL(a.ID)
}

// defaultAlertURL is an alert's page in the mock's portal. A started mock is its own
// portal; one mounted on an httptest server does not know its address, and uses a
// plausible one.
func (s *Server) defaultAlertURL(id string) string {
	portal := s.url
	if portal == "" {
		portal = "https://mock.us3.portal.cloudappsecurity.com"
	}
	return portal + "/#/alerts/" + id
}

// handler is the API user "api@<tenant>", what handledByUser shows after a close
// through the API (the real value for an API token or an app is unknown, [U]).
func (s *Server) handler() string { return "api@" + s.tenant }

func cloneEntities(es []map[string]any) []map[string]any {
	if es == nil {
		return nil
	}
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = maps.Clone(e)
	}
	return out
}

func nonNilSlice[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// listAlerts serves GET and POST /api/v1/alerts/. Without sortField the newest come
// first, as in the portal ([U] for the API).
func (s *Server) listAlerts(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	runList(s, w, req, alertCollection, s.store.alerts.newestFirst(), func(a *alert) any { return s.wireAlert(a) })
}

// getAlert serves GET /api/v1/alerts/<id>/.
func (s *Server) getAlert(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alertForPath(w, req)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.wireAlert(a))
}

// markAlert serves POST /api/v1/alerts/<id>/read/ and /unread/. The response is
// undocumented ([U]); the mock answers 200 {} as mda-api.md 3.2 suggests.
func markAlert(status int) func(*Server, http.ResponseWriter, *apiRequest) {
	return func(s *Server, w http.ResponseWriter, req *apiRequest) {
		s.mu.Lock()
		defer s.mu.Unlock()
		a, ok := s.alertForPath(w, req)
		if !ok {
			return
		}
		a.Status = status
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

// alertForPath finds the alert named by the path. A malformed id is a forms-style 400
// ([I], like a malformed id in filters); an unknown one a 404 with a DRF detail ([I]).
// s.mu must be held.
func (s *Server) alertForPath(w http.ResponseWriter, req *apiRequest) (*alert, bool) {
	if !alertIDPattern.MatchString(req.id) {
		var fe formErrors
		fe.add("id", fmt.Sprintf("%s is not valid", req.id), req.id)
		fe.write(w)
		return nil, false
	}
	a := s.store.alerts.byID[strings.ToLower(req.id)]
	if a == nil {
		writeNotFound(w)
		return nil, false
	}
	return a, true
}
