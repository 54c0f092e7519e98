package mockserver

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// listAlerts walks every page of an alert listing and returns the ids in order.
func (m *testMock) listAlerts(body map[string]any) []string {
	m.t.Helper()
	var ids []string
	for skip := 0; ; {
		b := map[string]any{"skip": skip, "limit": 100}
		for k, v := range body {
			b[k] = v
		}
		var env envelope
		m.mustStatus(m.api("POST", "/api/v1/alerts/", b), 200).json(m.t, &env)
		for _, d := range env.Data {
			ids = append(ids, str(d["_id"]))
		}
		skip += len(env.Data)
		if !env.HasNext {
			if env.Total != len(ids) {
				m.t.Fatalf("total %d, walked %d", env.Total, len(ids))
			}
			return ids
		}
	}
}

func alertIDs(as []Alert, keep func(Alert) bool) []string {
	var out []string
	for _, a := range as {
		if keep(a) {
			out = append(out, a.ID)
		}
	}
	return out
}

func countBy[K comparable](as []Alert, key func(Alert) []K) map[K]int {
	out := map[K]int{}
	for _, a := range as {
		for _, k := range key(a) {
			out[k]++
		}
	}
	return out
}

func TestAlertSeed(t *testing.T) {
	a := newTestMock(t, Options{Seed: 7})
	b := newTestMock(t, Options{Seed: 7})
	c := newTestMock(t, Options{Seed: 8})
	as := a.Alerts()
	if !reflect.DeepEqual(as, b.Alerts()) {
		t.Fatal("the same seed gave different alerts")
	}
	if cs := c.Alerts(); cs[0].ID == as[0].ID || cs[0].Timestamp == as[0].Timestamp {
		t.Error("seeds 7 and 8 gave the same first alert")
	}
	if len(as) != seededAlerts {
		t.Fatalf("%d alerts, want %d", len(as), seededAlerts)
	}

	now := a.clock.Now()
	seen := map[string]bool{}
	legacy := 0
	for i, al := range as {
		if !objectIDRe.MatchString(al.ID) || seen[al.ID] {
			t.Fatalf("id %q is not a fresh 24-hex id", al.ID)
		}
		seen[al.ID] = true
		if i > 0 && al.Timestamp > as[i-1].Timestamp {
			t.Fatal("Alerts is not newest first")
		}
		if al.Timestamp > now.UnixMilli() || al.Timestamp < now.Add(-90*24*time.Hour).UnixMilli() {
			t.Errorf("%s: timestamp %d outside the last 90 days", al.ID, al.Timestamp)
		}
		closed := al.Resolution != 0
		// The legacy closed alerts are handled by nobody MDA names.
		handled := closed && !al.NullStrings
		if al.OmitResolution != al.NullStrings || al.OmitResolution && al.Resolution != 2 {
			t.Errorf("%s: resolution %d, omitted %v, null strings %v", al.ID, al.Resolution, al.OmitResolution, al.NullStrings)
		}
		if al.OmitResolution {
			legacy++
		}
		if closed != (al.ResolveTime != nil) || handled != (al.Comment != "") || handled != (al.HandledByUser != "") {
			t.Errorf("%s: resolution %d with resolveTime %v, comment %q, handledByUser %q", al.ID, al.Resolution, al.ResolveTime, al.Comment, al.HandledByUser)
		}
		if al.URL != "https://mock.us3.portal.cloudappsecurity.com/#/alerts/"+al.ID || al.PolicyID == "" || len(al.ServiceIDs) == 0 {
			t.Errorf("%s: URL %q, policy %q, services %v", al.ID, al.URL, al.PolicyID, al.ServiceIDs)
		}
	}
	if legacy != legacyClosedAlerts {
		t.Errorf("%d alerts served without resolutionStatusValue, want %d", legacy, legacyClosedAlerts)
	}

	// Every filter value the provider offers matches several alerts, and none matches all.
	for name, counts := range map[string]map[string]int{
		"severity":   countBy(as, func(a Alert) []string { return []string{fmt.Sprint(a.Severity)} }),
		"status":     countBy(as, func(a Alert) []string { return []string{fmt.Sprint(a.Status)} }),
		"resolution": countBy(as, func(a Alert) []string { return []string{fmt.Sprint(a.Resolution)} }),
		"source":     countBy(as, func(a Alert) []string { return []string{a.Source} }),
		"policy":     countBy(as, func(a Alert) []string { return []string{a.PolicyID} }),
		"service":    countBy(as, func(a Alert) []string { return strings.Fields(fmt.Sprint(a.ServiceIDs)) }),
		"ip":         countBy(as, func(a Alert) []string { return a.IPs }),
		"account":    countBy(as, func(a Alert) []string { return a.Accounts }),
		"system":     countBy(as, func(a Alert) []string { return []string{fmt.Sprint(a.IsSystemAlert)} }),
	} {
		want := map[string]int{"severity": 4, "status": 3, "resolution": 6, "source": 2, "policy": 10, "service": 8, "ip": 10, "account": 8, "system": 2}[name]
		if len(counts) < want {
			t.Errorf("%s: %d distinct values, want at least %d: %v", name, len(counts), want, counts)
		}
		for v, n := range counts {
			if n < 3 || n == len(as) {
				t.Errorf("%s %s matches %d alerts", name, v, n)
			}
		}
	}

	// Reset with reseed undoes changes.
	first := as[0]
	if !a.DeleteAlert(first.ID) {
		t.Fatal("DeleteAlert")
	}
	a.Reset(true)
	if got, ok := a.Alert(first.ID); !ok || !reflect.DeepEqual(got, first) {
		t.Errorf("after Reset(true): %+v, %v", got, ok)
	}
	// Alerts do not move subnet ids: a seeded range gets the id it had before alerts.
	if s := a.SeedSubnets(1, ""); s[0].ID == first.ID {
		t.Error("subnet and alert ids collide")
	}
}

