package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCreateSubnet(t *testing.T) {
	var body map[string]any
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/subnet/create_rule/" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		for h, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "test-agent/1.0"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		data, _ := readBody(r)
		_ = json.Unmarshal(data, &body)
		writeJSON(w, http.StatusCreated, "5fd767259cd24bb563567d7c") // any 2xx will do
	})
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = "test-agent/1.0" })
	id, err := c.CreateSubnet(context.Background(), SubnetInput{
		ID: "ignored", Name: "office", Category: CategoryCorporate, Subnets: []string{"10.0.0.0/8", "192.168.1.1"}, Tags: []string{"hq"},
	})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "id", id, "5fd767259cd24bb563567d7c")
	got, _ := json.Marshal(body)
	mustEqual(t, "body", string(got), `{"category":1,"name":"office","subnets":["10.0.0.0/8","192.168.1.1"],"tags":["hq"]}`)
}

func TestCreateSubnet_answerWithoutAnIDIsAmbiguous(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, map[string]any{}) })
	c, _, _ := testClient(t, srv.URL)
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want ambiguous", err)
	}
	srv2 := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	c2, _, _ := testClient(t, srv2.URL)
	if _, err := c2.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}}); !IsAmbiguous(err) {
		t.Fatalf("empty 200: err = %v, want ambiguous", err)
	}
}

func TestUpdateSubnet_sendsTheWholeRangeWithItsID(t *testing.T) {
	var body map[string]any
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/subnet/5fd767259cd24bb563567d7c/update_rule/" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		data, _ := readBody(r)
		_ = json.Unmarshal(data, &body)
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	c, _, _ := testClient(t, srv.URL)
	err := c.UpdateSubnet(context.Background(), "5fd767259cd24bb563567d7c", SubnetInput{
		Name: "office", Category: CategoryVPN, Subnets: []string{"10.0.0.0/8"}, Organization: "Contoso",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(body)
	mustEqual(t, "body", string(got), `{"_id":"5fd767259cd24bb563567d7c","category":4,"name":"office","organization":"Contoso","subnets":["10.0.0.0/8"]}`)
}

func TestDeleteAndGetSubnet(t *testing.T) {
	items := subnetItems(1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete && r.URL.Path == "/api/v1/subnet/000000000000000000000001/":
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/subnet/000000000000000000000001/":
			writeJSON(w, http.StatusOK, items[0])
		case r.Method == http.MethodGet && r.URL.EscapedPath() == "/api/v1/subnet/a%2Fb/":
			http.NotFound(w, r)
		default:
			t.Errorf("request %s %s", r.Method, r.URL.RawPath+r.URL.Path)
			w.WriteHeader(http.StatusTeapot)
		}
	})
	c, _, _ := testClient(t, srv.URL)
	ctx := context.Background()
	s, err := c.GetSubnet(ctx, "000000000000000000000001")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "Name", s.Name, "range-000")
	if len(s.Raw) == 0 {
		t.Error("Raw not kept")
	}
	if err := c.DeleteSubnet(ctx, "000000000000000000000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSubnet(ctx, "a/b"); !IsNotFound(err) {
		t.Errorf("an id with a slash: err = %v, want 404 from the escaped path", err)
	}
	if err := c.DeleteSubnet(ctx, " "); err == nil {
		t.Error("an empty id was sent")
	}
}

// subnetAPI is a tiny in-memory subnet store for the run-scoped listing tests.
type subnetAPI struct {
	t     *testing.T
	mu    sync.Mutex
	items []map[string]any
	lists atomic.Int64
}

func (a *subnetAPI) handler(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/api/v1/subnet/":
		a.lists.Add(1)
		b := listBodyOf(a.t, r)
		builtIn, _ := b.Filters["builtIn"]["eq"].(bool)
		a.mu.Lock()
		var items []map[string]any
		for _, it := range a.items {
			if it["builtIn"] == builtIn {
				items = append(items, it)
			}
		}
		a.mu.Unlock()
		start, end := min(b.Skip, len(items)), min(b.Skip+b.Limit, len(items))
		writeJSON(w, http.StatusOK, map[string]any{"data": items[start:end], "hasNext": end < len(items), "total": len(items)})
	case r.URL.Path == "/api/v1/subnet/create_rule/":
		writeJSON(w, http.StatusOK, "new-id")
	case strings.HasSuffix(r.URL.Path, "/update_rule/"):
		writeJSON(w, http.StatusOK, map[string]any{})
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusOK)
	default:
		http.NotFound(w, r)
	}
}

