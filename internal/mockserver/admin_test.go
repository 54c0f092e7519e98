package mockserver

import (
	"strings"
	"testing"
	"time"
)

func TestAdminAPI(t *testing.T) {
	m := newTestMock(t, Options{Rate: 1})
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 429)

	// Admin calls are never counted or throttled.
	var st Stats
	for range 3 {
		m.mustStatus(m.call("GET", "/_mock/stats", "", nil), 200).json(t, &st)
	}
	if st.Total != 2 || st.Throttled != 1 || st.Routes["POST /api/v1/subnet/"] != 2 {
		t.Errorf("stats = %+v", st)
	}

	m.mustStatus(m.call("POST", "/_mock/subnets/seed?n=3&prefix=demo-", "", nil), 200)
	var all []Subnet
	m.mustStatus(m.call("GET", "/_mock/subnets", "", nil), 200).json(t, &all)
	if len(all) != 3+len(builtInRanges) || !all[0].BuiltIn || all[len(all)-1].BuiltIn || all[len(all)-1].Name != "demo-0003" {
		t.Errorf("admin subnets = %+v", all)
	}
	if r := m.call("GET", "/_mock/subnets", "", nil); !strings.Contains(string(r.body), `"builtIn":true`) {
		t.Error("admin view lacks builtIn")
	}

	var alerts []Alert
	m.mustStatus(m.call("GET", "/_mock/alerts", "", nil), 200).json(t, &alerts)
	if len(alerts) != len(m.Alerts()) || len(alerts) == 0 || alerts[0].ID != m.Alerts()[0].ID {
		t.Errorf("admin alerts: %d, want the %d the mock holds, newest first", len(alerts), len(m.Alerts()))
	}
	m.mustStatus(m.call("DELETE", "/_mock/alerts/"+alerts[0].ID, "", nil), 200)
	if _, ok := m.Alert(alerts[0].ID); ok {
		t.Error("DELETE /_mock/alerts/{id} left the alert")
	}
	m.mustStatus(m.call("DELETE", "/_mock/alerts/"+alerts[0].ID, "", nil), 404)
	m.mustStatus(m.call("POST", "/_mock/faults", "", `{"match":"DELETE /api/v1/subnet/{id}/","status":500,"count":2}`), 200)
	m.mustStatus(m.call("POST", "/_mock/faults", "", `{"match":"DELETE /api/v1/subnet/{id}/"}`), 400)
	m.mustStatus(m.call("POST", "/_mock/faults", "", `{"match":"x","status":503,"typo":1}`), 400)
	var faults []Fault
	m.mustStatus(m.call("GET", "/_mock/faults", "", nil), 200).json(t, &faults)
	if len(faults) != 1 || faults[0].Count != 2 {
		t.Errorf("faults = %+v", faults)
	}
	m.mustStatus(m.call("DELETE", "/_mock/faults", "", nil), 200)
	if len(m.Faults()) != 0 {
		t.Error("faults not cleared")
	}

	m.mustStatus(m.call("POST", "/_mock/reset", "", nil), 200)
	if st := m.Stats(); st.Total != 0 || len(st.Routes) != 0 {
		t.Errorf("after reset: %+v", st)
	}
	if len(m.Subnets()) != 3+len(builtInRanges) {
		t.Error("a plain reset dropped data")
	}
	m.AddFault(Fault{Match: "* *", Status: 500})
	m.mustStatus(m.call("POST", "/_mock/reset?data=1", "", nil), 200)
	if len(m.Subnets()) != len(builtInRanges) || len(m.Faults()) != 0 {
		t.Error("reset?data=1 kept data or faults")
	}
	// The throttle window is emptied too.
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)

	m.mustStatus(m.call("GET", "/_mock/", "", nil), 200)
	m.mustStatus(m.call("GET", "/_mock/nope", "", nil), 404)
}

