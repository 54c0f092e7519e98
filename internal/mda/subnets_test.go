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
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
		default:
			t.Errorf("request %s %s", r.Method, r.URL.RawPath+r.URL.Path)
			w.WriteHeader(http.StatusTeapot)
		}
	})
	c, _, _ := testClient(t, srv.URL)
	ctx := context.Background()
	s, err := c.getSubnet(ctx, "000000000000000000000001")
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
	if _, err := c.getSubnet(ctx, "a/b"); !IsNotFound(err) {
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
	gets  atomic.Int64
	// emptyLists is how many of the next listings answer an empty, complete page, as a
	// struggling backend might.
	emptyLists atomic.Int64
	// getRoute is how GET /api/v1/subnet/<id>/ answers: "" serves it, "405" and "html"
	// answer as a tenant that does not serve the route.
	getRoute string
}

func (a *subnetAPI) handler(w http.ResponseWriter, r *http.Request) {
	id := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v1/subnet/"), "/")
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
		if a.emptyLists.Add(-1) >= 0 {
			items = nil
		}
		start, end := min(b.Skip, len(items)), min(b.Skip+b.Limit, len(items))
		writeJSON(w, http.StatusOK, map[string]any{"data": items[start:end], "hasNext": end < len(items), "total": len(items)})
	case r.URL.Path == "/api/v1/subnet/create_rule/":
		writeJSON(w, http.StatusOK, "new-id")
	case strings.HasSuffix(r.URL.Path, "/update_rule/"):
		writeJSON(w, http.StatusOK, map[string]any{})
	case r.Method == http.MethodDelete:
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, it := range a.items {
			if it["_id"] == id {
				a.items = append(a.items[:i], a.items[i+1:]...)
				w.WriteHeader(http.StatusOK)
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
	case r.Method == http.MethodGet:
		a.gets.Add(1)
		switch a.getRoute {
		case "405":
			w.Header().Set("Allow", "DELETE")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"detail": `Method "GET" not allowed.`})
			return
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(portal404))
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, it := range a.items {
			if it["_id"] == id {
				writeJSON(w, http.StatusOK, it)
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
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
	// 3 pages, 3 more to confirm "nope" is missing (then its GET answered 404), 1 built-in.
	mustEqual(t, "list requests after the built-in lookups", api.lists.Load(), int64(7))
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
	mustEqual(t, "list requests", api.lists.Load(), int64(1))
	// The listing no longer holds it, but "gone" needs evidence: one fresh listing and a
	// JSON 404 from the range's own route.
	if _, err := c.LookupSubnet(ctx, first.ID); !IsNotFound(err) {
		t.Errorf("the deleted range is still listed: %v", err)
	}
	mustEqual(t, "list requests after confirming the delete", api.lists.Load(), int64(2))
	mustEqual(t, "GET requests after confirming the delete", api.gets.Load(), int64(1))

	c.InvalidateSubnets()
	if _, err := c.LookupSubnet(ctx, "000000000000000000000002"); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "list requests after InvalidateSubnets", api.lists.Load(), int64(3))
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

// lookupSubnets looks ids up concurrently, as Terraform's refresh does, and returns what each
// lookup found (nil for a confirmed absence); any other error fails the test.
func lookupSubnets(t *testing.T, c *Client, ids ...string) map[string]*Subnet {
	t.Helper()
	var mu sync.Mutex
	out := map[string]*Subnet{}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			s, err := c.LookupSubnet(context.Background(), id)
			if err != nil && !IsNotFound(err) {
				t.Errorf("LookupSubnet(%s): %v", id, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			out[id] = s
		})
	}
	wg.Wait()
	return out
}

func TestLookupSubnet_oneEmptyListingLosesNothing(t *testing.T) {
	api, srv := newSubnetAPI(t, 20, 0)
	api.emptyLists.Store(1)
	c, _, _ := testClient(t, srv.URL)
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = fmt.Sprintf("%024x", i+1)
	}
	for id, s := range lookupSubnets(t, c, ids...) {
		if s == nil || s.ID != id {
			t.Errorf("LookupSubnet(%s) = %+v after one empty listing, want the range", id, s)
		}
	}
	// One shared re-listing settles every missing range: no GET per range.
	mustEqual(t, "list requests", api.lists.Load(), int64(2))
	mustEqual(t, "GET requests", api.gets.Load(), int64(0))
}