func TestAlertJSONShape(t *testing.T) {
	m := newTestMock(t, Options{})
	var open, closed Alert
	for _, a := range m.Alerts() {
		if a.Resolution == 0 && open.ID == "" {
			open = a
		}
		if a.Resolution == 4 && closed.ID == "" {
			closed = a
		}
	}
	var raw map[string]json.RawMessage
	m.mustStatus(m.api("GET", "/api/v1/alerts/"+open.ID+"/", nil), 200).json(t, &raw)
	for _, k := range []string{"_id", "contextId", "timestamp", "title", "description", "entities", "policy", "idValue", "isSystemAlert",
		"resolutionStatusValue", "severityValue", "statusValue", "stories", "intent", "evidence", "threatScore", "comment", "handledByUser", "URL"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("open alert lacks %q", k)
		}
	}
	if _, ok := raw["resolveTime"]; ok {
		t.Error("open alert has resolveTime")
	}
	if string(raw["comment"]) != "null" || string(raw["handledByUser"]) != "null" {
		t.Errorf("open alert: comment %s handledByUser %s, want null", raw["comment"], raw["handledByUser"])
	}
	var policy map[string]string
	_ = json.Unmarshal(raw["policy"], &policy)
	if policy["id"] != open.PolicyID || policy["type"] != "policyRule" || policy["policyType"] == "" || policy["label"] != open.PolicyLabel {
		t.Errorf("policy = %v", policy)
	}
	var entities []map[string]json.RawMessage
	_ = json.Unmarshal(raw["entities"], &entities)
	var sawService, sawRule bool
	for _, e := range entities {
		switch string(e["type"]) {
		case `"service"`:
			sawService = true
			if id := string(e["id"]); strings.HasPrefix(id, `"`) || id != fmt.Sprint(open.ServiceIDs[0]) {
				t.Errorf("service entity id %s is not the int %d", id, open.ServiceIDs[0])
			}
		case `"policyRule"`:
			sawRule = true
		}
	}
	if !sawService || !sawRule {
		t.Errorf("entities %v lack a service or a policyRule", entities)
	}
	if str(m.api("GET", "/api/v1/alerts/"+open.ID+"/", nil).object(t)["contextId"]) != m.Tenant() {
		t.Error("contextId is not the tenant")
	}

	got := m.mustStatus(m.api("GET", "/api/v1/alerts/"+closed.ID, nil), 200).object(t)
	rt, err := time.Parse(time.RFC3339Nano, str(got["resolveTime"]))
	if err != nil || !strings.HasSuffix(str(got["resolveTime"]), "Z") || !rt.Equal(*closed.ResolveTime) {
		t.Errorf("resolveTime %v (%v), want ISO of %v", got["resolveTime"], err, closed.ResolveTime)
	}
	if str(got["comment"]) != closed.Comment || str(got["handledByUser"]) != closed.HandledByUser {
		t.Errorf("closed alert %v", got)
	}
	if fmt.Sprint(got["resolutionStatusValue"]) != "4" {
		t.Errorf("closed alert: resolutionStatusValue %v, want 4", got["resolutionStatusValue"])
	}
}

