package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// closedAlertJSON is an alert in the shapes recorded from real tenants: the docs' fetch
// example (no "policy" key, an int service id) plus XSOAR's "null" string.
const closedAlertJSON = `{
  "_id": "603f704aaf7417985bbf3b22", "timestamp": 1621941916475.0, "title": "Honeytoken activity",
  "description": "<p>Contoso user performed 11 suspicious activities __siteIcon__</p>",
  "entities": [
    {"entityRole": "Source", "entityType": 2, "id": "6204bdaf-ad46-4e99-a25d-374a0532c666", "inst": 0, "saas": 11161,
     "label": "user1", "pa": "user1@contoso.com", "type": "account"},
    {"id": 20940, "label": "Active Directory", "type": "service"},
    {"id": "5bfd18bfab73c36ba10d38ca", "label": "Honeytoken activity", "policyType": "ANOMALY_DETECTION", "type": "policyRule"}
  ],
  "resolutionStatusValue": 4, "severityValue": 1, "statusValue": 1, "threatScore": 34, "isSystemAlert": false,
  "comment": "Expected", "handledByUser": "null", "resolveTime": "2021-05-13T14:02:34.904Z",
  "URL": "https://contoso.portal.cloudappsecurity.com/#/alerts/603f704aaf7417985bbf3b22"
}`

func TestAlertDecoding(t *testing.T) {
	var a Alert
	if err := json.Unmarshal([]byte(closedAlertJSON), &a); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "ID", a.ID, "603f704aaf7417985bbf3b22")
	mustEqual(t, "Timestamp", a.Timestamp, int64(1621941916475))
	mustEqual(t, "Resolution", a.Resolution, ResolutionBenign)
	mustEqual(t, "Severity", a.Severity, SeverityMedium)
	mustEqual(t, "Status", a.Status, AlertRead)
	mustEqual(t, "ThreatScore", a.ThreatScore, 34)
	mustEqual(t, "Comment", a.Comment, "Expected")
	mustEqual(t, "HandledByUser", a.HandledByUser, "")
	mustEqual(t, "URL", a.URL, "https://contoso.portal.cloudappsecurity.com/#/alerts/603f704aaf7417985bbf3b22")
	if a.ResolveTime == nil || !a.ResolveTime.Equal(time.Date(2021, 5, 13, 14, 2, 34, 904e6, time.UTC)) {
		t.Errorf("ResolveTime = %v", a.ResolveTime)
	}
	if a.Policy == nil || a.Policy.ID != "5bfd18bfab73c36ba10d38ca" || a.Policy.Label != "Honeytoken activity" {
		t.Errorf("Policy (from the policyRule entity) = %+v", a.Policy)
	}
	want := []AlertEntity{
		{Type: "account", ID: "6204bdaf-ad46-4e99-a25d-374a0532c666", Label: "user1", Role: "Source", PA: "user1@contoso.com", SaaS: 11161},
		{Type: "service", ID: "20940", Label: "Active Directory"},
		{Type: "policyRule", ID: "5bfd18bfab73c36ba10d38ca", Label: "Honeytoken activity"},
	}
	if !slices.Equal(a.Entities, want) {
		t.Errorf("Entities = %+v", a.Entities)
	}

	open := `{"_id": "603f704aaf7417985bbf3b23", "timestamp": 1, "comment": null, "handledByUser": null, "resolveTime": null,
	  "policy": {"id": "p", "label": "Policy", "policyType": "AUDIT", "type": "policyRule"}}`
	var b Alert
	if err := json.Unmarshal([]byte(open), &b); err != nil {
		t.Fatal(err)
	}
	if b.ResolveTime != nil || b.Comment != "" || b.HandledByUser != "" || b.Policy == nil || b.Policy.PolicyType != "AUDIT" {
		t.Errorf("open alert = %+v", b)
	}
	for _, bad := range []string{`{"resolveTime": "yesterday"}`, `{"resolveTime": {}}`} {
		if err := json.Unmarshal([]byte(bad), &b); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	for raw, want := range map[string]time.Time{
		`{"resolveTime": 1620914554904}`:             time.UnixMilli(1620914554904).UTC(),
		`{"resolveTime": "2021-05-13T14:02:34.904"}`: time.Date(2021, 5, 13, 14, 2, 34, 904e6, time.UTC),
	} {
		var c Alert
		if err := json.Unmarshal([]byte(raw), &c); err != nil || c.ResolveTime == nil || !c.ResolveTime.Equal(want) {
			t.Errorf("%s: %v, %v", raw, c.ResolveTime, err)
		}
	}
}