func TestLookupSubnet_aDeletedRangeIsConfirmedByItsOwnRoute(t *testing.T) {
	api, srv := newSubnetAPI(t, 5, 0)
	c, _, _ := testClient(t, srv.URL)
	if _, err := c.LookupSubnet(context.Background(), "000000000000000000000001"); err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	api.items = api.items[1:] // deleted in the portal after the run listed it
	api.mu.Unlock()
	// The run's listing still has it; a fresh client (the next run) does not.
	c, _, _ = testClient(t, srv.URL)
	api.lists.Store(0)
	got := lookupSubnets(t, c, "000000000000000000000001", "000000000000000000000002", "000000000000000000000003")
	if got["000000000000000000000001"] != nil || got["000000000000000000000002"] == nil || got["000000000000000000000003"] == nil {
		t.Errorf("lookups = %v, want only the deleted range missing", got)
	}
	mustEqual(t, "list requests (the run's listing, one re-listing)", api.lists.Load(), int64(2))
	mustEqual(t, "GET requests", api.gets.Load(), int64(1))
}

func TestLookupSubnet_aRangeItsRouteReturnsIsKept(t *testing.T) {
	api, srv := newSubnetAPI(t, 3, 1)
	api.emptyLists.Store(2) // both custom listings lack everything
	c, _, log := testClient(t, srv.URL)
	s, err := c.LookupSubnet(context.Background(), "000000000000000000000002")
	if err != nil || s.ID != "000000000000000000000002" || s.Name != "range-001" {
		t.Fatalf("LookupSubnet = %+v, %v; want the range its own route returned", s, err)
	}
	if !strings.Contains(log.text(), "listing is inconsistent") {
		t.Errorf("the inconsistent listing was not logged:\n%s", log.text())
	}
	// Two custom listings, the GET, and the built-in listing that tells custom from built-in.
	mustEqual(t, "list requests", api.lists.Load(), int64(3))
	mustEqual(t, "GET requests", api.gets.Load(), int64(1))

	// A built-in id found by the route is not a custom range.
	c, _, _ = testClient(t, srv.URL)
	api.emptyLists.Store(0)
	if _, err := c.LookupSubnet(context.Background(), "000000000000000000000004"); !IsNotFound(err) {
		t.Errorf("a built-in id: err = %v, want not found among custom ranges", err)
	}
}

func TestLookupSubnet_withoutTheRouteTwoListingsDecide(t *testing.T) {
	for _, route := range []string{"405", "html"} {
		t.Run(route, func(t *testing.T) {
			api, srv := newSubnetAPI(t, 3, 0)
			api.getRoute = route
			c, _, _ := testClient(t, srv.URL)
			// Missing from the first listing only: the re-listing finds it, no GET.
			api.emptyLists.Store(1)
			if s, err := c.LookupSubnet(context.Background(), "000000000000000000000001"); err != nil || s == nil {
				t.Fatalf("LookupSubnet = %+v, %v", s, err)
			}
			mustEqual(t, "GET requests", api.gets.Load(), int64(0))
			// Missing from the run's listing and from a fresh one, with no route to ask.
			if _, err := c.LookupSubnet(context.Background(), "00000000000000000000000f"); !IsNotFound(err) {
				t.Errorf("err = %v, want a confirmed absence", err)
			}
			mustEqual(t, "GET requests", api.gets.Load(), int64(1))
			// The first lookup's re-listing is the run's listing now, so the second needs
			// one more listing to have two: 2 + 1.
			mustEqual(t, "list requests", api.lists.Load(), int64(3))
		})
	}
}

func TestLookupSubnet_aFailingListingIsNeverNotFound(t *testing.T) {
	for name, respond := range map[string]func(w http.ResponseWriter){
		"tenant not found": func(w http.ResponseWriter) {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "tenant not found"})
		},
		"JSON 404 on the list route": func(w http.ResponseWriter) {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
		},
		"HTML 404": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(portal404))
		},
		"403": func(w http.ResponseWriter) {
			writeJSON(w, http.StatusForbidden, map[string]any{"detail": "Insufficient role based permissions"})
		},
		"500": func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { respond(w) })
			c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
			_, err := c.LookupSubnet(context.Background(), "000000000000000000000001")
			if err == nil || IsNotFound(err) {
				t.Fatalf("err = %v, want an error that is not a not-found", err)
			}
		})
	}
}

func TestLookupSubnet_aFailingConfirmationIsAnError(t *testing.T) {
	api, srv := newSubnetAPI(t, 3, 0)
	var failGet atomic.Bool
	srv2 := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && failGet.Load() {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "tenant not found"})
			return
		}
		api.handler(w, r)
	})
	_ = srv
	c, _, _ := testClient(t, srv2.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	failGet.Store(true)
	_, err := c.LookupSubnet(context.Background(), "00000000000000000000000f")
	if err == nil || IsNotFound(err) || !strings.Contains(err.Error(), "tenant not found") {
		t.Errorf("err = %v, want the confirming GET's error, not a not-found", err)
	}
}