// TestAlertJSONShape_legacyClosed checks the seeded alerts served as a real tenant sent a
// closed alert: a resolveTime, no resolutionStatusValue, "null" strings. A close through
// the API gives them a code again.
func TestAlertJSONShape_legacyClosed(t *testing.T) {
	m := newTestMock(t, Options{})
	var legacy []Alert
	for _, a := range m.Alerts() {
		if a.OmitResolution {
			legacy = append(legacy, a)
		}
	}
	if len(legacy) != legacyClosedAlerts {
		t.Fatalf("%d legacy closed alerts seeded, want %d", len(legacy), legacyClosedAlerts)
	}
	for _, a := range legacy {
		var raw map[string]json.RawMessage
		m.mustStatus(m.api("GET", "/api/v1/alerts/"+a.ID+"/", nil), 200).json(t, &raw)
		if v, ok := raw["resolutionStatusValue"]; ok {
			t.Errorf("%s: resolutionStatusValue %s served", a.ID, v)
		}
		if string(raw["comment"]) != `"null"` || string(raw["handledByUser"]) != `"null"` || len(raw["resolveTime"]) < 10 {
			t.Errorf("%s: comment %s, handledByUser %s, resolveTime %s", a.ID, raw["comment"], raw["handledByUser"], raw["resolveTime"])
		}
	}
	// The listing serves them the same way, and they count as closed and resolved.
	page := m.mustStatus(m.api("POST", "/api/v1/alerts/", map[string]any{
		"filters": map[string]any{"id": map[string]any{"eq": []string{legacy[0].ID}}, "alertOpen": map[string]any{"eq": false},
			"resolutionStatus": map[string]any{"eq": []int{2}}},
	}), 200).object(t)
	items, _ := page["data"].([]any)
	if len(items) != 1 {
		t.Fatalf("listing: %v", page)
	}
	if _, ok := items[0].(map[string]any)["resolutionStatusValue"]; ok {
		t.Errorf("listing serves resolutionStatusValue: %v", items[0])
	}

	m.mustStatus(m.api("POST", "/api/v1/alerts/close_true_positive/", map[string]any{"filters": map[string]any{"id": map[string]any{"eq": []string{legacy[1].ID}}}}), 200)
	got := m.mustStatus(m.api("GET", "/api/v1/alerts/"+legacy[1].ID+"/", nil), 200).object(t)
	if fmt.Sprint(got["resolutionStatusValue"]) != "5" || str(got["handledByUser"]) != "api@"+m.Tenant() {
		t.Errorf("after a close: %v", got)
	}
}

