package mda

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Terraform refreshes every mda_alert_state of a configuration at once (ten at a time by
// default), and each Read wants one alert. One request per alert would spend the tenant's
// 30 requests a minute on a handful of resources, so concurrent lookups share one
// listing filtered by id, and concurrent closes with the same options share one close
// request: up to 100 ids each, the API's cap.
//
// A batch goes out when it holds 100 ids, or when no caller has joined it for a moment
// (the linger) while no request of its kind is in flight. While one is in flight,
// newcomers gather into the next batch, which goes out as soon as the flight lands: a
// slow tenant makes batches bigger rather than requests more numerous.
//
// The linger restarts with each caller that joins, up to maxLingerFactor lingers in all:
// Terraform starts its concurrent operations a few milliseconds apart, spread over more
// than a fixed short wait, and every request saved is 2 seconds of the tenant's budget of
// 30 a minute, so a batch waits for the stragglers rather than leaving without them.
//
// Deadlines stay the callers': a caller whose context ends while its batch is gathering
// is taken out of it (a batch left empty is not sent), and a batch in flight is canceled
// when its last caller leaves. A caller that leaves a close in flight is told the close
// may have taken effect, never just that it failed: the close may land after it has gone.

const (
	// defaultBatchLinger is the quiet gap that closes a batch: longer than the gaps
	// between Terraform's concurrent operations, short next to an MDA request.
	defaultBatchLinger = 100 * time.Millisecond
	// maxLingerFactor caps how long a steady trickle of callers can hold a batch open.
	maxLingerFactor = 10
	maxBatch        = 100
)

// alertBatches is the client's batcher; its zero value is ready to use.
type alertBatches struct {
	// linger is how long a batch waits for company; 0 means defaultBatchLinger. It is
	// wall-clock time, not the client's Clock: it is latency, not rate-limit budget, and
	// the tests' auto-advancing clocks would make every linger instant. Tests that need
	// a batch to form set a long linger and call flush.
	linger time.Duration
	// queued, when set (by tests), is called each time a caller has joined a batch.
	queued func()

	mu     sync.Mutex
	groups map[batchKey]*batchGroup
}

// batchKey says which callers may share a request: all lookups, or closes of one kind
// with equal options.
type batchKey struct {
	close        bool
	kind         CloseKind
	comment      string
	hasReason    bool
	reason       int
	sendFeedback bool
	feedbackText string
	allowContact bool
	contactEmail string
}

func closeBatchKey(kind CloseKind, o CloseOptions) batchKey {
	k := batchKey{close: true, kind: kind, comment: o.Comment, sendFeedback: o.SendFeedback,
		feedbackText: o.FeedbackText, allowContact: o.AllowContact, contactEmail: o.ContactEmail}
	if o.ReasonID != nil {
		k.hasReason, k.reason = true, *o.ReasonID
	}
	return k
}

// batchSpec is what a group's batches do: run sends one request for ids and returns the
// alerts (or, for closes, nil values) by id; an id it leaves out gets missing(id).
type batchSpec struct {
	run     func(ctx context.Context, ids []string) (map[string]*Alert, error)
	missing func(id string) error
}

type batchGroup struct {
	spec     batchSpec
	pending  *alertBatch // gathering; nil when there is none
	inFlight int
}

type alertBatch struct {
	// shared is the request's context: no one caller's end cancels it, the last one's
	// does (see sharedCtx). Each caller stops waiting on its own context.
	shared  *sharedCtx
	sent    bool // dispatched: its callers can no longer be taken out of the request
	ids     []string
	waiters map[string][]chan batchResult
	timer   *time.Timer
	// linger and deadline drive the timer: each joiner restarts it, until deadline.
	linger   time.Duration
	deadline time.Time
}

type batchResult struct {
	alert *Alert
	err   error
}

// join adds id to the group's gathering batch and waits for its result.
func (b *alertBatches) join(ctx context.Context, key batchKey, spec batchSpec, id string) (*Alert, error) {
	ch := make(chan batchResult, 1)
	b.mu.Lock()
	if b.groups == nil {
		b.groups = map[batchKey]*batchGroup{}
	}
	g := b.groups[key]
	if g == nil {
		g = &batchGroup{spec: spec}
		b.groups[key] = g
	}
	bt := g.pending
	if bt == nil {
		bt = &alertBatch{shared: newSharedCtx(ctx), waiters: map[string][]chan batchResult{}}
		g.pending = bt
		if g.inFlight == 0 {
			linger := b.linger
			if linger <= 0 {
				linger = defaultBatchLinger
			}
			bt.linger, bt.deadline = linger, time.Now().Add(maxLingerFactor*linger)
			bt.timer = time.AfterFunc(linger, func() { b.lingered(key, bt) })
		}
	} else if bt.timer != nil && time.Now().Add(bt.linger).Before(bt.deadline) {
		// A timer that has fired already is harmless: lingered takes the lock after us and
		// sends the batch with this caller in it.
		bt.timer.Reset(bt.linger)
	}
	if _, ok := bt.waiters[id]; !ok {
		bt.ids = append(bt.ids, id)
	}
	bt.waiters[id] = append(bt.waiters[id], ch)
	bt.shared.join() // a gathering batch's context is never ended: it has a waiter until sent
	if len(bt.ids) >= maxBatch {
		b.dispatchLocked(key, g)
	}
	queued := b.queued
	b.mu.Unlock()
	if queued != nil {
		queued()
	}

	defer bt.shared.leave()
	select {
	case r := <-ch:
		return r.alert, r.err
	case <-ctx.Done():
	}
	select {
	case r := <-ch: // answered meanwhile: the answer is worth more than the error
		return r.alert, r.err
	default:
	}
	if !b.withdraw(key, bt, id, ch) {
		// The request is out; the close may still land after this caller has gone.
		err := newCanceledError(ctx, "waiting for the shared request", nil)
		if key.close {
			return nil, &AmbiguousError{Operation: "close alert " + id + " as " + key.kind.String(), Err: err}
		}
		return nil, err
	}
	return nil, newCanceledError(ctx, "waiting for a batch to be sent", nil)
}

// withdraw takes the caller waiting on ch for id out of bt, if bt has not been sent; a
// batch left with no callers is dropped. It reports whether the caller was taken out.
func (b *alertBatches) withdraw(key batchKey, bt *alertBatch, id string, ch chan batchResult) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bt.sent {
		return false
	}
	chs := slices.DeleteFunc(bt.waiters[id], func(c chan batchResult) bool { return c == ch })
	if len(chs) > 0 {
		bt.waiters[id] = chs
		return true
	}
	delete(bt.waiters, id)
	bt.ids = slices.DeleteFunc(bt.ids, func(x string) bool { return x == id })
	if len(bt.ids) > 0 {
		return true
	}
	g := b.groups[key]
	if g != nil && g.pending == bt {
		g.pending = nil
		if bt.timer != nil {
			bt.timer.Stop()
		}
		if g.inFlight == 0 {
			delete(b.groups, key)
		}
	}
	return true
}

