package mockserver

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestDiscoveryStreams_listing(t *testing.T) {
	m := newTestMock(t, Options{})
	var body struct {
		Streams []map[string]any `json:"streams"`
	}
	// The docs' path has no v1; /cas/api and a missing slash are aliases as elsewhere.
	for _, path := range []string{"/api/discovery/streams/", "/cas/api/discovery/streams"} {
		m.mustStatus(m.api("GET", path, nil), 200).json(t, &body)
	}
	m.mustStatus(m.api("GET", "/api/v1/discovery/streams/", nil), 404)
	want := m.DiscoveryStreams()
	if len(body.Streams) != len(want) || len(want) < 5 {
		t.Fatalf("%d streams, want %d", len(body.Streams), len(want))
	}
	for i, s := range body.Streams {
		if s["_id"] != want[i].ID || s["displayName"] != want[i].Name || s["logType"] != float64(want[i].LogType) {
			t.Errorf("stream %d = %v, want %+v", i, s, want[i])
		}
		if _, ok := s["created"].(string); !ok {
			t.Errorf("stream %d: created %v is not an ISO string", i, s["created"])
		}
	}
	gv := body.Streams[0]
	if gv["displayName"] != "Global View" || gv["_id"] != "57869acdb4b3d5154f095af7" || gv["streamType"] != float64(3) {
		t.Errorf("first stream = %v, want the Global View", gv)
	}
	if _, ok := gv["logFilesHistoryCount"]; ok {
		t.Errorf("a view has no log files, yet: %v", gv)
	}
	snapshot := body.Streams[4]
	if v, ok := snapshot["lastDataReceived"]; !ok || v != nil {
		t.Errorf("the snapshot report never received data: lastDataReceived = %v (present %v)", v, ok)
	}
	if st := m.Stats(); st.Routes["GET /api/discovery/streams/"] != 2 {
		t.Errorf("stats = %v", st.Routes)
	}
}

func TestDiscoveryCategories(t *testing.T) {
	m := newTestMock(t, Options{})
	streams := m.DiscoveryStreams()
	global, snapshot := streams[0], streams[4]
	if !snapshot.Snapshot {
		t.Fatalf("stream 4 is %+v, want the snapshot report", snapshot)
	}
	var cats []DiscoveryCategory
	m.mustStatus(m.api("POST", "/api/v1/discovery/discovered_apps/categories/", map[string]any{"streamId": global.ID}), 200).json(t, &cats)
	if len(cats) < 30 || !reflect.DeepEqual(cats, m.DiscoveryCategories(global.ID, 90)) {
		t.Fatalf("categories = %v", cats)
	}
	for i, c := range cats {
		if !strings.HasPrefix(c.ID, "SAASDB_CATEGORY_") || c.Total <= 0 || (i > 0 && c.Total > cats[i-1].Total) {
			t.Errorf("category %d = %+v: want a documented id, a positive total, most apps first", i, c)
		}
	}
	// Deterministic: another mock with the same seed agrees; a shorter period has fewer apps.
	if other := newTestMock(t, Options{}); !reflect.DeepEqual(other.DiscoveryCategories(global.ID, 90), cats) {
		t.Error("two mocks with one seed disagree")
	}
	week := m.DiscoveryCategories(global.ID, 7)
	if sum(week) >= sum(cats) || len(week) > len(cats) {
		t.Errorf("7 days: %d apps in %d categories, 90 days: %d in %d", sum(week), len(week), sum(cats), len(cats))
	}
	// skip, limit and sortDirection.
	var page []DiscoveryCategory
	m.mustStatus(m.api("POST", "/api/v1/discovery/discovered_apps/categories/",
		map[string]any{"streamId": global.ID, "timeFrame": 30, "skip": 5, "limit": 3, "sortDirection": "asc"}), 200).json(t, &page)
	month := m.DiscoveryCategories(global.ID, 30)
	if len(page) != 3 || page[0] != month[len(month)-6] {
		t.Errorf("page = %v of %v", page, month)
	}
	var none []DiscoveryCategory
	m.mustStatus(m.api("POST", "/api/v1/discovery/discovered_apps/categories/", map[string]any{"streamId": snapshot.ID}), 200).json(t, &none)
	if none == nil || len(none) != 0 {
		t.Errorf("snapshot categories = %v, want []", none)
	}

	formErrorsOf(t, m.api("POST", "/api/v1/discovery/discovered_apps/categories/", map[string]any{}), "streamId")
	formErrorsOf(t, m.api("POST", "/api/v1/discovery/discovered_apps/categories/", map[string]any{"streamId": "0123456789abcdef01234567"}), "streamId")
	formErrorsOf(t, m.api("POST", "/api/v1/discovery/discovered_apps/categories/", map[string]any{"streamId": global.ID, "timeFrame": 14}), "timeFrame")
	m.mustStatus(m.api("GET", "/api/v1/discovery/discovered_apps/categories/", nil), 405)
}

func sum(cats []DiscoveryCategory) int {
	n := 0
	for _, c := range cats {
		n += c.Total
	}
	return n
}

func TestDiscoveryBlockScripts(t *testing.T) {
	m := newTestMock(t, Options{})
	get := func(query, accept string) response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "GET", m.http.URL+"/api/discovery_block_scripts/"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Token "+testToken)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := m.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{status: resp.StatusCode, header: resp.Header, body: body}
	}

	r := m.mustStatus(get("?format=102&type=banned", ""), 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.HasPrefix(string(r.body), "url.domain=lawyerstravel.com deny\nurl.domain=wellsfargo.com deny\n") {
		t.Errorf("bluecoat script = %q", r.body)
	}
	// Websense's own syntax; no type means banned, as MCASPS sends it.
	r = m.mustStatus(get("?format=135", "text/plain"), 200)
	if string(r.body) != m.BlockScript(135) || !strings.HasPrefix(string(r.body), "dest_host=lawyerstravel.com action=deny\n") {
		t.Errorf("websense script = %q", r.body)
	}
	for _, q := range []string{"?format=999&type=banned", "?type=banned", "?format=abc", "?format=102&type=allowed"} {
		r := m.mustStatus(get(q, ""), 400)
		if !strings.Contains(str(r.object(t)["detail"]), "Unsupported") {
			t.Errorf("%s: %s", q, r.body)
		}
	}
	m.mustStatus(get("?format=102", "application/json"), 406)
	m.mustStatus(get("?format=102", "application/json, */*"), 200)
	if r := m.call("GET", "/api/discovery_block_scripts/?format=102", "", nil); r.status != 401 {
		t.Errorf("no credentials: %d", r.status)
	}
}

func TestDiscoveryPermissions(t *testing.T) {
	for _, c := range []struct {
		roles       []string
		read, write bool
	}{
		{[]string{"Discovery.read"}, true, false},
		{[]string{"discovery.manage"}, true, true},
		{[]string{"Settings.manage", "Investigation.manage"}, false, false},
	} {
		p := principal{roles: lower(c.roles)}
		if p.allowed(permDiscoveryRead) != c.read || p.allowed(permDiscoveryWrite) != c.write {
			t.Errorf("%v: read %v write %v, want %v %v", c.roles, p.allowed(permDiscoveryRead), p.allowed(permDiscoveryWrite), c.read, c.write)
		}
	}
}

func lower(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToLower(x)
	}
	return out
}