func TestAlertFilters(t *testing.T) {
	m := newTestMock(t, Options{})
	all := m.Alerts()
	now := m.clock.Now()
	day := int64(24 * time.Hour / time.Millisecond)
	from, to := now.UnixMilli()-30*day, now.UnixMilli()-10*day

	var acct map[string]any // an account entity in some Salesforce alert (inst 1)
	var file string
	for _, a := range all {
		for _, e := range a.Entities {
			if e["type"] == "account" && e["saas"] == 11114 && acct == nil {
				acct = e
			}
			if e["type"] == "file" && file == "" {
				file = str(e["id"])
			}
		}
	}
	policy, ip := all[0].PolicyID, all[1].IPs[0]
	ids := []string{all[3].ID, all[5].ID, strings.ToUpper(all[8].ID)}

	hasAccount := func(a Alert, id any, saas any) bool {
		return slices.ContainsFunc(a.Entities, func(e map[string]any) bool {
			return e["type"] == "account" && e["id"] == id && (saas == nil || e["saas"] == saas)
		})
	}
	tests := []struct {
		name    string
		filters map[string]any
		keep    func(Alert) bool
	}{
		{"severity eq", map[string]any{"severity": map[string]any{"eq": []int{2}}}, func(a Alert) bool { return a.Severity == 2 }},
		{"severity eq scalar", map[string]any{"severity": map[string]any{"eq": 2}}, func(a Alert) bool { return a.Severity == 2 }},
		{"severity neq", map[string]any{"severity": map[string]any{"neq": []int{0, 1}}}, func(a Alert) bool { return a.Severity > 1 }},
		{"resolutionStatus eq", map[string]any{"resolutionStatus": map[string]any{"eq": []int{3, 4}}}, func(a Alert) bool { return a.Resolution == 3 || a.Resolution == 4 }},
		{"resolutionStatus neq", map[string]any{"resolutionStatus": map[string]any{"neq": []int{0}}}, func(a Alert) bool { return a.Resolution != 0 }},
		{"alertOpen true", map[string]any{"alertOpen": map[string]any{"eq": true}}, func(a Alert) bool { return a.Resolution == 0 }},
		{"alertOpen false", map[string]any{"alertOpen": map[string]any{"eq": false}}, func(a Alert) bool { return a.Resolution != 0 }},
		{"read true", map[string]any{"read": map[string]any{"eq": true}}, func(a Alert) bool { return a.Status != 0 }},
		{"read false", map[string]any{"read": map[string]any{"eq": false}}, func(a Alert) bool { return a.Status == 0 }},
		{"date gte", map[string]any{"date": map[string]any{"gte": from}}, func(a Alert) bool { return a.Timestamp >= from }},
		{"date lte", map[string]any{"date": map[string]any{"lte": to}}, func(a Alert) bool { return a.Timestamp <= to }},
		{"date gte and lte", map[string]any{"date": map[string]any{"gte": from, "lte": to}}, func(a Alert) bool { return a.Timestamp >= from && a.Timestamp <= to }},
		{"date range", map[string]any{"date": map[string]any{"range": []map[string]int64{{"start": from, "end": to}}}}, func(a Alert) bool { return a.Timestamp >= from && a.Timestamp <= to }},
		{"date gte_ndays", map[string]any{"date": map[string]any{"gte_ndays": 30}}, func(a Alert) bool { return a.Timestamp >= from }},
		{"resolutionDate gte", map[string]any{"resolutionDate": map[string]any{"gte": from}}, func(a Alert) bool { return a.ResolveTime != nil && a.ResolveTime.UnixMilli() >= from }},
		{"entity.policy eq", map[string]any{"entity.policy": map[string]any{"eq": []string{policy}}}, func(a Alert) bool { return a.PolicyID == policy }},
		{"entity.policy neq", map[string]any{"entity.policy": map[string]any{"neq": policy}}, func(a Alert) bool { return a.PolicyID != policy }},
		{"entity.service eq", map[string]any{"entity.service": map[string]any{"eq": []int{11161, 20940}}}, func(a Alert) bool {
			return slices.Contains(a.ServiceIDs, 11161) || slices.Contains(a.ServiceIDs, 20940)
		}},
		{"entity.service eq scalar", map[string]any{"entity.service": map[string]any{"eq": 11770}}, func(a Alert) bool { return slices.Contains(a.ServiceIDs, 11770) }},
		{"entity.service neq", map[string]any{"entity.service": map[string]any{"neq": []int{11161}}}, func(a Alert) bool { return !slices.Contains(a.ServiceIDs, 11161) }},
		{"entity.ip eq", map[string]any{"entity.ip": map[string]any{"eq": []string{ip}}}, func(a Alert) bool { return slices.Contains(a.IPs, ip) }},
		{"entity.ip neq", map[string]any{"entity.ip": map[string]any{"neq": []string{ip}}}, func(a Alert) bool { return !slices.Contains(a.IPs, ip) }},
		{"source built-in", map[string]any{"source": map[string]any{"eq": []string{"built-in"}}}, func(a Alert) bool { return a.Source == "built-in" }},
		{"source policy", map[string]any{"source": map[string]any{"eq": "policy"}}, func(a Alert) bool { return a.Source == "policy" }},
		{"source spelled BUILT_IN", map[string]any{"source": map[string]any{"eq": "BUILT_IN"}}, func(a Alert) bool { return a.Source == "built-in" }},
		{"id eq", map[string]any{"id": map[string]any{"eq": ids}}, func(a Alert) bool { return slices.Contains(ids, strings.ToUpper(a.ID)) || slices.Contains(ids, a.ID) }},
		{"ID eq", map[string]any{"ID": map[string]any{"eq": ids[0]}}, func(a Alert) bool { return a.ID == ids[0] }},
		{"id neq", map[string]any{"id": map[string]any{"neq": ids[:2]}}, func(a Alert) bool { return !slices.Contains(ids[:2], a.ID) }},
		{"entity.entity", map[string]any{"entity.entity": map[string]any{"eq": []map[string]any{{"id": acct["id"], "inst": 1}}}}, func(a Alert) bool {
			return hasAccount(a, acct["id"], nil) && slices.ContainsFunc(a.Entities, func(e map[string]any) bool { return e["id"] == acct["id"] && e["inst"] == 1 })
		}},
		{"entity.entity with saas", map[string]any{"entity.entity": map[string]any{"eq": []map[string]any{{"id": acct["id"], "inst": 1, "saas": 11114}}}}, func(a Alert) bool {
			return hasAccount(a, acct["id"], 11114)
		}},
		{"entity.instance", map[string]any{"entity.instance": map[string]any{"eq": 1}}, func(a Alert) bool {
			return slices.ContainsFunc(a.Entities, func(e map[string]any) bool { return e["type"] == "account" && e["inst"] == 1 })
		}},
		{"entity.user", map[string]any{"entity.user": map[string]any{"eq": "ALICE@contoso.com"}}, func(a Alert) bool { return slices.Contains(a.Accounts, "alice@contoso.com") }},
		{"entity.file", map[string]any{"entity.file": map[string]any{"eq": []string{file}}}, func(a Alert) bool {
			return slices.ContainsFunc(a.Entities, func(e map[string]any) bool { return e["type"] == "file" && e["id"] == file })
		}},
		{"risk", map[string]any{"risk": map[string]any{"eq": all[0].ThreatScore}}, func(a Alert) bool { return a.ThreatScore == all[0].ThreatScore }},
		{"alertType", map[string]any{"alertType": map[string]any{"neq": all[0].AlertType}}, func(a Alert) bool { return a.AlertType != all[0].AlertType }},
		{"several fields AND", map[string]any{"severity": map[string]any{"eq": []int{1, 2}}, "alertOpen": map[string]any{"eq": true}, "entity.service": map[string]any{"eq": []int{11161}}},
			func(a Alert) bool {
				return (a.Severity == 1 || a.Severity == 2) && a.Resolution == 0 && slices.Contains(a.ServiceIDs, 11161)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := alertIDs(all, tt.keep)
			if len(want) == 0 || len(want) == len(all) {
				t.Fatalf("the seed gives %d of %d alerts for this filter: it proves nothing", len(want), len(all))
			}
			m.t = t
			if got := m.listAlerts(map[string]any{"filters": tt.filters}); !slices.Equal(got, want) {
				t.Errorf("got %d alerts, want %d\n got %v\nwant %v", len(got), len(want), got, want)
			}
		})
	}
}