func TestDeterministicSeed(t *testing.T) {
	a := newTestMock(t, Options{Seed: 7})
	b := newTestMock(t, Options{Seed: 7})
	c := newTestMock(t, Options{Seed: 8})
	sa, sb, sc := a.SeedSubnets(5, ""), b.SeedSubnets(5, ""), c.SeedSubnets(5, "")
	for i := range sa {
		if sa[i].ID != sb[i].ID || sa[i].Category != sb[i].Category || sa[i].Name != sb[i].Name {
			t.Errorf("seed 7 twice differs at %d: %+v vs %+v", i, sa[i], sb[i])
		}
		if sa[i].ID == sc[i].ID {
			t.Errorf("seeds 7 and 8 give the same id %s", sa[i].ID)
		}
	}
	// Seeding again continues the numbering rather than colliding.
	more := a.SeedSubnets(2, "")
	if more[0].Name != "seeded-range-0006" || more[0].Subnets[0].OriginalString == sa[0].Subnets[0].OriginalString {
		t.Errorf("second seeding = %+v", more[0])
	}
	// Reset with reseed restores the same ids.
	a.Reset(true)
	again := a.SeedSubnets(5, "")
	if again[0].ID != sa[0].ID {
		t.Errorf("after reseed id %s, want %s", again[0].ID, sa[0].ID)
	}
}

func TestOutOfBandEdits(t *testing.T) {
	m := newTestMock(t, Options{})
	s, err := m.AddSubnet("office", 1, []string{"10.0.0.0/8"}, "hq")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddSubnet("office", 2, []string{"11.0.0.0/8"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate AddSubnet: %v", err)
	}
	if _, err := m.AddSubnet("bad", 1, []string{"10.0.0.0/40"}); err == nil {
		t.Error("AddSubnet accepted a bad CIDR")
	}

	m.clock.Advance(time.Minute)
	err = m.EditSubnet(s.ID, func(e *Subnet) {
		e.Category = 3
		e.SetSubnets("192.168.0.0/16", "2001:db8::1")
		e.Tags = append(e.Tags, Tag{Name: "portal tag"}, Tag{ID: "0000002a0000000000000000"})
		org := "Edited ISP"
		e.Organization = &org
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := m.Subnet(s.ID)
	if got.Category != 3 || got.Subnets[0].Mask != 112 || got.Subnets[0].Address != "0000:0000:0000:0000:0000:ffff:c0a8:0000" ||
		got.Subnets[1].Mask != 128 || len(got.Tags) != 3 || got.Tags[2].Name != "Microsoft Azure" || *got.Organization != "Edited ISP" {
		t.Errorf("after edit: %+v", got)
	}
	if got.LastModified <= s.LastModified {
		t.Error("edit did not bump lastModified")
	}
	// The API sees the edit.
	var api map[string]any
	m.mustStatus(m.api("GET", "/api/v1/subnet/"+s.ID+"/", nil), 200).json(t, &api)
	if api["category"] != 3.0 {
		t.Errorf("API category = %v", api["category"])
	}
	if err := m.EditSubnet(s.ID, func(e *Subnet) { e.SetSubnets("nope") }); err == nil {
		t.Error("EditSubnet accepted a bad CIDR")
	}
	if err := m.EditSubnet("0123456789abcdef01234567", func(*Subnet) {}); err == nil {
		t.Error("EditSubnet of an unknown id succeeded")
	}
	if !m.DeleteSubnet(s.ID) || m.DeleteSubnet(s.ID) {
		t.Error("DeleteSubnet did not report existence")
	}
	if st := m.Stats(); st.Total != 1 {
		t.Errorf("out-of-band calls were counted: %+v", st)
	}
}

func TestStartServesOnALoopbackPort(t *testing.T) {
	s, err := Start(Options{Tokens: []string{testToken}}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || s.TokenURL() != s.URL()+"/"+defaultTenant+"/oauth2/v2.0/token" || s.Tenant() != defaultTenant {
		t.Errorf("URL %q TokenURL %q", s.URL(), s.TokenURL())
	}
}
