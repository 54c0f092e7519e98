package mda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// joinCounter lets a test wait until n callers have joined batches, so that batches form
// by construction rather than by timing: with an hour's linger nothing goes out until
// the test calls flush (or a batch fills).
type joinCounter struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func holdBatches(c *Client) *joinCounter {
	j := &joinCounter{changed: make(chan struct{})}
	c.alertBatches.linger = time.Hour
	c.alertBatches.queued = func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		j.n++
		close(j.changed)
		j.changed = make(chan struct{})
	}
	return j
}

func (j *joinCounter) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		j.mu.Lock()
		got, changed := j.n, j.changed
		j.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("only %d of %d callers joined a batch", got, n)
		}
	}
}

type lookupResult struct {
	id    string
	alert *Alert
	err   error
}

func lookupAll(c *Client, ids []string) <-chan lookupResult {
	out := make(chan lookupResult, len(ids))
	for _, id := range ids {
		go func() {
			a, err := c.LookupAlert(context.Background(), id)
			out <- lookupResult{id, a, err}
		}()
	}
	return out
}

func TestLookupAlert_concurrentLookupsShareRequests(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	j := holdBatches(c)
	var ids []string
	for _, a := range m.Alerts()[:59] {
		ids = append(ids, a.ID)
	}
	missing := "0123456789abcdef01234567"
	ids = append(ids, missing, ids[0]) // a duplicate shares its id's answer

	results := lookupAll(c, ids)
	j.waitFor(t, len(ids))
	c.alertBatches.flush()
	for range ids {
		r := <-results
		switch {
		case r.id == missing:
			if !IsNotFound(r.err) || r.alert != nil {
				t.Errorf("missing alert: %v, %v", r.alert, r.err)
			}
		case r.err != nil:
			t.Errorf("%s: %v", r.id, r.err)
		case r.alert.ID != r.id || len(r.alert.Raw) == 0:
			t.Errorf("%s answered with %+v", r.id, r.alert)
		}
	}
	if n := m.Stats().Routes["POST /api/v1/alerts/"]; n > 8 || n != 1 {
		t.Errorf("%d list requests for 61 lookups, want 1 (and never more than 8)", n)
	}
}

// A batch that reaches 100 ids goes at once; the rest follow as one more. The server
// holds every answer until all 250 callers have joined, so no flight lands early and
// sends a partial batch (which is right in production, but not what this test counts).
func TestLookupAlert_batchesHoldAtMost100IDs(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		b := listBodyOf(t, r)
		var ids []string
		raw, _ := json.Marshal(b.Filters["id"]["eq"])
		_ = json.Unmarshal(raw, &ids)
		mu.Lock()
		sizes = append(sizes, len(ids))
		mu.Unlock()
		items := make([]map[string]any, len(ids))
		for i, id := range ids {
			items[i] = map[string]any{"_id": id, "timestamp": 1, "title": "t"}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": items, "hasNext": false, "total": len(items)})
	})
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("%024x", i+1)
	}
	results := lookupAll(c, ids)
	j.waitFor(t, len(ids))
	close(release)
	for range ids {
		if r := <-results; r.err != nil || r.alert.ID != r.id {
			t.Errorf("%s: %+v, %v", r.id, r.alert, r.err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{50, 100, 100}) {
		t.Errorf("batch sizes %v, want 100, 100 and 50", sizes)
	}
}

// While a batch is in flight, newcomers gather into the next one, which goes out when the
// flight lands, without waiting for a linger or a flush.
func TestLookupAlert_newcomersWaitForTheFlight(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan []string, 4)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		raw, _ := json.Marshal(listBodyOf(t, r).Filters["id"]["eq"])
		_ = json.Unmarshal(raw, &ids)
		arrived <- ids
		<-release
		items := make([]map[string]any, len(ids))
		for i, id := range ids {
			items[i] = map[string]any{"_id": id}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": items, "hasNext": false, "total": len(items)})
	})
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	first := []string{"000000000000000000000001", "000000000000000000000002"}
	second := []string{"000000000000000000000003", "000000000000000000000004", "000000000000000000000005"}

	r1 := lookupAll(c, first)
	j.waitFor(t, 2)
	c.alertBatches.flush()
	got := <-arrived
	r2 := lookupAll(c, second)
	j.waitFor(t, 5)
	c.alertBatches.flush() // a flight is in the air: this must not send the newcomers
	c.alertBatches.mu.Lock()
	g := c.alertBatches.groups[batchKey{}]
	if g == nil || g.inFlight != 1 || g.pending == nil || len(g.pending.ids) != len(second) {
		t.Errorf("while the first request is in flight the newcomers must wait in the next batch; group %+v", g)
	}
	c.alertBatches.mu.Unlock()
	close(release)
	for range first {
		if r := <-r1; r.err != nil {
			t.Error(r.err)
		}
	}
	for range second {
		if r := <-r2; r.err != nil {
			t.Error(r.err)
		}
	}
	next := <-arrived
	slices.Sort(got)
	slices.Sort(next)
	if !slices.Equal(got, first) || !slices.Equal(next, second) {
		t.Errorf("requests carried %v then %v", got, next)
	}
	mustEqual(t, "requests", srv.count(), 2)
}

func TestLookupAlert_defaultLingerSendsALoneLookup(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	id := m.Alerts()[0].ID
	a, err := c.LookupAlert(context.Background(), id)
	if err != nil || a.ID != id {
		t.Fatalf("LookupAlert = %+v, %v", a, err)
	}
	if _, err := c.LookupAlert(context.Background(), "xx"+id); err == nil || IsNotFound(err) {
		t.Errorf("malformed id: %v", err)
	}
	mustEqual(t, "requests", m.Stats().Routes["POST /api/v1/alerts/"], 1)
}

