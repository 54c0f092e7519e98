package mockserver

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// served returns an alert as the API serves it.
func (m *testMock) served(id string) map[string]any {
	m.t.Helper()
	return m.mustStatus(m.api("GET", "/api/v1/alerts/"+id+"/", nil), 200).object(m.t)
}

func servedEntities(a map[string]any, typ string) []string {
	var out []string
	es, _ := a["entities"].([]any)
	for _, e := range es {
		em, _ := e.(map[string]any)
		if em["type"] == typ {
			out = append(out, fmt.Sprint(em["id"]))
		}
	}
	return out
}

func TestEditAlertKeepsServedJSONConsistent(t *testing.T) {
	m := newTestMock(t, Options{})
	var a Alert
	for _, x := range m.Alerts() {
		if x.Resolution == 0 && len(x.Accounts) > 0 && len(x.IPs) > 0 {
			a = x
			break
		}
	}

	// The view fields rewrite their entities.
	if err := m.EditAlert(a.ID, func(x *Alert) {
		x.IPs = []string{"192.0.2.55"}
		x.ServiceIDs = []int{11770}
		x.Accounts = []string{"mallory@fabrikam.com"}
		x.Title = "Edited"
	}); err != nil {
		t.Fatal(err)
	}
	got := m.served(a.ID)
	if ips := servedEntities(got, "ip"); !slices.Equal(ips, []string{"192.0.2.55"}) {
		t.Errorf("ip entities %v", ips)
	}
	if svc := servedEntities(got, "service"); !slices.Equal(svc, []string{"11770"}) {
		t.Errorf("service entities %v", svc)
	}
	if got["title"] != "Edited" || len(servedEntities(got, "account")) != 1 {
		t.Errorf("served %v", got)
	}
	if ids := m.listAlerts(map[string]any{"filters": map[string]any{"entity.ip": map[string]any{"eq": "192.0.2.55"}}}); !slices.Equal(ids, []string{a.ID}) {
		t.Errorf("entity.ip after edit: %v", ids)
	}
	if ids := m.listAlerts(map[string]any{"filters": map[string]any{"entity.user": map[string]any{"eq": "mallory@fabrikam.com"}}}); !slices.Equal(ids, []string{a.ID}) {
		t.Errorf("entity.user after edit: %v", ids)
	}

	// Entities rewrite the view fields.
	_ = m.EditAlert(a.ID, func(x *Alert) {
		x.Entities = append(x.Entities, map[string]any{"id": 20940, "label": "Active Directory", "type": "service"})
	})
	if b, _ := m.Alert(a.ID); !slices.Equal(b.ServiceIDs, []int{11770, 20940}) {
		t.Errorf("ServiceIDs = %v", b.ServiceIDs)
	}

	// A new policy moves the policy object and its policyRule entity.
	_ = m.EditAlert(a.ID, func(x *Alert) { x.PolicyID, x.PolicyLabel = "0000000000000000000000aa", "Renamed policy" })
	got = m.served(a.ID)
	if p, _ := got["policy"].(map[string]any); p["id"] != "0000000000000000000000aa" || p["label"] != "Renamed policy" {
		t.Errorf("policy %v", p)
	}
	if rules := servedEntities(got, "policyRule"); !slices.Equal(rules, []string{"0000000000000000000000aa"}) {
		t.Errorf("policyRule entities %v", rules)
	}

	// Closing in the portal sets a resolve time; reopening clears it.
	m.clock.Advance(time.Hour)
	_ = m.EditAlert(a.ID, func(x *Alert) { x.Resolution = 4 })
	if b, _ := m.Alert(a.ID); b.ResolveTime == nil || !b.ResolveTime.Equal(m.clock.Now()) {
		t.Errorf("resolveTime after closing = %v", b.ResolveTime)
	}
	_ = m.EditAlert(a.ID, func(x *Alert) { x.Resolution = 0 })
	if _, ok := m.served(a.ID)["resolveTime"]; ok {
		t.Error("resolveTime served after reopening")
	}

	if err := m.EditAlert(a.ID, func(x *Alert) { x.ID = "0123456789abcdef01234567" }); err == nil {
		t.Error("changing the id was accepted")
	}
	if err := m.EditAlert("0123456789abcdef01234567", func(*Alert) {}); err == nil {
		t.Error("editing an unknown alert was accepted")
	}
	// An edit that changes nothing changes nothing.
	before, _ := m.Alert(a.ID)
	_ = m.EditAlert(a.ID, func(*Alert) {})
	if after, _ := m.Alert(a.ID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a no-op edit changed\n%+v\nto\n%+v", before, after)
	}
}

func TestAddAndDeleteAlert(t *testing.T) {
	m := newTestMock(t, Options{})
	a := m.AddAlert(Alert{Severity: 2, IPs: []string{"192.0.2.9"}, ServiceIDs: []int{11161}, Accounts: []string{"alice@contoso.com"}})
	if !objectIDRe.MatchString(a.ID) || a.Timestamp != m.clock.Now().UnixMilli() || a.Title != "Test alert" || a.Source != "policy" ||
		a.PolicyID == "" || a.PolicyLabel != "Test alert" || !strings.HasSuffix(a.URL, "/#/alerts/"+a.ID) {
		t.Errorf("defaults: %+v", a)
	}
	if len(a.Entities) != 4 {
		t.Errorf("entities %v", a.Entities)
	}
	if m.Alerts()[0].ID != a.ID {
		t.Error("the new alert is not the newest")
	}
	got := m.served(a.ID)
	if got["severityValue"] != 2.0 || servedEntities(got, "ip")[0] != "192.0.2.9" || got["policy"] == nil {
		t.Errorf("served %v", got)
	}
	var env envelope
	m.mustStatus(m.api("POST", "/api/v1/alerts/", nil), 200).json(t, &env)
	if env.Total != seededAlerts+1 {
		t.Errorf("total %d", env.Total)
	}

	closed := m.AddAlert(Alert{ID: "ABCDEF0123456789ABCDEF01", Resolution: 5})
	if closed.ID != "abcdef0123456789abcdef01" || closed.ResolveTime == nil {
		t.Errorf("closed alert %+v", closed)
	}

	if !m.DeleteAlert(a.ID) || m.DeleteAlert(a.ID) {
		t.Error("DeleteAlert did not report existence")
	}
	m.mustStatus(m.api("GET", "/api/v1/alerts/"+a.ID+"/", nil), 404)
}
