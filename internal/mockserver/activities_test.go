package mockserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type scanResponse struct {
	Data             []map[string]any `json:"data"`
	HasNext          bool             `json:"hasNext"`
	Total            int              `json:"total"`
	NextQueryFilters json.RawMessage  `json:"nextQueryFilters"`
}

func TestActivitySeed(t *testing.T) {
	m := newTestMock(t, Options{})
	start := time.Now()
	all := m.Activities()
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("seeding %d activities took %s; it runs on every mock that lists activities", len(all), d)
	}
	if len(all) != SeededActivities || len(all) < 5000 {
		t.Fatalf("got %d activities, want %d (at least 5000)", len(all), SeededActivities)
	}
	seen := map[int64]bool{}
	ids := map[string]bool{}
	count := func(f func(Activity) bool) int {
		n := 0
		for _, a := range all {
			if f(a) {
				n++
			}
		}
		return n
	}
	for _, a := range all {
		if seen[a.Timestamp] || ids[a.ID] {
			t.Fatalf("activity %s repeats a time or an id", a.ID)
		}
		seen[a.Timestamp], ids[a.ID] = true, true
		if a.Timestamp >= m.clock.Now().UnixMilli() {
			t.Fatalf("activity %s is not in the past", a.ID)
		}
	}
	// Every filter value worth testing matches some but not all.
	for name, f := range map[string]func(Activity) bool{
		"admin":         func(a Activity) bool { return a.Admin },
		"impersonated":  func(a Activity) bool { return a.Impersonated },
		"alert":         func(a Activity) bool { return len(a.AlertIDs) > 0 },
		"file":          func(a Activity) bool { return a.FileID != "" },
		"instance 1":    func(a Activity) bool { return a.Instance == 1 },
		"tor":           func(a Activity) bool { return a.IPCategory == 3 },
		"mobile":        func(a Activity) bool { return a.DeviceType == "MOBILE" },
		"source 6":      func(a Activity) bool { return a.Source == 6 },
		"fabrikam":      func(a Activity) bool { return a.UserDomain() == "fabrikam.com" },
		"created float": func(a Activity) bool { return a.CreatedFloat },
	} {
		if n := count(f); n == 0 || n == len(all) {
			t.Errorf("%s matches %d of %d seeded activities", name, n, len(all))
		}
	}
	again := New(Options{Now: m.clock.Now}).Activities()
	if again[1234].ID != all[1234].ID || again[1234].Timestamp != all[1234].Timestamp {
		t.Errorf("the same seed gave different activities")
	}
}

func TestActivityFilters(t *testing.T) {
	m := newTestMock(t, Options{})
	all := m.Activities()
	cases := []struct {
		filters map[string]any
		keep    func(Activity) bool
	}{
		{map[string]any{"service": map[string]any{"eq": []int{11161, 20893}}}, func(a Activity) bool { return a.AppID == 11161 || a.AppID == 20893 }},
		{map[string]any{"user.username": map[string]any{"startswith": "ALICE@"}}, func(a Activity) bool { return strings.HasPrefix(a.User, "alice@") }},
		{map[string]any{"user.username": map[string]any{"eq": "Bob@Contoso.com"}}, func(a Activity) bool { return a.User == "bob@contoso.com" }},
		{map[string]any{"ip.address": map[string]any{"startswith": []string{"203.0.113."}}}, func(a Activity) bool { return strings.HasPrefix(a.IP, "203.0.113.") }},
		{map[string]any{"activity.type": map[string]any{"eq": true}, "source": map[string]any{"eq": "2"}}, func(a Activity) bool { return a.Admin && a.Source == 2 }},
		{map[string]any{"text": map[string]any{"text": "payroll"}}, func(a Activity) bool { return a.FileName == "payroll-2024.xlsx" }},
	}
	for _, c := range cases {
		want := 0
		for _, a := range all {
			if c.keep(a) {
				want++
			}
		}
		var env envelope
		m.mustStatus(m.api(http.MethodPost, "/api/v1/activities/", map[string]any{"filters": c.filters, "limit": 1}), 200).json(t, &env)
		if env.Total != want || want == 0 {
			t.Errorf("%v: total %d, want %d (of %d)", c.filters, env.Total, want, len(all))
		}
	}
	got := m.api(http.MethodGet, "/api/v1/activities/"+all[7].ID+"/", nil)
	if m.mustStatus(got, 200).object(t)["_id"] != all[7].ID {
		t.Errorf("fetch by id: %s", got.body)
	}
	m.mustStatus(m.api(http.MethodGet, "/api/v1/activities/no-such-activity/", nil), 404)
}

// scanAll walks a scan to its end and returns every id, in order, and the requests.
func (m *testMock) scanAll(body map[string]any) ([]string, int) {
	var ids []string
	requests := 0
	for {
		var page scanResponse
		m.mustStatus(m.api(http.MethodPost, "/api/v1/activities/", body), 200).json(m.t, &page)
		requests++
		for _, a := range page.Data {
			ids = append(ids, str(a["_id"]))
		}
		if !page.HasNext {
			if len(page.NextQueryFilters) != 0 {
				m.t.Errorf("the last page has nextQueryFilters %s", page.NextQueryFilters)
			}
			return ids, requests
		}
		if requests > 200 {
			m.t.Fatal("the scan does not end")
		}
		body["filters"] = page.NextQueryFilters
	}
}