func newSubnetAPI(t *testing.T, custom, builtIn int) (*subnetAPI, *countingServer) {
	a := &subnetAPI{t: t}
	for i, it := range subnetItems(custom + builtIn) {
		it["builtIn"] = i >= custom
		a.items = append(a.items, it)
	}
	return a, newServer(t, a.handler)
}

func TestLookupSubnet_concurrentReadsShareOneListing(t *testing.T) {
	api, srv := newSubnetAPI(t, 250, 5)
	c, _, _ := testClient(t, srv.URL)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			id := fmt.Sprintf("%024x", i*5+1)
			s, err := c.LookupSubnet(context.Background(), id)
			if err != nil {
				t.Error(err)
				return
			}
			if s.ID != id {
				t.Errorf("LookupSubnet(%s) = %s", id, s.ID)
			}
		})
	}
	wg.Wait()
	mustEqual(t, "list requests for 50 reads of 250 ranges", api.lists.Load(), int64(3))

	if _, err := c.LookupSubnet(context.Background(), "nope"); !IsNotFound(err) {
		t.Errorf("unknown id: err = %v, want not found", err)
	}
	builtInID, builtInName := fmt.Sprintf("%024x", 253), "range-252"
	if _, err := c.FindSubnetByName(context.Background(), builtInName); !IsNotFound(err) {
		t.Errorf("a built-in range is not in the custom listing: err = %v", err)
	}
	s, err := c.FindBuiltInSubnet(context.Background(), "", builtInName)
	if err != nil || !s.BuiltIn || s.ID != builtInID {
		t.Errorf("FindBuiltInSubnet = %+v, %v", s, err)
	}
	if _, err := c.FindBuiltInSubnet(context.Background(), builtInID, ""); err != nil {
		t.Errorf("FindBuiltInSubnet by id: %v", err)
	}
	mustEqual(t, "list requests after the built-in lookups", api.lists.Load(), int64(4))
}

func TestLookupSubnet_writesKeepTheListingCurrent(t *testing.T) {
	api, srv := newSubnetAPI(t, 3, 0)
	c, _, _ := testClient(t, srv.URL)
	ctx := context.Background()
	first, err := c.FindSubnetByName(ctx, "range-000")
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.CreateSubnet(ctx, SubnetInput{Name: "new", Category: 4, Subnets: []string{"172.16.0.0/12"}, Tags: []string{"vpn"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.FindSubnetByName(ctx, "new")
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != id || s.Category != 4 || s.Subnets[0].OriginalString != "172.16.0.0/12" || s.Tags[0].Name != "vpn" || s.Raw != nil {
		t.Errorf("created range in the listing = %+v", s)
	}
	if err := c.UpdateSubnet(ctx, first.ID, SubnetInput{Name: "renamed", Category: 2, Subnets: []string{"10.9.0.0/16"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindSubnetByName(ctx, "range-000"); !IsNotFound(err) {
		t.Errorf("the old name is still listed: %v", err)
	}
	if s, _ := c.LookupSubnet(ctx, first.ID); s == nil || s.Name != "renamed" {
		t.Errorf("updated range = %+v", s)
	}
	if err := c.DeleteSubnet(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupSubnet(ctx, first.ID); !IsNotFound(err) {
		t.Errorf("the deleted range is still listed: %v", err)
	}
	mustEqual(t, "list requests", api.lists.Load(), int64(1))

	c.InvalidateSubnets()
	if _, err := c.LookupSubnet(ctx, first.ID); err != nil {
		t.Fatal(err) // the fake store does not really delete
	}
	mustEqual(t, "list requests after InvalidateSubnets", api.lists.Load(), int64(2))
}

func TestLookupSubnet_anAmbiguousWriteForcesAFreshListing(t *testing.T) {
	var fail atomic.Bool
	api := &subnetAPI{t: t, items: subnetItems(2)}
	for _, it := range api.items {
		it["builtIn"] = false
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() && r.URL.Path == "/api/v1/subnet/create_rule/" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		api.handler(w, r)
	})
	c, _, _ := testClient(t, srv.URL)
	ctx := context.Background()
	if _, err := c.LookupSubnet(ctx, "000000000000000000000001"); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	if _, err := c.CreateSubnet(ctx, SubnetInput{Name: "x", Category: 1, Subnets: []string{"1.2.3.4"}}); !IsAmbiguous(err) {
		t.Fatalf("err = %v, want ambiguous", err)
	}
	if _, err := c.FindSubnetByName(ctx, "x"); !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	mustEqual(t, "list requests", api.lists.Load(), int64(2))
}
