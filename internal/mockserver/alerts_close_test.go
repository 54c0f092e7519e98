package mockserver

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func openAlerts(m *testMock, n int) []string {
	var ids []string
	for _, a := range m.Alerts() {
		if a.Resolution == 0 && len(ids) < n {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func byIDs(ids ...string) map[string]any {
	return map[string]any{"id": map[string]any{"eq": ids}}
}

func TestCloseAlerts(t *testing.T) {
	m := newTestMock(t, Options{})
	ids := openAlerts(m, 4)
	missing := "0123456789abcdef01234567"
	m.clock.Advance(time.Minute)
	now := m.clock.Now()

	r := m.mustStatus(m.api("POST", "/api/v1/alerts/close_benign/", map[string]any{
		"filters": byIDs(ids[0], ids[1], missing), "comment": "Travelling", "reasonId": 5,
		"sendFeedback": true, "feedbackText": "fine", "allowContact": true, "contactEmail": "soc@contoso.com",
	}), 200)
	if got := r.object(t); got["closed_benign"] != 2.0 || fmt.Sprint(got["alertsNotFound"]) != "["+missing+"]" {
		t.Errorf("close_benign answered %s", r.body)
	}
	for _, id := range ids[:2] {
		a, _ := m.Alert(id)
		if a.Resolution != 4 || a.ResolveTime == nil || !a.ResolveTime.Equal(now) || a.Comment != "Travelling" ||
			a.HandledByUser != "api@"+m.Tenant() || a.Reason == nil || *a.Reason != 5 {
			t.Errorf("closed benign: %+v", a)
		}
		if got := m.api("GET", "/api/v1/alerts/"+id+"/", nil).object(t)["resolveTime"]; got != now.UTC().Format(isoMillis) {
			t.Errorf("served resolveTime %v", got)
		}
	}

	r = m.mustStatus(m.api("POST", "/api/v1/alerts/close_false_positive/", map[string]any{"filters": byIDs(ids[2]), "reasonId": 1}), 200)
	if got := r.object(t); got["closed_false_positive"] != 1.0 || got["alertsNotFound"] != nil {
		t.Errorf("close_false_positive answered %s", r.body)
	}
	if a, _ := m.Alert(ids[2]); a.Resolution != 3 || *a.Reason != 1 || a.Comment != "" {
		t.Errorf("closed false positive: %+v", a)
	}

	// Closing a closed alert closes it again with the new resolution ([U], see closeAlerts).
	r = m.mustStatus(m.api("POST", "/api/v1/alerts/close_true_positive/", map[string]any{"filters": byIDs(ids[2], ids[3]), "comment": "Compromised"}), 200)
	if got := r.object(t); got["closed_true_positive"] != 2.0 {
		t.Errorf("close_true_positive answered %s", r.body)
	}
	for _, id := range ids[2:4] {
		if a, _ := m.Alert(id); a.Resolution != 5 || a.Reason != nil || a.Comment != "Compromised" {
			t.Errorf("closed true positive: %+v", a)
		}
	}

	// Only missing ids: nothing closed, every id reported.
	r = m.mustStatus(m.api("POST", "/api/v1/alerts/close_benign/", map[string]any{"filters": byIDs(missing, "76543210fedcba9876543210")}), 200)
	if got := r.object(t); got["closed_benign"] != 0.0 || fmt.Sprint(got["alertsNotFound"]) != "["+missing+" 76543210fedcba9876543210]" {
		t.Errorf("answered %s", r.body)
	}
	if st := m.Stats().Routes; st["POST /api/v1/alerts/close_benign/"] != 2 || st["POST /api/v1/alerts/close_true_positive/"] != 1 {
		t.Errorf("stats %v", st)
	}
}

func TestCloseAlertsReasonRules(t *testing.T) {
	m := newTestMock(t, Options{})
	id := openAlerts(m, 1)[0]
	tests := []struct {
		path   string
		reason any
		ok     bool
	}{
		{"close_benign", 2, true}, {"close_benign", 4, true}, {"close_benign", 5, true}, {"close_benign", 6, true},
		{"close_benign", 0, false}, {"close_benign", 1, false}, {"close_benign", 3, false}, {"close_benign", 7, false},
		{"close_false_positive", 0, true}, {"close_false_positive", 1, true}, {"close_false_positive", 3, true}, {"close_false_positive", 4, true},
		{"close_false_positive", 2, false}, {"close_false_positive", 5, false}, {"close_false_positive", 6, false},
		{"close_true_positive", 0, false}, {"close_true_positive", 5, false},
		{"close_benign", "five", false}, {"close_benign", 2.5, false},
		{"close_benign", nil, true}, {"close_false_positive", nil, true}, {"close_true_positive", nil, true},
	}
	for _, tt := range tests {
		body := map[string]any{"filters": byIDs(id)}
		if tt.reason != nil {
			body["reasonId"] = tt.reason
		}
		before, _ := m.Alert(id)
		r := m.api("POST", "/api/v1/alerts/"+tt.path+"/", body)
		if tt.ok {
			m.mustStatus(r, 200)
			continue
		}
		errs := formErrorsOf(t, r, "reasonId")
		t.Logf("%s reasonId %v: %s", tt.path, tt.reason, errs[0].Error)
		if after, _ := m.Alert(id); !reflect.DeepEqual(before, after) {
			t.Errorf("%s reasonId %v: a refused close changed the alert", tt.path, tt.reason)
		}
	}
	// A JSON null is no reason, even for true positive.
	m.mustStatus(m.api("POST", "/api/v1/alerts/close_true_positive/", map[string]any{"filters": byIDs(id), "reasonId": nil}), 200)
}

func TestCloseAlertsBadFilters(t *testing.T) {
	m := newTestMock(t, Options{})
	id := openAlerts(m, 1)[0]
	for _, body := range []map[string]any{{}, {"filters": map[string]any{}}, {"filters": nil}} {
		formErrorsOf(t, m.api("POST", "/api/v1/alerts/close_benign/", body), "filters")
	}
	// A malformed id among good ones refuses the whole request (mda-api.md 1.8).
	errs := formErrorsOf(t, m.api("POST", "/api/v1/alerts/close_false_positive/", map[string]any{"filters": byIDs(id, "5f843e9cfe3f6d80fe58a96")}), "filters")
	if errs[0].Error != "5f843e9cfe3f6d80fe58a96 is not valid" || errs[0].Params["value"] != "5f843e9cfe3f6d80fe58a96" {
		t.Errorf("error %+v", errs[0])
	}
	if a, _ := m.Alert(id); a.Resolution != 0 {
		t.Error("a refused close closed the alert")
	}
	formErrorsOf(t, m.api("POST", "/api/v1/alerts/close_benign/", map[string]any{"filters": byIDs(id), "sendFeedback": "maybe"}), "sendFeedback")
	formErrorsOf(t, m.api("POST", "/api/v1/alerts/close_benign/", map[string]any{"filters": byIDs(id), "comment": 5}), "comment")
}

func TestCloseAlertsByOtherFilters(t *testing.T) {
	m := newTestMock(t, Options{})
	want := alertIDs(m.Alerts(), func(a Alert) bool { return a.Resolution == 0 && a.Severity == 0 })
	r := m.mustStatus(m.api("POST", "/api/v1/alerts/close_false_positive/", map[string]any{"filters": map[string]any{
		"alertOpen": map[string]any{"eq": true}, "severity": map[string]any{"eq": 0},
	}, "reasonId": 0}), 200)
	if got := r.object(t)["closed_false_positive"]; got != float64(len(want)) {
		t.Errorf("closed %v, want %d", got, len(want))
	}
	for _, id := range want {
		if a, _ := m.Alert(id); a.Resolution != 3 {
			t.Errorf("%s not closed", id)
		}
	}
}

func TestReopenAlerts(t *testing.T) {
	m := newTestMock(t, Options{})
	ids := openAlerts(m, 2)
	m.mustStatus(m.api("POST", "/api/v1/alerts/close_benign/", map[string]any{"filters": byIDs(ids...), "reasonId": 2, "comment": "ok"}), 200)
	r := m.mustStatus(m.api("POST", "/api/v1/alerts/reopen/", map[string]any{"filters": byIDs(ids[0], ids[1], "0123456789abcdef01234567")}), 200)
	if got := r.object(t); got["reopened"] != 2.0 || fmt.Sprint(got["alertsNotFound"]) != "[0123456789abcdef01234567]" {
		t.Errorf("reopen answered %s", r.body)
	}
	for _, id := range ids {
		a, _ := m.Alert(id)
		if a.Resolution != 0 || a.ResolveTime != nil || a.Reason != nil {
			t.Errorf("reopened alert %+v", a)
		}
		if _, ok := m.api("GET", "/api/v1/alerts/"+id+"/", nil).object(t)["resolveTime"]; ok {
			t.Error("a reopened alert still serves resolveTime")
		}
	}
	open := m.listAlerts(map[string]any{"filters": map[string]any{"alertOpen": map[string]any{"eq": true}, "id": map[string]any{"eq": ids}}})
	if len(open) != 2 {
		t.Errorf("alertOpen after reopen: %v", open)
	}
}
