package mda

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// A pull of 5 000 over the mock's 5 000 activities lists each once, in 50 requests, while
// activities arrive between pages.
func TestScan_mockExactlyOnceUnderArrivals(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	seeded := m.Activities()
	m.OnActivityScanPage(func(p mockserver.ActivityScanPage) {
		if p.N%7 == 0 {
			m.AddActivities(mockserver.Activity{AppID: 11161, User: "newcomer@contoso.com"})
		}
	})
	c, _, _ := mockClient(t, m)
	res, err := c.ListActivities(context.Background(), Query{Max: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != len(seeded) || res.Truncated || res.Total != len(seeded) {
		t.Fatalf("got %d activities (total %d, truncated %v), want the %d seeded", len(res.Items), res.Total, res.Truncated, len(seeded))
	}
	seen := map[string]bool{}
	for i, a := range res.Items {
		if seen[a.ID] {
			t.Fatalf("activity %s listed twice", a.ID)
		}
		seen[a.ID] = true
		if a.ID != seeded[i].ID {
			t.Fatalf("item %d is %s, want %s", i, a.ID, seeded[i].ID)
		}
	}
	if want := (5000 + 99) / 100; res.Requests < want || res.Requests > want+1 || c.Stats().Requests != int64(res.Requests) {
		t.Errorf("%d requests (client counted %d), want %d (+1)", res.Requests, c.Stats().Requests, want)
	}
	if got := m.Stats().Routes["POST /api/v1/activities/"]; got != res.Requests {
		t.Errorf("the mock counted %d list requests, the client %d", got, res.Requests)
	}
}

// Up to 1 000 the listing pages with skip and limit; above, it scans, and stops at Max.
func TestScan_thresholdAndTruncation(t *testing.T) {
	var bodies []map[string]any
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		data, _ := readBody(r)
		_ = json.Unmarshal(data, &b)
		bodies = append(bodies, b)
		n := len(bodies)
		items := make([]map[string]any, 100)
		for i := range items {
			items[i] = map[string]any{"_id": strings.Repeat("a", n) + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26)), "timestamp": 1595096313000 - n*1000 - i}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": items, "hasNext": true, "total": 9000, "moreThanTotal": true,
			"nextQueryFilters": map[string]any{"date": map[string]any{"lte": 1595096313000 - n*1000}}})
	})
	c, _, _ := testClient(t, srv.URL)
	res, err := c.ListActivities(context.Background(), Query{Max: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 10 || bodies[0]["isScan"] != nil || bodies[9]["skip"] != float64(900) {
		t.Errorf("max 1000: %d requests, first %v, last %v; want 10 skip/limit pages", len(bodies), bodies[0], bodies[len(bodies)-1])
	}
	if !res.Truncated || len(res.Items) != 1000 {
		t.Errorf("max 1000: %d items, truncated %v", len(res.Items), res.Truncated)
	}

	bodies = nil
	res, err = c.ListActivities(context.Background(), Query{Max: 1050, Filters: Filters{}.With("service", OpEq, []int{11161})})
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 11 || len(res.Items) != 1050 || !res.Truncated || res.Total != 9000 || !res.TotalIsLowerBound {
		t.Fatalf("max 1050: %d requests, %d items, truncated %v, total %d; want 11, 1050, true, 9000", len(bodies), len(res.Items), res.Truncated, res.Total)
	}
	first, second := bodies[0], bodies[1]
	if first["isScan"] != true || first["limit"] != float64(1050) || first["skip"] != nil {
		t.Errorf("first scan request %v: want isScan, limit 1050 and no skip", first)
	}
	if f, _ := json.Marshal(first["filters"]); string(f) != `{"service":{"eq":[11161]}}` {
		t.Errorf("first scan request filters %s, want the query's", f)
	}
	if f, _ := json.Marshal(second["filters"]); string(f) != `{"date":{"lte":1595096312000}}` {
		t.Errorf("second scan request filters %s, want the first page's nextQueryFilters", f)
	}
	if last := bodies[10]; last["limit"] != float64(scanMinLimit) {
		t.Errorf("last scan request limit %v, want %d (the documented minimum)", last["limit"], scanMinLimit)
	}
}

// A server that breaks the protocol fails the listing with a message instead of looping
// or returning a partial result as if it were whole.
func TestScan_brokenServer(t *testing.T) {
	for name, page := range map[string]map[string]any{
		"no nextQueryFilters": {"data": []any{map[string]any{"_id": "x"}}, "hasNext": true, "total": 5},
		"same filters again":  {"data": []any{map[string]any{"_id": "x"}}, "hasNext": true, "total": 5, "nextQueryFilters": map[string]any{"date": map[string]any{"lte": 1}}},
		"empty pages":         {"data": []any{}, "hasNext": true, "total": 5, "nextQueryFilters": map[string]any{"date": map[string]any{"lte": 1}}},
	} {
		t.Run(name, func(t *testing.T) {
			n := 0
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				n++
				if name == "empty pages" {
					page["nextQueryFilters"] = map[string]any{"date": map[string]any{"lte": n}}
				}
				writeJSON(w, http.StatusOK, page)
			})
			c, _, _ := testClient(t, srv.URL)
			_, err := c.ListActivities(context.Background(), Query{Max: 5000})
			if err == nil || !strings.Contains(err.Error(), "list activities") {
				t.Fatalf("got %v, want a list activities error", err)
			}
			if n > maxEmptyScanPages+1 {
				t.Errorf("%d requests before giving up", n)
			}
		})
	}
}

func TestListingCost(t *testing.T) {
	c, _, _ := testClient(t, "https://contoso.us3.portal.cloudappsecurity.com", func(cfg *Config) { cfg.RequestsPerMinute = 30 })
	for _, tc := range []struct {
		max, requests int
		wait          time.Duration
	}{
		{100, 1, 0}, {3000, 30, 0}, {3001, 31, time.Minute}, {5000, 50, time.Minute}, {20000, 200, 6 * time.Minute},
	} {
		r, w := c.ListingCost(tc.max)
		if r != tc.requests || w != tc.wait {
			t.Errorf("ListingCost(%d) = %d, %s; want %d, %s", tc.max, r, w, tc.requests, tc.wait)
		}
	}
	if c.RequestsPerMinute() != 30 {
		t.Errorf("RequestsPerMinute() = %d, want 30", c.RequestsPerMinute())
	}
}
