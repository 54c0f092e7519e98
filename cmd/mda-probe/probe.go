package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The steps, in the order they run. The names are the report's keys: the comparison
// matches the two runs' steps by name.
const (
	stepList1           = "list ranges (limit 1)"
	stepList101         = "list ranges (limit 101)"
	stepCreate          = "create range"
	stepFetch           = "fetch range (GET /api/v1/subnet/<id>/)"
	stepUpdateWithID    = "update range with _id"
	stepUpdateWithoutID = "update range without _id (same name)"
	stepDuplicate       = "create duplicate name"
	stepDeleteDuplicate = "delete duplicate (if created)"
	stepOverlap         = "create overlapping range"
	stepDeleteOverlap   = "delete overlapping range (if created)"
	stepDelete          = "delete range"
	stepDeleteAgain     = "delete range again"
	stepAlerts          = "list alerts (limit 1)"
	stepAlertFetch      = "fetch alert"
	stepAlertRead       = "mark alert read"
	stepAlertUnread     = "mark alert unread"
	stepAlertRefetch    = "fetch alert again (state restored?)"
	stepStreams         = "list discovery streams"
	stepCategories      = "list categories of the first stream"
	stepBlockScript     = "block script (format 120)"
	stepGraphStreams    = "Graph: list streams"
	stepBurst           = "burst: up to 35 rapid list calls"
)

const (
	rangePrefix = "tfacc-probe-"
	// rangeCategory 6 is "Other": unlike Corporate or Risky it changes no policy's view
	// of the addresses, which are in any case from 198.18.0.0/15, reserved for benchmarks
	// (RFC 2544) and never seen in real traffic.
	rangeCategory = 6

	burstCalls = 35
	// bodyCap bounds the body a step records; the shape is taken from the whole body
	// (up to readCap).
	bodyCap        = 4 << 10
	readCap        = 8 << 20
	requestTimeout = 60 * time.Second
	// maxThrottleWait bounds how long a step waits after a 429 before its one retry.
	maxThrottleWait = 90 * time.Second
	// cleanupTimeout bounds the deferred cleanup, which runs on a context of its own so
	// that Ctrl-C does not stop it; long enough for one throttle wait.
	cleanupTimeout = 2 * time.Minute
	userAgent      = "mda-probe (terraform-provider-mda)"
)

// endpoint is a server the sequence runs against and how to sign in to it.
type endpoint struct {
	label      string
	apiURL     string // .../api
	credential string // the credential kind, in words
	auth       func(context.Context) (string, error)
	// graphURL (.../beta) and graphAuth reach Microsoft Graph; graphSkip says why the
	// Graph step cannot run when graphAuth is nil.
	graphURL  string
	graphAuth func(context.Context) (string, error)
	graphSkip string
	// alertID is the alert the alert steps use; "" means the first one the alert list
	// step returns (the reference server does not know the tenant's alert ids).
	alertID string
}

type options struct {
	alertSteps  bool
	spendBudget bool
	// private drops the bodies of successful answers that carry the tenant's own data
	// (tenantData), keeping their shapes, so that a report can be filed in public.
	private bool
}

// tenantData are the steps whose successful answers hold the tenant's ranges, alerts,
// reports or blocked apps rather than answers about the probe's own range.
var tenantData = map[string]bool{
	stepList1: true, stepList101: true, stepAlerts: true, stepAlertFetch: true, stepAlertRefetch: true,
	stepStreams: true, stepCategories: true, stepBlockScript: true, stepGraphStreams: true, stepBurst: true,
}

// runner runs the sequence against one endpoint and remembers what it must undo.
type runner struct {
	ep   endpoint
	opts options
	hc   *http.Client
	red  *redactor
	run  *Run

	name     string
	cidrMain string // the probe's range
	cidrDup  string // the duplicate-name attempt: next to cidrMain, not overlapping it
	cidrOver string // inside cidrMain

	// created maps the ids of ranges the probe created and has not seen deleted to their
	// names; unsure holds names whose create may have happened without telling an id.
	created map[string]string
	unsure  []string

	alert alertMarks

	// afterStep is called after every recorded step (tests cancel the run there).
	afterStep func(label, step string)
	// sleep waits out a 429 (tests record the wait instead).
	sleep func(ctx context.Context, d time.Duration) error
}