// A scan lists every seeded activity once, 100 a page, while activities arrive between
// pages; skip and limit, under the same arrivals, repeat some.
func TestActivityScan_newArrivals(t *testing.T) {
	m := newTestMock(t, Options{})
	seeded := m.Activities()
	firsts := 0
	m.OnActivityScanPage(func(p ActivityScanPage) {
		if p.First {
			firsts++
		}
		if p.N%10 == 0 {
			m.clock.Advance(time.Second)
			m.AddActivities(Activity{AppID: 11161, User: "late@contoso.com", ActionType: "UserLoggedIn"}, Activity{AppID: 15600})
		}
	})
	ids, requests := m.scanAll(map[string]any{"isScan": true, "limit": 500})
	if requests != SeededActivities/100 {
		t.Errorf("%d requests, want %d", requests, SeededActivities/100)
	}
	if firsts != 1 {
		t.Errorf("%d pages were reported as the first of a scan, want 1", firsts)
	}
	if len(ids) != len(seeded) {
		t.Fatalf("scanned %d activities, want the %d seeded", len(ids), len(seeded))
	}
	for i, id := range ids {
		if id != seeded[i].ID {
			t.Fatalf("record %d is %s, want %s (newest first, each once)", i, id, seeded[i].ID)
		}
	}
	if n := len(m.Activities()); n != len(seeded)+2*requests/10 {
		t.Errorf("the hook added %d activities, want %d", n-len(seeded), 2*requests/10)
	}

	// The same arrivals under skip and limit shift the pages: the proof that scan mode
	// is what makes the test above pass.
	seen := map[string]int{}
	for skip := 0; skip < 1000; skip += 100 {
		var env struct {
			Data []map[string]any `json:"data"`
		}
		m.mustStatus(m.api(http.MethodPost, "/api/v1/activities/", map[string]any{"skip": skip, "limit": 100}), 200).json(t, &env)
		for _, a := range env.Data {
			seen[str(a["_id"])]++
		}
		m.AddActivities(Activity{AppID: 11161})
	}
	if len(seen) == 1000 {
		t.Errorf("skip paging under arrivals listed 1000 distinct records; the arrivals test proves nothing")
	}
}

// Records that share a time with the first record left over are dropped from the page
// and come with the next, as the docs describe.
func TestActivityScan_tiesAndBounds(t *testing.T) {
	m := newTestMock(t, Options{})
	seeded := m.Activities()
	ts := seeded[98].Timestamp
	m.AddActivities(Activity{AppID: 11161, Timestamp: ts, Created: ts}, Activity{AppID: 11161, Timestamp: ts, Created: ts},
		Activity{AppID: 11161, Timestamp: ts, Created: ts})
	var page scanResponse
	m.mustStatus(m.api(http.MethodPost, "/api/v1/activities/", map[string]any{"isScan": true}), 200).json(t, &page)
	if len(page.Data) != 98 || !page.HasNext {
		t.Fatalf("first page holds %d records (hasNext %v), want the 98 newer than the tied time", len(page.Data), page.HasNext)
	}
	var next map[string]map[string]int64
	if err := json.Unmarshal(page.NextQueryFilters, &next); err != nil || next["date"]["lte"] != ts {
		t.Fatalf("nextQueryFilters %s, want date lte %d", page.NextQueryFilters, ts)
	}
	ids, _ := m.scanAll(map[string]any{"isScan": true})
	if len(ids) != len(seeded)+3 {
		t.Errorf("scanned %d, want %d", len(ids), len(seeded)+3)
	}
	uniq := map[string]bool{}
	for _, id := range ids {
		uniq[id] = true
	}
	if len(uniq) != len(ids) {
		t.Errorf("%d records listed twice", len(ids)-len(uniq))
	}

	// The request's own bound stays when it is tighter, and the oldest-first scan
	// narrows from below.
	until := seeded[4000].Timestamp
	ids, _ = m.scanAll(map[string]any{"isScan": true, "filters": map[string]any{"date": map[string]any{"lte": until}}})
	if len(ids) != len(seeded)-4000 || ids[0] != seeded[4000].ID {
		t.Errorf("scan under date lte: %d records, want %d", len(ids), len(seeded)-4000)
	}
	ids, _ = m.scanAll(map[string]any{"isScan": true, "sortField": "created", "sortDirection": "asc", "filters": map[string]any{"service": map[string]any{"eq": 11161}}})
	want := 0
	for _, a := range m.Activities() {
		if a.AppID == 11161 {
			want++
		}
	}
	if len(ids) != want {
		t.Errorf("oldest-first scan of one app: %d records, want %d", len(ids), want)
	}
	m.mustStatus(m.api(http.MethodPost, "/api/v1/activities/", map[string]any{"isScan": true, "sortField": "severity"}), 400)
}