func TestLookupAlert_failuresAndCancellation(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]string{"detail": "Insufficient role based permissions"})
	})
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	ids := []string{"000000000000000000000001", "000000000000000000000002", "000000000000000000000003"}
	results := lookupAll(c, ids)

	// A caller that gives up returns at once; the batch still goes out for the others.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.LookupAlert(ctx, "000000000000000000000004")
		done <- err
	}()
	j.waitFor(t, 4)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled caller: %v", err)
	}
	c.alertBatches.flush()
	for range ids {
		if r := <-results; !IsForbidden(r.err) {
			t.Errorf("%s: %v, want the request's 403", r.id, r.err)
		}
	}
	mustEqual(t, "requests", srv.count(), 1)
}

func TestCloseAlert_concurrentClosesShareRequests(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	j := holdBatches(c)
	var ids []string
	for _, a := range m.Alerts() {
		if a.Resolution == ResolutionOpen && len(ids) < 59 {
			ids = append(ids, a.ID)
		}
	}
	missing := "0123456789abcdef01234567"
	ids = append(ids, missing)

	type closeResult struct {
		id  string
		err error
	}
	results := make(chan closeResult, len(ids))
	for _, id := range ids {
		go func() {
			reason := 6 // each caller its own pointer: equal options, not equal pointers
			results <- closeResult{id, c.CloseAlert(context.Background(), CloseBenign, id, CloseOptions{Comment: "red team", ReasonID: &reason})}
		}()
	}
	j.waitFor(t, len(ids))
	c.alertBatches.flush()
	for range ids {
		r := <-results
		id, err := r.id, r.err
		if id == missing {
			if !IsNotFound(err) {
				t.Errorf("missing alert: %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if a, _ := m.Alert(id); a.Resolution != ResolutionBenign || a.Comment != "red team" || a.Reason == nil || *a.Reason != 6 {
			t.Errorf("%s after close: %+v", id, a)
		}
	}
	if n := m.Stats().Routes["POST /api/v1/alerts/close_benign/"]; n > 8 || n != 1 {
		t.Errorf("%d close requests for 60 closes, want 1 (and never more than 8)", n)
	}
}

func TestCloseAlert_differentOptionsNeverShare(t *testing.T) {
	type sent struct {
		path string
		body map[string]any
		ids  []string
	}
	var mu sync.Mutex
	var requests []sent
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		data, _ := readBody(r)
		ids, b := decodeCloseBody(t, data)
		mu.Lock()
		requests = append(requests, sent{r.URL.Path, b, ids})
		mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	two, five, one := 2, 5, 1
	variants := []struct {
		kind CloseKind
		opts CloseOptions
	}{
		{CloseBenign, CloseOptions{Comment: "a", ReasonID: &two}},
		{CloseBenign, CloseOptions{Comment: "a", ReasonID: &five}},
		{CloseBenign, CloseOptions{Comment: "b", ReasonID: &two}},
		{CloseBenign, CloseOptions{Comment: "a"}},
		{CloseBenign, CloseOptions{Comment: "a", ReasonID: &two, SendFeedback: true, FeedbackText: "x"}},
		{CloseFalsePositive, CloseOptions{Comment: "a", ReasonID: &one}},
		{CloseTruePositive, CloseOptions{Comment: "a"}},
	}
	want := map[string]int{} // id -> variant
	var wg sync.WaitGroup
	for v, variant := range variants {
		for k := range 5 {
			id := fmt.Sprintf("%022x%02x", v+1, k)
			want[id] = v
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.CloseAlert(context.Background(), variant.kind, id, variant.opts); err != nil {
					t.Errorf("%s: %v", id, err)
				}
			}()
		}
	}
	j.waitFor(t, len(want))
	c.alertBatches.flush()
	wg.Wait()

	mustEqual(t, "requests", len(requests), len(variants))
	for _, r := range requests {
		v := want[r.ids[0]]
		for _, id := range r.ids {
			if want[id] != v {
				t.Errorf("request %s %v mixes closes with different options", r.path, r.ids)
			}
		}
		if len(r.ids) != 5 {
			t.Errorf("request %s carried %d ids, want 5", r.path, len(r.ids))
		}
		variant := variants[v]
		wantBody, _ := json.Marshal(closeBody{Comment: variant.opts.Comment, ReasonID: variant.opts.ReasonID, SendFeedback: variant.opts.SendFeedback, FeedbackText: variant.opts.FeedbackText})
		var wb map[string]any
		_ = json.Unmarshal(wantBody, &wb)
		delete(wb, "filters")
		if got, w := fmt.Sprint(r.body), fmt.Sprint(wb); got != w || r.path != "/api/v1/alerts/"+variant.kind.endpoint()+"/" {
			t.Errorf("request %s %s, want %s for variant %d", r.path, got, w, v)
		}
	}
}

func TestCloseAlert_aFailedRequestFailsEveryCaller(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadGateway, map[string]string{"detail": "bad gateway"})
	})
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	errs := make(chan error, 10)
	for k := range 10 {
		go func() {
			errs <- c.CloseAlert(context.Background(), CloseTruePositive, fmt.Sprintf("%024x", k+1), CloseOptions{})
		}()
	}
	j.waitFor(t, 10)
	c.alertBatches.flush()
	for range 10 {
		if err := <-errs; !IsAmbiguous(err) || IsNotFound(err) || !strings.Contains(err.Error(), "may have taken effect") {
			t.Errorf("err = %v, want the shared request's ambiguous failure", err)
		}
	}
	// A close is idempotent: retried after each 502, up to MaxRetries (3), as one request.
	mustEqual(t, "requests", srv.count(), 4)
}