// alertMarks tracks the alert whose read state the probe changes, so that it is put back
// even when the run stops half-way.
type alertMarks struct {
	id       string
	original int // statusValue: 0 unread, 1 read
	current  int
	touched  bool
}

func newRunner(ep endpoint, opts options, red *redactor) *runner {
	suffix := randomHex(5)
	// A random /28 in 198.18.0.0/15 (8192 blocks): two probes at once, or a leftover of an
	// interrupted one, do not overlap each other. The duplicate-name attempt takes the next
	// block, the overlap attempt one address inside the probe's.
	var b [2]byte
	_, _ = rand.Read(b[:])
	block := int(binary.BigEndian.Uint16(b[:])) % 8191
	mainCIDR, dup, over := benchmarkCIDR(block, 0, 28), benchmarkCIDR(block+1, 0, 28), benchmarkCIDR(block, 1, 32)
	return &runner{
		ep: ep, opts: opts, red: red,
		hc: &http.Client{
			// Record a redirect as it came: following it would turn a POST into a GET.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		run:      &Run{Label: ep.label, URL: ep.apiURL, Credential: ep.credential, RangeName: rangePrefix + suffix, Steps: []Step{}},
		name:     rangePrefix + suffix,
		cidrMain: mainCIDR, cidrDup: dup, cidrOver: over,
		created: map[string]string{},
		sleep:   sleepCtx,
	}
}

// benchmarkCIDR is the address at offset in the block-th /28 of 198.18.0.0/15, written
// with a prefix of bits.
func benchmarkCIDR(block, offset, bits int) string {
	addr := block*16 + offset
	return fmt.Sprintf("198.%d.%d.%d/%d", 18+addr/65536, addr/256%256, addr%256, bits)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// request is one step's request.
type request struct {
	name, method, path string
	body               any
	graph              bool
	accept             string
	conditional        bool
	// once refuses the retry after a 429: the burst wants to see it.
	once bool
}

// Run runs the whole sequence, then cleans up on a context of its own, whatever
// happened to ctx.
func (r *runner) Run(ctx context.Context) *Run {
	defer r.cleanup(ctx)
	r.sequence(ctx)
	return r.run
}

func (r *runner) sequence(ctx context.Context) {
	list := func(limit int) map[string]any { return map[string]any{"skip": 0, "limit": limit} }
	refused := false
	if !r.step(ctx, request{name: stepList1, method: http.MethodPost, path: "/api/v1/subnet/", body: list(1)},
		func(st *Step, _ []byte) { refused = st.Status == http.StatusUnauthorized }) {
		return
	}
	if refused {
		// Every other step would be refused alike, and spend the budget for nothing.
		r.run.Stopped = "the server refused the credential (401); fix it and run the probe again"
		return
	}
	if !r.step(ctx, request{name: stepList101, method: http.MethodPost, path: "/api/v1/subnet/", body: list(101)}, func(st *Step, body []byte) {
		if n, ok := countItems(body, "data"); ok {
			st.note("the answer holds %d ranges", n)
		}
	}) {
		return
	}

	rangeBody := func(name, cidr string, withID string) map[string]any {
		b := map[string]any{"name": name, "category": rangeCategory, "subnets": []string{cidr}}
		if withID != "" {
			b["_id"] = withID
		}
		return b
	}
	var id string
	if !r.step(ctx, request{name: stepCreate, method: http.MethodPost, path: "/api/v1/subnet/create_rule/", body: rangeBody(r.name, r.cidrMain, "")},
		func(st *Step, body []byte) { id = r.tookCreate(st, body, r.name) }) {
		return
	}
	rangePath := "/api/v1/subnet/" + id + "/"
	noID := "create range returned no id"
	for _, rq := range []request{
		{name: stepFetch, method: http.MethodGet, path: rangePath},
		{name: stepUpdateWithID, method: http.MethodPost, path: rangePath + "update_rule/", body: rangeBody(r.name, r.cidrMain, id)},
		{name: stepUpdateWithoutID, method: http.MethodPost, path: rangePath + "update_rule/", body: rangeBody(r.name, r.cidrMain, "")},
	} {
		if id == "" {
			r.skip(rq.name, noID, true)
			continue
		}
		if !r.step(ctx, rq, nil) {
			return
		}
	}

	// Two creates that should be refused; a range either of them creates is deleted at
	// once, in a step of its own.
	for _, c := range []struct{ create, del, name, cidr string }{
		{stepDuplicate, stepDeleteDuplicate, r.name, r.cidrDup},
		{stepOverlap, stepDeleteOverlap, r.name + "-overlap", r.cidrOver},
	} {
		var extra string
		if !r.step(ctx, request{name: c.create, method: http.MethodPost, path: "/api/v1/subnet/create_rule/", body: rangeBody(c.name, c.cidr, "")},
			func(st *Step, body []byte) { extra = r.tookCreate(st, body, c.name) }) {
			return
		}
		if extra == "" {
			r.skip(c.del, "the create returned no id: refused, or (see its notes) left to cleanup", true)
			continue
		}
		if !r.step(ctx, request{name: c.del, method: http.MethodDelete, path: "/api/v1/subnet/" + extra + "/", conditional: true},
			func(st *Step, _ []byte) { r.tookDelete(st, extra) }) {
			return
		}
	}

	for _, name := range []string{stepDelete, stepDeleteAgain} {
		if id == "" {
			r.skip(name, noID, true)
			continue
		}
		if !r.step(ctx, request{name: name, method: http.MethodDelete, path: rangePath}, func(st *Step, _ []byte) { r.tookDelete(st, id) }) {
			return
		}
	}

	if !r.alertSteps(ctx) {
		return
	}
	if !r.discoverySteps(ctx) {
		return
	}
	if r.opts.spendBudget {
		r.burst(ctx)
	} else {
		r.skip(stepBurst, "runs only with -spend-budget", false)
	}
}

func (r *runner) alertSteps(ctx context.Context) bool {
	var first string
	if !r.step(ctx, request{name: stepAlerts, method: http.MethodPost, path: "/api/v1/alerts/", body: map[string]any{"skip": 0, "limit": 1}},
		func(_ *Step, body []byte) { first = firstID(body, "data") }) {
		return false
	}
	names := []string{stepAlertFetch, stepAlertRead, stepAlertUnread, stepAlertRefetch}
	skipAll := func(reason string, dependent bool) {
		for _, n := range names {
			r.skip(n, reason, dependent)
		}
	}
	if !r.opts.alertSteps {
		skipAll("runs only with -alert-id", false)
		return true
	}
	id := r.ep.alertID
	if id == "" {
		id = first
	}
	if id == "" {
		skipAll("no alert id: the alert list returned none", true)
		return true
	}
	alertPath := "/api/v1/alerts/" + id + "/"
	status := -1
	if !r.step(ctx, request{name: stepAlertFetch, method: http.MethodGet, path: alertPath}, func(st *Step, body []byte) {
		if st.Status/100 == 2 {
			status = statusValue(body)
		}
	}) {
		return false
	}
	if status != 0 && status != 1 {
		reason := "the alert's read state is unknown, so it is left alone"
		for _, n := range names[1:] {
			r.skip(n, reason, true)
		}
		return true
	}
	r.alert = alertMarks{id: id, original: status, current: status}
	// Mark the opposite first, then the original state again: the alert ends as it was.
	marks := []struct {
		name, route string
		value       int
	}{{stepAlertRead, "read/", 1}, {stepAlertUnread, "unread/", 0}}
	if status == 1 {
		marks[0], marks[1] = marks[1], marks[0]
	}
	for _, m := range marks {
		if !r.step(ctx, request{name: m.name, method: http.MethodPost, path: alertPath + m.route}, func(st *Step, _ []byte) {
			if st.Status/100 == 2 {
				r.alert.current, r.alert.touched = m.value, true
			}
		}) {
			return false
		}
	}
	return r.step(ctx, request{name: stepAlertRefetch, method: http.MethodGet, path: alertPath}, func(st *Step, body []byte) {
		if st.Status/100 == 2 {
			st.note("statusValue %d (it was %d before the marks)", statusValue(body), status)
		}
	})
}

func (r *runner) discoverySteps(ctx context.Context) bool {
	var stream string
	if !r.step(ctx, request{name: stepStreams, method: http.MethodGet, path: "/api/discovery/streams/"},
		func(_ *Step, body []byte) { stream = firstID(body, "streams") }) {
		return false
	}
	if stream == "" {
		r.skip(stepCategories, "the stream list returned no stream id", true)
	} else if !r.step(ctx, request{name: stepCategories, method: http.MethodPost, path: "/api/v1/discovery/discovered_apps/categories/",
		body: map[string]any{"streamId": stream}}, nil) {
		return false
	}
	if !r.step(ctx, request{name: stepBlockScript, method: http.MethodGet, path: "/api/discovery_block_scripts/?format=120", accept: "*/*"}, nil) {
		return false
	}
	if r.ep.graphAuth == nil {
		r.skip(stepGraphStreams, r.ep.graphSkip, false)
		return true
	}
	return r.step(ctx, request{name: stepGraphStreams, method: http.MethodGet, path: "/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams", graph: true}, nil)
}

// burst sends list calls back to back until the first 429 (at most burstCalls) and
// records that answer, or the last one when none came.
func (r *runner) burst(ctx context.Context) {
	rq := request{name: stepBurst, method: http.MethodPost, path: "/api/v1/subnet/", body: map[string]any{"skip": 0, "limit": 1}, once: true}
	var last Step
	ok := 0
	for i := 0; i < burstCalls; i++ {
		if ctx.Err() != nil {
			r.run.Interrupted = true
			return
		}
		st, _ := r.send(ctx, rq)
		last = st
		if st.Status == http.StatusTooManyRequests {
			break
		}
		if st.Error == "" && st.Status/100 == 2 {
			ok++
		}
	}
	if last.Status == http.StatusTooManyRequests {
		last.note("%d list calls were answered 2xx before this 429", ok)
	} else {
		last.note("no 429 in %d calls (%d answered 2xx); this is the last answer", burstCalls, ok)
	}
	r.record(last)
}

// step sends rq, records it and hands the answer to took. It reports false when the run
// must stop (the context ended).
func (r *runner) step(ctx context.Context, rq request, took func(*Step, []byte)) bool {
	if ctx.Err() != nil {
		r.run.Interrupted = true
		return false
	}
	st, body := r.send(ctx, rq)
	if took != nil {
		took(&st, body)
	}
	r.record(st)
	if ctx.Err() != nil {
		r.run.Interrupted = true
		return false
	}
	return true
}

func (r *runner) record(st Step) {
	if r.opts.private && tenantData[st.Name] && st.Status/100 == 2 && st.Body != "" {
		st.Body, st.Truncated = "", false
		st.note("body left out (-private); its shape is kept")
	}
	r.run.Steps = append(r.run.Steps, st)
	if r.afterStep != nil {
		r.afterStep(r.ep.label, st.Name)
	}
}

func (r *runner) skip(name, reason string, conditional bool) {
	r.record(Step{Name: name, Skipped: reason, Conditional: conditional})
}

// tookCreate reads a create's answer: the id of the new range, or "" when none was
// created. A create whose outcome is unknown leaves its name to cleanup.
func (r *runner) tookCreate(st *Step, body []byte, name string) string {
	if st.Error != "" || st.Status >= 500 {
		r.unsure = append(r.unsure, name)
		st.note("the outcome is unknown; cleanup looks the name up")
		return ""
	}
	if st.Status/100 != 2 {
		return ""
	}
	id := createdID(body)
	if id == "" {
		r.unsure = append(r.unsure, name)
		st.note("a 2xx without an id; cleanup looks the name up")
		return ""
	}
	r.created[id] = name
	return id
}

// tookDelete forgets a range once a delete of it succeeded.
func (r *runner) tookDelete(st *Step, id string) {
	if st.Error == "" && st.Status/100 == 2 {
		delete(r.created, id)
	}
}

// send makes one request, waiting out one 429 and sending it again unless rq.once.
func (r *runner) send(ctx context.Context, rq request) (Step, []byte) {
	st, body, retryAfter := r.exchange(ctx, rq)
	if st.Status != http.StatusTooManyRequests || rq.once {
		return st, body
	}
	wait := maxThrottleWait
	if retryAfter > 0 && retryAfter < wait {
		wait = retryAfter
	}
	first := st
	if err := r.sleep(ctx, wait); err != nil {
		first.note("throttled (429); interrupted while waiting %s to retry", wait)
		return first, body
	}
	st, body, _ = r.exchange(ctx, rq)
	st.note("the first attempt was throttled (429, Retry-After %q); this is the retry after %s", first.Headers["Retry-After"], wait)
	return st, body
}

// exchange sends rq once and records the answer as it came.
func (r *runner) exchange(ctx context.Context, rq request) (st Step, body []byte, retryAfter time.Duration) {
	st = Step{Name: rq.name, Method: rq.method, Path: rq.path, Conditional: rq.conditional}
	start := time.Now()
	defer func() { st.DurationMS = time.Since(start).Milliseconds() }()

	base, auth := strings.TrimSuffix(r.ep.apiURL, "/api"), r.ep.auth
	if rq.graph {
		base, auth = strings.TrimSuffix(r.ep.graphURL, "/beta"), r.ep.graphAuth
	}
	var reqBody io.Reader
	if rq.body != nil {
		b, err := json.Marshal(rq.body)
		if err != nil {
			st.Error = "encoding the request: " + err.Error()
			return st, nil, 0
		}
		st.RequestBody = b
		reqBody = bytes.NewReader(b)
	}
	header, err := auth(ctx)
	if err != nil {
		st.Error = r.red.apply("signing in: " + err.Error())
		return st, nil, 0
	}
	r.red.add(header)
	if _, cred, ok := strings.Cut(header, " "); ok {
		r.red.add(cred)
	}
	actx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, rq.method, base+rq.path, reqBody)
	if err != nil {
		st.Error = r.red.apply(err.Error())
		return st, nil, 0
	}
	req.Header.Set("Authorization", header)
	req.Header.Set("User-Agent", userAgent)
	accept := rq.accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.graph {
		r.run.GraphRequests++
	} else {
		r.run.MDARequests++
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		st.Error = r.red.apply(err.Error())
		return st, nil, 0
	}
	defer func() { _ = resp.Body.Close() }()
	body, err = io.ReadAll(io.LimitReader(resp.Body, readCap))
	if err != nil {
		st.note("%s", r.red.apply("reading the body failed after "+strconv.Itoa(len(body))+" bytes: "+err.Error()))
	}
	st.Status = resp.StatusCode
	st.Headers = keepHeaders(resp.Header, r.red)
	st.BodyBytes = len(body)
	st.Shape = shapeOf(resp.Header.Get("Content-Type"), body)
	shown := body
	if len(shown) > bodyCap {
		shown, st.Truncated = shown[:bodyCap], true
	}
	st.Body = r.red.apply(string(shown))
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	return st, body, retryAfter
}

// cleanup puts back what the run changed: the alert's read state, then every range the
// probe created and did not see deleted, then any range bearing one of its names whose
// create had an unknown outcome. It never touches another range: it deletes by the ids
// its creates returned, or by exact probe names (random suffix included).
func (r *runner) cleanup(parent context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), cleanupTimeout)
	defer cancel()
	cleanupStep := func(rq request) (Step, []byte) {
		st, body := r.send(ctx, rq)
		r.run.Cleanup = append(r.run.Cleanup, st)
		return st, body
	}

	if a := r.alert; a.touched && a.current != a.original {
		route, name := "read/", "restore: mark alert read"
		if a.original == 0 {
			route, name = "unread/", "restore: mark alert unread"
		}
		if st, _ := cleanupStep(request{name: name, method: http.MethodPost, path: "/api/v1/alerts/" + a.id + "/" + route}); st.Error != "" || st.Status/100 != 2 {
			r.run.Leftovers = append(r.run.Leftovers, fmt.Sprintf("alert %s: read state not restored (statusValue was %d)", a.id, a.original))
		}
	}

	for id, name := range r.created {
		st, _ := cleanupStep(request{name: "cleanup: delete " + name, method: http.MethodDelete, path: "/api/v1/subnet/" + id + "/"})
		// A JSON 404 from the range's own route means it is gone already (mda-api.md
		// 1.8, "What a 404 proves"); an HTML one proves nothing.
		gone := st.Status == http.StatusNotFound && st.Shape != nil && st.Shape.Type == "object"
		if st.Error == "" && (st.Status/100 == 2 || gone) {
			delete(r.created, id)
			continue
		}
		r.run.Leftovers = append(r.run.Leftovers, fmt.Sprintf("range %s (%s)", name, id))
	}

	if len(r.unsure) > 0 {
		r.deleteByName(cleanupStep)
	}
}

