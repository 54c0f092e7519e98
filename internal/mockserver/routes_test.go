package mockserver

import (
	"strings"
	"testing"
)

func TestRouteAliases(t *testing.T) {
	m := newTestMock(t, Options{})
	create := map[string]any{"name": "a", "category": 1, "subnets": []string{"1.1.1.1"}}
	for i, path := range []string{
		"/api/v1/subnet/create_rule/", "/api/v1/subnet/create_rule", "/cas/api/v1/subnet/create_rule/",
		"/cas/api/v1/subnet/create_rule", "/api/subnet/create_rule/", "/cas/api/subnet/create_rule",
	} {
		create["name"] = path
		create["subnets"] = []string{"10.0.0." + string(rune('1'+i))}
		m.mustStatus(m.api("POST", path, create), 200)
	}
	for _, path := range []string{"/api/v1/subnet/", "/api/v1/subnet", "/cas/api/v1/subnet/", "/api/subnet"} {
		m.mustStatus(m.api("POST", path, nil), 200)
		m.mustStatus(m.api("GET", path, nil), 200)
	}
	s, _ := m.FindSubnetByName("/api/v1/subnet/create_rule/")
	m.mustStatus(m.api("GET", "/cas/api/v1/subnet/"+s.ID, nil), 200)
	m.mustStatus(m.api("POST", "/cas/api/v1/subnet/"+s.ID+"/update_rule", map[string]any{"_id": s.ID, "name": "renamed", "category": 2, "subnets": []string{"2.2.2.2"}}), 200)
	m.mustStatus(m.api("DELETE", "/api/subnet/"+s.ID, nil), 200)

	want := map[string]int{
		"POST /api/v1/subnet/create_rule/":      6,
		"POST /api/v1/subnet/":                  4,
		"GET /api/v1/subnet/":                   4,
		"GET /api/v1/subnet/{id}/":              1,
		"POST /api/v1/subnet/{id}/update_rule/": 1,
		"DELETE /api/v1/subnet/{id}/":           1,
	}
	st := m.Stats()
	for k, v := range want {
		if st.Routes[k] != v {
			t.Errorf("stats[%q] = %d, want %d (all: %v)", k, st.Routes[k], v, st.Routes)
		}
	}
	if len(st.Routes) != len(want) || st.Total != 17 {
		t.Errorf("routes %v total %d", st.Routes, st.Total)
	}
}

func TestUnknownRoutes(t *testing.T) {
	m := newTestMock(t, Options{})
	for _, path := range []string{"/api/v1/nothing/", "/api/v1/subnet/a/b/c/", "/cas/api/v2/subnet/", "/"} {
		r := m.mustStatus(m.call("GET", path, "", nil), 404) // routing precedes auth
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(stripTags(string(r.body)), "404Page not found") {
			t.Errorf("%s: %v %s", path, r.header, r.body)
		}
	}
	// A known path with the wrong method, including the literal create_rule path that the
	// {id} pattern would otherwise swallow.
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/api/v1/subnet/", "GET, POST"},
		{"GET", "/api/v1/subnet/create_rule/", "POST"},
		{"POST", "/api/v1/subnet/0123456789abcdef01234567/", "DELETE, GET"},
	} {
		r := m.mustStatus(m.api(c.method, c.path, nil), 405)
		if r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, r.header.Get("Allow"), c.allow)
		}
	}
	if st := m.Stats(); st.Routes["GET /api/v1/nothing/"] != 1 || st.Routes["PUT /api/v1/subnet/"] != 1 {
		t.Errorf("stats = %v", st.Routes)
	}
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