func TestAlertFilterErrors(t *testing.T) {
	m := newTestMock(t, Options{})
	for _, f := range []map[string]any{
		{"id": map[string]any{"eq": []string{"not-an-id"}}},
		{"id": map[string]any{"eq": []string{"ca" + m.Alerts()[0].ID}}}, // a Defender XDR id
		{"severity": map[string]any{"gte": 1}},                          // not an alert operator
		{"entity.nothing": map[string]any{"eq": 1}},
		{"entity.entity": map[string]any{"eq": []string{"just-a-string"}}},
	} {
		errs := formErrorsOf(t, m.api("POST", "/api/v1/alerts/", map[string]any{"filters": f}), "filters")
		t.Logf("%v -> %s", f, errs[0].Error)
	}
	errs := formErrorsOf(t, m.api("POST", "/api/v1/alerts/", map[string]any{"filters": map[string]any{"id": map[string]any{"eq": "xyz"}}}), "filters")
	if errs[0].Error != "xyz is not valid" || errs[0].Params["value"] != "xyz" {
		t.Errorf("malformed id error = %+v, want the shape recorded in mda-api.md 1.8", errs[0])
	}
	formErrorsOf(t, m.api("POST", "/api/v1/alerts/", map[string]any{"sortField": "title"}), "sortField")
}