// deleteByName lists the custom ranges and deletes those named like one of the probe's
// creates with an unknown outcome.
func (r *runner) deleteByName(cleanupStep func(request) (Step, []byte)) {
	const maxPages = 50
	var found []struct{ id, name string }
	listed := false
	for skip, page := 0, 0; page < maxPages; page++ {
		st, body := cleanupStep(request{name: "cleanup: look up names", method: http.MethodPost, path: "/api/v1/subnet/",
			body: map[string]any{"filters": map[string]any{"builtIn": map[string]any{"eq": false}}, "skip": skip, "limit": 100}})
		if st.Error != "" || st.Status/100 != 2 {
			break
		}
		var pg struct {
			Data []struct {
				ID   string `json:"_id"`
				Name string `json:"name"`
			} `json:"data"`
			HasNext bool `json:"hasNext"`
		}
		if json.Unmarshal(body, &pg) != nil {
			break
		}
		for _, d := range pg.Data {
			for _, n := range r.unsure {
				if d.Name == n {
					found = append(found, struct{ id, name string }{d.ID, d.Name})
				}
			}
		}
		if !pg.HasNext || len(pg.Data) == 0 {
			listed = true
			break
		}
		skip += len(pg.Data)
	}
	for _, f := range found {
		if _, done := r.created[f.id]; done {
			continue
		}
		st, _ := cleanupStep(request{name: "cleanup: delete " + f.name, method: http.MethodDelete, path: "/api/v1/subnet/" + f.id + "/"})
		if st.Error != "" || st.Status/100 != 2 {
			r.run.Leftovers = append(r.run.Leftovers, fmt.Sprintf("range %s (%s)", f.name, f.id))
		}
	}
	if !listed {
		r.run.Leftovers = append(r.run.Leftovers, "could not list the ranges to look for "+strings.Join(r.unsure, ", ")+"; check for them in the portal")
	}
}