func TestListAlerts_requestAndRawJSON(t *testing.T) {
	var item map[string]any
	if err := json.Unmarshal([]byte(closedAlertJSON), &item); err != nil {
		t.Fatal(err)
	}
	var body listBody
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/alerts/" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		data, _ := readBody(r)
		_ = json.Unmarshal(data, &body)
		r.Body = ioNopCloser(data)
		servePage(t, w, r, []map[string]any{item})
	})
	c, _, _ := testClient(t, srv.URL)
	res, err := c.ListAlerts(context.Background(), Query{
		Filters:   Filters{}.With("severity", OpEq, []int{1, 2}).With("alertOpen", OpEq, false),
		SortField: "date", SortDirection: "desc", Max: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(body)
	mustEqual(t, "body", string(got), `{"filters":{"alertOpen":{"eq":false},"severity":{"eq":[1,2]}},"skip":0,"limit":5,"sortField":"date","sortDirection":"desc"}`)
	if len(res.Items) != 1 {
		t.Fatalf("items %+v", res.Items)
	}
	want, _ := json.Marshal(item)
	if !bytes.Equal(res.Items[0].Raw, want) {
		t.Errorf("Raw = %s\nwant %s", res.Items[0].Raw, want)
	}
	mustEqual(t, "service id", res.Items[0].Entities[1].ID, "20940")

	if _, err := c.ListAlerts(context.Background(), Query{SortField: "date", SortDirection: "up"}); err == nil || !strings.Contains(err.Error(), `"asc" or "desc"`) {
		t.Errorf("bad sort direction: %v", err)
	}
	mustEqual(t, "requests", srv.count(), 1)
}

func TestAlerts_againstMock(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	all := m.Alerts()

	res, err := c.ListAlerts(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), len(all))
	mustEqual(t, "requests", res.Requests, 3)
	for i, a := range res.Items {
		want := all[i]
		if a.ID != want.ID || a.Timestamp != want.Timestamp || a.Severity != want.Severity || a.Resolution != want.Resolution ||
			a.Status != want.Status || a.URL != want.URL || a.Policy == nil || a.Policy.ID != want.PolicyID || a.Comment != want.Comment {
			t.Fatalf("item %d = %+v, want %+v", i, a, want)
		}
		if (a.ResolveTime == nil) != (want.ResolveTime == nil) || (a.ResolveTime != nil && !a.ResolveTime.Equal(*want.ResolveTime)) {
			t.Fatalf("item %d ResolveTime %v, want %v", i, a.ResolveTime, want.ResolveTime)
		}
		var raw map[string]any
		if err := json.Unmarshal(a.Raw, &raw); err != nil || raw["_id"] != a.ID {
			t.Fatalf("item %d Raw %s", i, a.Raw)
		}
		for _, e := range a.Entities {
			if e.Type == "service" && e.ID != fmt.Sprint(want.ServiceIDs[0]) {
				t.Fatalf("item %d service entity %+v, want %d", i, e, want.ServiceIDs[0])
			}
		}
	}

	res, err = c.ListAlerts(ctx, Query{Filters: Filters{}.With("severity", OpEq, []int{SeverityHigh}), SortField: "date", SortDirection: "asc", Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 10 || !res.Truncated || res.Items[0].Severity != SeverityHigh || res.Items[0].Timestamp > res.Items[9].Timestamp {
		t.Errorf("filtered: %d items, truncated %v", len(res.Items), res.Truncated)
	}

	got, err := c.GetAlert(ctx, strings.ToUpper(all[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != all[0].ID || len(got.Raw) == 0 || got.Title != all[0].Title {
		t.Errorf("GetAlert = %+v", got)
	}
	if _, err := c.GetAlert(ctx, "0123456789abcdef01234567"); !IsNotFound(err) {
		t.Errorf("unknown alert: %v", err)
	}
	before := m.Stats().Total
	for _, bad := range []string{"", "nope", "ca" + all[0].ID[1:], "xx" + all[0].ID} {
		if _, err := c.GetAlert(ctx, bad); err == nil || IsNotFound(err) {
			t.Errorf("GetAlert(%q) = %v", bad, err)
		}
	}
	mustEqual(t, "requests for malformed ids", m.Stats().Total, before)
	// Defender XDR's spelling reads the same alert.
	if got, err := c.GetAlert(ctx, " ca"+strings.ToUpper(all[0].ID)+" "); err != nil || got.ID != all[0].ID {
		t.Errorf("GetAlert(ca-prefixed) = %v, %v", got, err)
	}

	id := all[1].ID
	if err := c.MarkAlertRead(ctx, id); err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Alert(id); a.Status != AlertRead {
		t.Errorf("status after MarkAlertRead = %d", a.Status)
	}
	if err := c.MarkAlertUnread(ctx, id); err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Alert(id); a.Status != AlertUnread {
		t.Errorf("status after MarkAlertUnread = %d", a.Status)
	}
	if err := c.MarkAlertRead(ctx, "0123456789abcdef01234567"); !IsNotFound(err) {
		t.Errorf("marking an unknown alert: %v", err)
	}

	reason := 5
	r, err := c.CloseAlerts(ctx, CloseBenign, []string{all[2].ID, all[3].ID, "0123456789abcdef01234567"}, CloseOptions{Comment: "travelling", ReasonID: &reason})
	if err != nil {
		t.Fatal(err)
	}
	if r.Closed != 2 || !slices.Equal(r.NotFound, []string{"0123456789abcdef01234567"}) {
		t.Errorf("CloseAlerts = %+v", r)
	}
	if a, _ := m.Alert(all[2].ID); a.Resolution != ResolutionBenign || a.Comment != "travelling" || a.Reason == nil || *a.Reason != 5 {
		t.Errorf("closed alert %+v", a)
	}
	if _, err := c.CloseAlerts(ctx, CloseTruePositive, []string{all[4].ID}, CloseOptions{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Alert(all[4].ID); a.Resolution != ResolutionTruePositive || a.ResolveTime == nil {
		t.Errorf("true positive %+v", a)
	}
}

func TestCloseAlerts_chunksOf100(t *testing.T) {
	var mu sync.Mutex
	var bodies []closeRequest
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/alerts/close_false_positive/" {
			t.Errorf("path %s", r.URL.Path)
		}
		data, _ := readBody(r)
		ids, b := decodeCloseBody(t, data)
		mu.Lock()
		bodies = append(bodies, closeRequest{ids, b})
		mu.Unlock()
		out := map[string]any{"closed_false_positive": len(ids)}
		if len(ids) < 100 {
			out = map[string]any{"closed_false_positive": len(ids) - 1, "alertsNotFound": []any{strings.ToUpper(ids[0])}}
		}
		writeJSON(w, http.StatusOK, out)
	})
	c, _, _ := testClient(t, srv.URL)
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("%024x", i+1)
	}
	reason := 3
	withDuplicate := append(slices.Clone(ids), ids[7])
	res, err := c.CloseAlerts(context.Background(), CloseFalsePositive, withDuplicate, CloseOptions{
		Comment: "noisy", ReasonID: &reason, SendFeedback: true, FeedbackText: "too many", AllowContact: true, ContactEmail: "soc@contoso.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "requests", srv.count(), 3)
	mustEqual(t, "Closed", res.Closed, 249)
	if !slices.Equal(res.NotFound, []string{ids[200]}) {
		t.Errorf("NotFound = %v", res.NotFound)
	}
	var sent []string
	for i, b := range bodies {
		mustEqual(t, fmt.Sprintf("ids in request %d", i), len(b.ids), []int{100, 100, 50}[i])
		sent = append(sent, b.ids...)
		got, _ := json.Marshal(b.rest)
		mustEqual(t, "body", string(got), `{"allowContact":true,"comment":"noisy","contactEmail":"soc@contoso.com","feedbackText":"too many","reasonId":3,"sendFeedback":true}`)
	}
	if !slices.Equal(sent, ids) {
		t.Error("the ids sent are not the ids given, once each, in order")
	}
}

func TestCloseAlerts_refusedLocally(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request %s", r.URL.Path) })
	c, _, _ := testClient(t, srv.URL)
	ctx := context.Background()
	id := "603f704aaf7417985bbf3b22"
	zero, one, six := 0, 1, 6
	for _, tt := range []struct {
		kind CloseKind
		opts CloseOptions
		ids  []string
		want string
	}{
		{CloseTruePositive, CloseOptions{ReasonID: &zero}, []string{id}, "no reason for a true positive"},
		{CloseBenign, CloseOptions{ReasonID: &one}, []string{id}, "reason 1 is not one MDA accepts ([2 4 5 6])"},
		{CloseFalsePositive, CloseOptions{ReasonID: &six}, []string{id}, "reason 6 is not one MDA accepts ([0 1 3 4])"},
		{CloseKind(0), CloseOptions{}, []string{id}, "unknown close kind"},
		{CloseBenign, CloseOptions{}, []string{id, "xx" + id}, "Defender XDR"},
	} {
		_, err := c.CloseAlerts(ctx, tt.kind, tt.ids, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %+v: %v, want %q", tt.kind, tt.opts, err, tt.want)
		}
		if err := c.CloseAlert(ctx, tt.kind, tt.ids[len(tt.ids)-1], tt.opts); err == nil {
			t.Errorf("CloseAlert %v %+v: no error", tt.kind, tt.opts)
		}
	}
	if r, err := c.CloseAlerts(ctx, CloseBenign, nil, CloseOptions{}); err != nil || r.Closed != 0 {
		t.Errorf("no ids: %+v, %v", r, err)
	}
}

// Closing and marking read are idempotent writes: both are retried after a 503.
func TestAlertWritesRetryRules(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		if n == 1 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"detail": "busy"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	c, _, _ := testClient(t, srv.URL)
	id := "603f704aaf7417985bbf3b22"
	if _, err := c.CloseAlerts(context.Background(), CloseBenign, []string{id}, CloseOptions{}); err != nil {
		t.Errorf("close after one 503: %v", err)
	}
	if err := c.MarkAlertRead(context.Background(), id); err != nil {
		t.Errorf("mark read after one 503: %v", err)
	}
	mustEqual(t, "requests", srv.count(), 4)
}

func TestAlertErrorsNameThePermission(t *testing.T) {
	m := startMock(t, mockserver.Options{Clients: []mockserver.ClientCredential{
		{ID: "settings", Secret: mockSecret, Roles: []string{"Settings.manage"}},
		{ID: "reader", Secret: mockSecret, Roles: []string{"Investigation.read"}},
	}})
	ctx := context.Background()
	id := m.Alerts()[0].ID
	settings, _, _ := mockClient(t, m, mockEntra(m, "settings", mockSecret))
	reader, _, _ := mockClient(t, m, mockEntra(m, "reader", mockSecret))

	check := func(what string, err error, permission string) {
		t.Helper()
		apiErr := &APIError{}
		if !IsForbidden(err) || !errors.As(err, &apiErr) || apiErr.Permission != permission || !strings.Contains(err.Error(), "grant the application the MDA permission "+permission) {
			t.Errorf("%s: %v (permission %q), want 403 naming %q", what, err, apiErr.Permission, permission)
		}
	}
	_, err := settings.ListAlerts(ctx, Query{})
	check("list", err, "Investigation.read (or Discovery.read)")
	_, err = settings.GetAlert(ctx, id)
	check("get", err, "Investigation.read (or Discovery.read)")
	_, err = settings.LookupAlert(ctx, id)
	check("lookup", err, "Investigation.read (or Discovery.read)")
	check("mark read", settings.MarkAlertRead(ctx, id), "Investigation.read (or Discovery.read)")

	if _, err := reader.LookupAlert(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, err = reader.CloseAlerts(ctx, CloseBenign, []string{id}, CloseOptions{})
	check("close", err, "Investigation.manage (or Discovery.manage)")
	check("batched close", reader.CloseAlert(ctx, CloseTruePositive, id, CloseOptions{}), "Investigation.manage (or Discovery.manage)")
}

type closeRequest struct {
	ids  []string
	rest map[string]any // every field but filters
}

// decodeCloseBody splits a close body into the ids of filters.id.eq and the other fields.
func decodeCloseBody(t *testing.T, data []byte) ([]string, map[string]any) {
	t.Helper()
	var f struct {
		Filters struct {
			ID struct {
				Eq []string `json:"eq"`
			} `json:"id"`
		} `json:"filters"`
	}
	var rest map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Errorf("close body %s: %v", data, err)
	}
	_ = json.Unmarshal(data, &rest)
	delete(rest, "filters")
	return f.Filters.ID.Eq, rest
}

// legacyClosedAlertJSON is the recorded answer of GET /api/v1/alerts/<id>/ that issue 13
// starts from: closed (a resolveTime), with no resolutionStatusValue at all and "null"
// strings for the handling.
const legacyClosedAlertJSON = `{
  "_id": "5f06d71dba4289d0602ba5ac", "timestamp": 1594540120975, "title": "Impossible travel activity",
  "statusValue": 1, "severityValue": 0, "resolveTime": "2020-07-12T07:48:40.975Z",
  "comment": "null", "handledByUser": "null", "entities": []
}`

func TestAlertDecoding_missingResolution(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       int
		inferred   bool
	}{
		{"recorded: absent, closed", legacyClosedAlertJSON, ResolutionResolved, true},
		{"null, closed", `{"resolutionStatusValue": null, "resolveTime": "2020-07-12T07:48:40.975Z"}`, ResolutionResolved, true},
		{`"null", closed`, `{"resolutionStatusValue": "null", "resolveTime": 1594539720975}`, ResolutionResolved, true},
		{"absent, open", `{"statusValue": 0}`, ResolutionOpen, true},
		{"null, resolveTime null", `{"resolutionStatusValue": null, "resolveTime": null}`, ResolutionOpen, true},
		{`absent, resolveTime "null"`, `{"resolveTime": "null"}`, ResolutionOpen, true},
		// A code MDA sends is believed, with or without a resolveTime.
		{"code wins", `{"resolutionStatusValue": 3, "resolveTime": "2020-07-12T07:48:40.975Z"}`, ResolutionFalsePositive, false},
		{"code 0 with resolveTime", `{"resolutionStatusValue": 0, "resolveTime": "2020-07-12T07:48:40.975Z"}`, ResolutionOpen, false},
		{"numeric string", `{"resolutionStatusValue": "4"}`, ResolutionBenign, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a Alert
			if err := json.Unmarshal([]byte(tc.json), &a); err != nil {
				t.Fatal(err)
			}
			if a.Resolution != tc.want || a.ResolutionInferred != tc.inferred {
				t.Errorf("Resolution %d (inferred %v), want %d (inferred %v)", a.Resolution, a.ResolutionInferred, tc.want, tc.inferred)
			}
		})
	}
	var a Alert
	if err := json.Unmarshal([]byte(legacyClosedAlertJSON), &a); err != nil {
		t.Fatal(err)
	}
	if a.Comment != "" || a.HandledByUser != "" || a.ResolveTime == nil || a.Status != AlertRead {
		t.Errorf("recorded alert = %+v", a)
	}
	for _, bad := range []string{`{"resolutionStatusValue": "closed"}`, `{"resolutionStatusValue": 1.5}`, `{"resolutionStatusValue": {}}`} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

// TestAlertDecoding_nullStrings sets every string field of an alert, its policy and an
// entity, found by reflection from their json tags, to the string "null" and then to
// null: each must decode to "". A string field added later without going through
// dropNullText fails here.
func TestAlertDecoding_nullStrings(t *testing.T) {
	stringKeys := func(v any) []string {
		var keys []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Type.Kind() == reflect.String && name != "" && name != "-" {
				keys = append(keys, name)
			}
		}
		return keys
	}
	alertKeys, policyKeys, entityKeys := stringKeys(Alert{}), stringKeys(AlertPolicy{}), stringKeys(AlertEntity{})
	if len(alertKeys) < 6 || len(policyKeys) < 3 || len(entityKeys) < 5 {
		t.Fatalf("too few string fields found: %v %v %v", alertKeys, policyKeys, entityKeys)
	}
	for _, null := range []any{"null", nil} {
		fill := func(keys []string) map[string]any {
			m := map[string]any{}
			for _, k := range keys {
				m[k] = null
			}
			return m
		}
		doc := fill(alertKeys)
		doc["policy"] = fill(policyKeys)
		doc["entities"] = []any{fill(entityKeys)}
		raw, _ := json.Marshal(doc)
		var a Alert
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("%s: %s", raw, err)
		}
		check := func(what string, v any) {
			rv := reflect.ValueOf(v)
			for i := range rv.NumField() {
				if f := rv.Field(i); f.Kind() == reflect.String && f.String() != "" {
					t.Errorf("%v: %s.%s = %q, want \"\"", null, what, rv.Type().Field(i).Name, f.String())
				}
			}
		}
		check("Alert", a)
		if a.Policy == nil || len(a.Entities) != 1 {
			t.Fatalf("%s decoded as %+v", raw, a)
		}
		check("AlertPolicy", *a.Policy)
		check("AlertEntity", a.Entities[0])
	}
}