func TestAlertSort(t *testing.T) {
	m := newTestMock(t, Options{})
	all := m.Alerts()
	byID := map[string]Alert{}
	for _, a := range all {
		byID[a.ID] = a
	}
	if got := m.listAlerts(nil); !slices.Equal(got, alertIDs(all, func(Alert) bool { return true })) {
		t.Error("the default order is not newest first")
	}
	rank := map[int]int{3: 0, 0: 1, 1: 2, 2: 3}
	for _, tt := range []struct {
		field, dir string
		key        func(Alert) int64
	}{
		{"date", "asc", func(a Alert) int64 { return a.Timestamp }},
		{"date", "desc", func(a Alert) int64 { return -a.Timestamp }},
		{"severity", "asc", func(a Alert) int64 { return int64(rank[a.Severity]) }},
		{"severity", "desc", func(a Alert) int64 { return -int64(rank[a.Severity]) }},
		{"status", "asc", func(a Alert) int64 { return int64(a.Resolution) }},
	} {
		got := m.listAlerts(map[string]any{"sortField": tt.field, "sortDirection": tt.dir})
		if len(got) != len(all) {
			t.Fatalf("%s %s: %d alerts", tt.field, tt.dir, len(got))
		}
		for i := 1; i < len(got); i++ {
			if tt.key(byID[got[i-1]]) > tt.key(byID[got[i]]) {
				t.Errorf("%s %s: out of order at %d", tt.field, tt.dir, i)
				break
			}
		}
	}
	// Ties keep the default order whichever way the sort runs.
	got := m.listAlerts(map[string]any{"sortField": "severity", "sortDirection": "desc"})
	for i := 1; i < len(got); i++ {
		a, b := byID[got[i-1]], byID[got[i]]
		if a.Severity == b.Severity && a.Timestamp < b.Timestamp {
			t.Fatalf("severity ties not newest first at %d", i)
		}
	}
}

func TestAlertPaging(t *testing.T) {
	m := newTestMock(t, Options{})
	var pages []envelope
	for skip := 0; skip <= 300; skip += 100 {
		var env envelope
		m.mustStatus(m.api("POST", "/api/v1/alerts/", map[string]any{"skip": skip, "limit": 500}), 200).json(t, &env)
		pages = append(pages, env)
	}
	for i, want := range []struct {
		n       int
		hasNext bool
	}{{100, true}, {100, true}, {100, false}, {0, false}} {
		if len(pages[i].Data) != want.n || pages[i].HasNext != want.hasNext || pages[i].Total != 300 || pages[i].Max != 100 {
			t.Errorf("page %d: %d items, hasNext %v, total %d, max %d", i, len(pages[i].Data), pages[i].HasNext, pages[i].Total, pages[i].Max)
		}
	}
	var env envelope
	m.mustStatus(m.api("POST", "/api/v1/alerts/", map[string]any{"skip": 250}), 200).json(t, &env)
	if len(env.Data) != 50 || env.HasNext {
		t.Errorf("skip 250: %d items, hasNext %v", len(env.Data), env.HasNext)
	}
}

func TestAlertRoutes(t *testing.T) {
	m := newTestMock(t, Options{})
	id := m.Alerts()[0].ID
	sev2 := map[string]any{"filters": map[string]any{"severity": map[string]any{"eq": 2}}}
	want := len(alertIDs(m.Alerts(), func(a Alert) bool { return a.Severity == 2 }))
	for _, path := range []string{"/api/v1/alerts/", "/api/v1/alerts", "/cas/api/v1/alerts/"} {
		for _, method := range []string{"GET", "POST"} {
			var env envelope
			// XSOAR lists with GET and a JSON body.
			m.mustStatus(m.api(method, path, sev2), 200).json(t, &env)
			if env.Total != want {
				t.Errorf("%s %s: total %d, want %d", method, path, env.Total, want)
			}
		}
	}
	m.mustStatus(m.api("GET", "/cas/api/v1/alerts/"+id, nil), 200)
	m.mustStatus(m.api("POST", "/api/v1/alerts/"+id+"/read", nil), 200)
	m.mustStatus(m.api("POST", "/api/v1/alerts/close_benign", map[string]any{"filters": map[string]any{"id": map[string]any{"eq": []string{id}}}}), 200)
	m.mustStatus(m.api("GET", "/api/v1/alerts/close_benign/", nil), 405)
	m.mustStatus(m.api("POST", "/api/v1/alerts/"+id+"/", nil), 405)

	st := m.Stats().Routes
	for k, v := range map[string]int{
		"GET /api/v1/alerts/": 3, "POST /api/v1/alerts/": 3, "GET /api/v1/alerts/{id}/": 1,
		"POST /api/v1/alerts/{id}/read/": 1, "POST /api/v1/alerts/close_benign/": 1,
	} {
		if st[k] != v {
			t.Errorf("stats[%q] = %d, want %d (%v)", k, st[k], v, st)
		}
	}
}

