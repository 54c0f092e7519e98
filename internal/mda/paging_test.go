package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestListSubnets_paging(t *testing.T) {
	for _, tc := range []struct {
		items, max    int
		wantItems     int
		wantRequests  int
		wantTruncated bool
		wantLimits    []int
	}{
		{items: 0, wantItems: 0, wantRequests: 1, wantLimits: []int{100}},
		{items: 1, wantItems: 1, wantRequests: 1, wantLimits: []int{100}},
		{items: 100, wantItems: 100, wantRequests: 1, wantLimits: []int{100}},
		{items: 101, wantItems: 101, wantRequests: 2, wantLimits: []int{100, 100}},
		{items: 250, wantItems: 250, wantRequests: 3, wantLimits: []int{100, 100, 100}},
		{items: 250, max: 150, wantItems: 150, wantRequests: 2, wantTruncated: true, wantLimits: []int{100, 50}},
		{items: 250, max: 5, wantItems: 5, wantRequests: 1, wantTruncated: true, wantLimits: []int{5}},
		{items: 250, max: 250, wantItems: 250, wantRequests: 3, wantLimits: []int{100, 100, 50}},
		{items: 100, max: 100, wantItems: 100, wantRequests: 1, wantLimits: []int{100}},
		{items: 3, max: 10, wantItems: 3, wantRequests: 1, wantLimits: []int{10}},
	} {
		t.Run(fmt.Sprintf("%d items max %d", tc.items, tc.max), func(t *testing.T) {
			items := subnetItems(tc.items)
			var limits, skips []int
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/api/v1/subnet/" || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("request %s %s %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
				}
				data, _ := readBody(r)
				var b listBody
				_ = json.Unmarshal(data, &b)
				limits, skips = append(limits, b.Limit), append(skips, b.Skip)
				r.Body = ioNopCloser(data)
				servePage(t, w, r, items)
			})
			c, _, _ := testClient(t, srv.URL)
			res, err := c.ListSubnets(context.Background(), SubnetQuery{Max: tc.max})
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "items", len(res.Items), tc.wantItems)
			mustEqual(t, "Requests", res.Requests, tc.wantRequests)
			mustEqual(t, "requests served", srv.count(), tc.wantRequests)
			mustEqual(t, "Truncated", res.Truncated, tc.wantTruncated)
			mustEqual(t, "Total", res.Total, tc.items)
			if !slices.Equal(limits, tc.wantLimits) {
				t.Errorf("limits = %v, want %v", limits, tc.wantLimits)
			}
			for i, s := range skips {
				mustEqual(t, "skip", s, i*100)
			}
			for i, it := range res.Items {
				if it.Name != fmt.Sprintf("range-%03d", i) {
					t.Fatalf("item %d is %q: items out of order or repeated", i, it.Name)
				}
			}
		})
	}
}

func TestListAll_emptyPageEndsAServerThatAlwaysSaysHasNext(t *testing.T) {
	items := subnetItems(30)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b := listBodyOf(t, r)
		page := items[min(b.Skip, len(items)):min(b.Skip+7, len(items))]
		writeJSON(w, http.StatusOK, map[string]any{"data": page, "hasNext": true}) // no total
	})
	c, _, _ := testClient(t, srv.URL)
	res, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 30)
	mustEqual(t, "requests", res.Requests, 6) // 5 pages of up to 7, then the empty one
	mustEqual(t, "Total", res.Total, 30)
}

func TestListAll_totalEndsTheWalk(t *testing.T) {
	items := subnetItems(150)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b := listBodyOf(t, r)
		page := items[min(b.Skip, len(items)):min(b.Skip+100, len(items))]
		writeJSON(w, http.StatusOK, map[string]any{"data": page, "hasNext": true, "total": 150})
	})
	c, _, _ := testClient(t, srv.URL)
	res, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 150)
	mustEqual(t, "requests", res.Requests, 2)
}

func TestListAll_aServerThatIgnoresSkipIsStopped(t *testing.T) {
	items := subnetItems(100)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"data": items, "hasNext": true})
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err == nil || !strings.Contains(err.Error(), "same page") {
		t.Fatalf("err = %v, want the repeated page detected", err)
	}
	mustEqual(t, "requests", srv.count(), 2)
}

func TestListSubnets_filtersSortAndRawJSON(t *testing.T) {
	items := subnetItems(2)
	var body map[string]any
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		data, _ := readBody(r)
		_ = json.Unmarshal(data, &body)
		writeJSON(w, http.StatusOK, map[string]any{"data": items, "hasNext": false, "total": 2})
	})
	c, _, _ := testClient(t, srv.URL)
	builtIn := true
	res, err := c.ListSubnets(context.Background(), SubnetQuery{
		Categories: []int{1, 4}, TagIDs: []string{"000000290000000000000000"}, BuiltIn: &builtIn,
		SortField: "name", SortDirection: "asc",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(body)
	want := `{"filters":{"builtIn":{"eq":true},"category":{"eq":[1,4]},"tags":{"eq":["000000290000000000000000"]}},"limit":100,"skip":0,"sortDirection":"asc","sortField":"name"}`
	mustEqual(t, "body", string(got), want)
	for i, s := range res.Items {
		if !s.BuiltIn {
			t.Errorf("item %d: BuiltIn not set from the filter", i)
		}
		var raw map[string]any
		if err := json.Unmarshal(s.Raw, &raw); err != nil || raw["_tid"] != float64(113348336) {
			t.Errorf("item %d: Raw = %s, want the object as sent (with _tid)", i, s.Raw)
		}
	}
	s := res.Items[0]
	mustEqual(t, "ID", s.ID, "000000000000000000000001")
	mustEqual(t, "Organization (null)", s.Organization, "")
	mustEqual(t, "OriginalString", s.Subnets[0].OriginalString, "10.0.0.0/24")
	mustEqual(t, "Mask", s.Subnets[0].Mask, 120)
	if s.Location != nil {
		t.Error("Location: null should decode to nil")
	}
}

func TestFilters_JSON(t *testing.T) {
	var f Filters
	got, _ := json.Marshal(listBody{Filters: f, Limit: 100})
	mustEqual(t, "nil filters", string(got), `{"filters":{},"skip":0,"limit":100}`)
	f = f.With("date", OpRange, []TimeRange{{Start: 1, End: 2}}).
		With("entity.entity", OpEq, []EntityRef{{ID: "u1", Inst: 0}}).
		With("severity", OpGte, 1).
		With("severity", OpLte, 2)
	got, _ = json.Marshal(f)
	mustEqual(t, "filters", string(got),
		`{"date":{"range":[{"start":1,"end":2}]},"entity.entity":{"eq":[{"id":"u1","inst":0}]},"severity":{"gte":1,"lte":2}}`)
}