// lingered sends bt once its linger is over, unless it has gone already or a flight of
// its group is in the air (whose landing sends it).
func (b *alertBatches) lingered(key batchKey, bt *alertBatch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if g := b.groups[key]; g != nil && g.pending == bt && g.inFlight == 0 {
		b.dispatchLocked(key, g)
	}
}

// flush sends every gathering batch that is not waiting for a flight to land.
func (b *alertBatches) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for key, g := range b.groups {
		if g.pending != nil && g.inFlight == 0 {
			b.dispatchLocked(key, g)
		}
	}
}

func (b *alertBatches) dispatchLocked(key batchKey, g *batchGroup) {
	bt := g.pending
	g.pending = nil
	bt.sent = true
	if bt.timer != nil {
		bt.timer.Stop()
	}
	g.inFlight++
	go b.send(key, g, bt)
}

func (b *alertBatches) send(key batchKey, g *batchGroup, bt *alertBatch) {
	found, err := g.spec.run(bt.shared.ctx, slices.Clone(bt.ids))
	for id, chs := range bt.waiters {
		for _, ch := range chs {
			r := batchResult{err: err}
			if err == nil {
				a, ok := found[id]
				if !ok {
					r.err = g.spec.missing(id)
				} else if a != nil {
					r.alert = cloneAlert(a)
				}
			}
			ch <- r // buffered: a caller that gave up does not block the others
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	g.inFlight--
	if g.inFlight > 0 {
		return
	}
	if g.pending != nil {
		b.dispatchLocked(key, g)
		return
	}
	delete(b.groups, key)
}

// LookupAlert reads one alert, sharing a listing with concurrent lookups (see the top of
// this file): N alerts refreshed together cost about N/100 requests instead of N. An
// alert that does not exist gives an error with IsNotFound, for its caller only.
func (c *Client) LookupAlert(ctx context.Context, id string) (*Alert, error) {
	id, err := NormalizeAlertID(id)
	if err != nil {
		return nil, err
	}
	spec := batchSpec{
		run:     c.lookupAlerts,
		missing: func(id string) error { return fmt.Errorf("alert %s: %w", id, ErrNotFound) },
	}
	a, err := c.alertBatches.join(ctx, batchKey{}, spec, id)
	if err != nil && !IsNotFound(err) {
		return nil, fmt.Errorf("alert %s: %w", id, err)
	}
	return a, err
}

func (c *Client) lookupAlerts(ctx context.Context, ids []string) (map[string]*Alert, error) {
	op := newOperation("read alerts", http.MethodPost, "/v1/alerts/", permAlertRead, classList)
	res, err := listAll[Alert](ctx, c, op, ListRequest{Filters: Filters{}.With("id", OpEq, ids)}, 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Alert, len(res.Items))
	for i := range res.Items {
		a := &res.Items[i]
		if id, err := NormalizeAlertID(a.ID); err == nil {
			out[id] = a
		}
	}
	return out, nil
}

// CloseAlert closes one alert, sharing a close request with concurrent closes of the
// same kind and options. An alert MDA does not know gives an error with IsNotFound, for
// its caller only; a failed request fails every alert that shared it.
func (c *Client) CloseAlert(ctx context.Context, kind CloseKind, id string, opts CloseOptions) error {
	if err := opts.validate(kind); err != nil {
		return err
	}
	id, err := NormalizeAlertID(id)
	if err != nil {
		return fmt.Errorf("closing alert as %s: %w", kind, err)
	}
	if opts.ReasonID != nil {
		r := *opts.ReasonID // the batch outlives this call; keep the caller's int out of it
		opts.ReasonID = &r
	}
	spec := batchSpec{
		run: func(ctx context.Context, ids []string) (map[string]*Alert, error) {
			res, err := c.CloseAlerts(ctx, kind, ids, opts)
			if err != nil {
				return nil, err
			}
			closed := make(map[string]*Alert, len(ids))
			for _, id := range ids {
				if !slices.Contains(res.NotFound, id) {
					closed[id] = nil
				}
			}
			return closed, nil
		},
		missing: func(id string) error {
			return fmt.Errorf("closing alert %s as %s: MDA reports it as not found: %w", id, kind, ErrNotFound)
		},
	}
	_, err = c.alertBatches.join(ctx, closeBatchKey(kind, opts), spec, id)
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("alert %s: %w", id, err)
	}
	return err
}

func cloneAlert(a *Alert) *Alert {
	c := *a
	c.Entities = slices.Clone(a.Entities)
	c.Raw = slices.Clone(a.Raw)
	if a.Policy != nil {
		p := *a.Policy
		c.Policy = &p
	}
	if a.ResolveTime != nil {
		t := *a.ResolveTime
		c.ResolveTime = &t
	}
	return &c
}