// createdID reads create_rule's answer: a JSON string (documented), or an object with
// _id or id (tolerated, so that a tenant answering differently is still cleaned up).
func createdID(body []byte) string {
	var s string
	if json.Unmarshal(body, &s) == nil {
		return strings.TrimSpace(s)
	}
	var o struct {
		ID  string `json:"_id"`
		ID2 string `json:"id"`
	}
	if json.Unmarshal(body, &o) == nil {
		if o.ID != "" {
			return o.ID
		}
		return o.ID2
	}
	return ""
}

// firstID is the _id of the first object in body's list under key.
func firstID(body []byte, key string) string {
	var o map[string]json.RawMessage
	if json.Unmarshal(body, &o) != nil {
		return ""
	}
	var items []struct {
		ID string `json:"_id"`
	}
	if json.Unmarshal(o[key], &items) != nil || len(items) == 0 {
		return ""
	}
	return items[0].ID
}

func countItems(body []byte, key string) (int, bool) {
	var o map[string]json.RawMessage
	if json.Unmarshal(body, &o) != nil {
		return 0, false
	}
	var items []json.RawMessage
	if json.Unmarshal(o[key], &items) != nil {
		return 0, false
	}
	return len(items), true
}

// statusValue reads an alert's read state (0 unread, 1 read, 2 archived); -1 when the
// body has none.
func statusValue(body []byte) int {
	var a struct {
		StatusValue *json.Number `json:"statusValue"`
	}
	if json.Unmarshal(body, &a) != nil || a.StatusValue == nil {
		return -1
	}
	n, err := a.StatusValue.Int64()
	if err != nil {
		return -1
	}
	return int(n)
}