func TestGetAlertErrors(t *testing.T) {
	m := newTestMock(t, Options{})
	r := m.mustStatus(m.api("GET", "/api/v1/alerts/0123456789abcdef01234567/", nil), 404)
	if str(r.object(t)["detail"]) == "" {
		t.Errorf("404 body %s lacks detail", r.body)
	}
	for _, bad := range []string{"nope", "ca" + m.Alerts()[0].ID} {
		formErrorsOf(t, m.api("GET", "/api/v1/alerts/"+bad+"/", nil), "id")
		formErrorsOf(t, m.api("POST", "/api/v1/alerts/"+bad+"/read/", nil), "id")
	}
	m.mustStatus(m.api("POST", "/api/v1/alerts/0123456789abcdef01234567/unread/", nil), 404)
}

func TestMarkAlertReadUnread(t *testing.T) {
	m := newTestMock(t, Options{})
	var id string
	for _, a := range m.Alerts() {
		if a.Status == 0 {
			id = a.ID
			break
		}
	}
	r := m.mustStatus(m.api("POST", "/api/v1/alerts/"+id+"/read/", nil), 200)
	if string(r.body) != "{}" {
		t.Errorf("read answered %s, want {}", r.body)
	}
	if a, _ := m.Alert(id); a.Status != 1 {
		t.Errorf("status after read = %d", a.Status)
	}
	if got := m.api("GET", "/api/v1/alerts/"+id+"/", nil).object(t)["statusValue"]; got != 1.0 {
		t.Errorf("served statusValue = %v", got)
	}
	m.mustStatus(m.api("POST", "/api/v1/alerts/"+id+"/unread/", nil), 200)
	if a, _ := m.Alert(id); a.Status != 0 {
		t.Errorf("status after unread = %d", a.Status)
	}
	// An archived alert marked read is read.
	_ = m.EditAlert(id, func(a *Alert) { a.Status = 2 })
	m.mustStatus(m.api("POST", "/api/v1/alerts/"+id+"/read/", nil), 200)
	if a, _ := m.Alert(id); a.Status != 1 {
		t.Errorf("status = %d", a.Status)
	}
}

func TestAlertPermissions(t *testing.T) {
	const (
		settingsApp  = "44444444-4444-4444-4444-444444444444"
		investigator = "55555555-5555-5555-5555-555555555555"
		discoverer   = "66666666-6666-6666-6666-666666666666"
	)
	m := newTestMock(t, Options{Clients: []ClientCredential{
		{ID: settingsApp, Secret: clientSecret, Roles: []string{"Settings.manage"}},
		{ID: investigator, Secret: clientSecret, Roles: []string{"Investigation.read"}},
		{ID: discoverer, Secret: clientSecret, Roles: []string{"discovery.MANAGE"}},
	}})
	id := m.Alerts()[0].ID
	closeBody := map[string]any{"filters": map[string]any{"id": map[string]any{"eq": []string{id}}}}
	forbidden := func(r response, roles ...string) {
		t.Helper()
		body := m.mustStatus(r, 403).object(t)
		if body["detail"] != "Insufficient role based permissions" || fmt.Sprint(body["requiredRoles"]) != fmt.Sprint(roles) {
			t.Errorf("403 body %s", r.body)
		}
	}
	settings, inv, disc := "Bearer "+m.token(settingsApp), "Bearer "+m.token(investigator), "Bearer "+m.token(discoverer)

	forbidden(m.call("POST", "/api/v1/alerts/", settings, nil), "Investigation.read", "Discovery.read")
	forbidden(m.call("GET", "/api/v1/alerts/"+id+"/", settings, nil), "Investigation.read", "Discovery.read")
	m.mustStatus(m.call("POST", "/api/v1/alerts/", inv, nil), 200)
	m.mustStatus(m.call("GET", "/api/v1/alerts/"+id+"/", inv, nil), 200)
	m.mustStatus(m.call("POST", "/api/v1/alerts/"+id+"/read/", inv, nil), 200)
	forbidden(m.call("POST", "/api/v1/alerts/close_benign/", inv, closeBody), "Investigation.manage", "Discovery.manage")
	forbidden(m.call("POST", "/api/v1/alerts/reopen/", inv, closeBody), "Investigation.manage", "Discovery.manage")
	m.mustStatus(m.call("POST", "/api/v1/alerts/", disc, nil), 200)
	m.mustStatus(m.call("POST", "/api/v1/alerts/close_true_positive/", disc, closeBody), 200)
}
