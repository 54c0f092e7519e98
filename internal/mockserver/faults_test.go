package mockserver

import (
	"net/http"
	"strings"
	"testing"
)

func TestFaultStatusAndCount(t *testing.T) {
	m := newTestMock(t, Options{})
	m.AddFault(Fault{Match: "POST /api/v1/subnet/", Status: 503, Count: 2, Headers: map[string]string{"Retry-After": "3"}})

	r := m.mustStatus(m.api("POST", "/cas/api/v1/subnet", nil), 503) // aliases match the canonical route
	if r.header.Get("Retry-After") != "3" || !strings.Contains(str(r.object(t)["detail"]), "Service Unavailable") {
		t.Errorf("fault response: %v %s", r.header, r.body)
	}
	// A fault fires before auth.
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "", nil), 503)
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
	// Other routes and methods are untouched.
	m.mustStatus(m.api("GET", "/api/v1/subnet/", nil), 200)
	if st := m.Stats(); st.Routes["POST /api/v1/subnet/"] != 3 || st.Total != 4 {
		t.Errorf("stats = %+v", st)
	}
	if len(m.Faults()) != 0 {
		t.Errorf("spent fault still queued: %+v", m.Faults())
	}
}

func TestFaultBodies(t *testing.T) {
	m := newTestMock(t, Options{})
	m.AddFault(Fault{Match: "GET /api/v1/subnet/{id}/", Status: 500, Body: "<html><body>500Internal error</body></html>"})
	m.AddFault(Fault{Match: "* /api/v1/subnet/*", Status: 200, Body: `{"data": [`})

	r := m.mustStatus(m.api("GET", "/api/v1/subnet/0123456789abcdef01234567/", nil), 500)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "500Internal error") {
		t.Errorf("HTML fault: %v %s", r.header, r.body)
	}
	r = m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
	if string(r.body) != `{"data": [` || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("malformed body fault: %s", r.body)
	}
}

func TestFaultDrop(t *testing.T) {
	m := newTestMock(t, Options{})
	m.AddFault(Fault{Match: "POST /api/v1/subnet/create_rule/", Drop: true})
	req, _ := http.NewRequestWithContext(t.Context(), "POST", m.http.URL+"/api/v1/subnet/create_rule/",
		strings.NewReader(`{"name":"x","category":1,"subnets":["1.1.1.1"]}`))
	req.Header.Set("Authorization", "Token "+testToken)
	resp, err := m.http.Client().Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got status %d, want a dropped connection", resp.StatusCode)
	}
	if _, ok := m.FindSubnetByName("x"); ok {
		t.Error("a fault before the handler let the create happen")
	}
	m.mustStatus(m.api("POST", "/api/v1/subnet/create_rule/", map[string]any{"name": "x", "category": 1, "subnets": []string{"1.1.1.1"}}), 200)
}

// The ambiguous create: the range exists, the client saw a failure.
func TestFaultAfter(t *testing.T) {
	m := newTestMock(t, Options{})
	m.AddFault(Fault{Match: "POST /api/v1/subnet/create_rule/", Status: 504, After: true})
	m.mustStatus(m.api("POST", "/api/v1/subnet/create_rule/", map[string]any{"name": "ghost", "category": 1, "subnets": []string{"1.1.1.1"}}), 504)
	if _, ok := m.FindSubnetByName("ghost"); !ok {
		t.Fatal("an after fault undid the create")
	}

	m.AddFault(Fault{Match: "DELETE /api/v1/subnet/{id}/", Drop: true, After: true})
	s, _ := m.FindSubnetByName("ghost")
	req, _ := http.NewRequestWithContext(t.Context(), "DELETE", m.http.URL+"/api/v1/subnet/"+s.ID+"/", nil)
	req.Header.Set("Authorization", "Token "+testToken)
	if resp, err := m.http.Client().Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got status %d, want a dropped connection", resp.StatusCode)
	}
	if _, ok := m.Subnet(s.ID); ok {
		t.Error("the delete did not take effect before the drop")
	}

	// A delay-only after fault still delivers the real answer.
	m.AddFault(Fault{Match: "POST /api/v1/subnet/", DelayMS: 1, After: true})
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
}

func TestFaultFraction(t *testing.T) {
	m := newTestMock(t, Options{})
	m.AddFault(Fault{Match: "POST /api/v1/subnet/", Status: 502, Fraction: 0.5})
	failed := 0
	for range 200 {
		if m.api("POST", "/api/v1/subnet/", nil).status == 502 {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 200 failed at fraction 0.5", failed)
	}
	m.ClearFaults()
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
}

func TestFaultOnTokenEndpoint(t *testing.T) {
	m := authMock(t)
	m.AddFault(Fault{Match: "POST /{tenant}/oauth2/v2.0/token", Status: 500})
	r := m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", nil)
	if r.status != 500 {
		t.Errorf("status %d", r.status)
	}
	m.token(clientID)
}
