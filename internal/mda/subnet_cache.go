package mda

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// ErrNotFound is returned (wrapped) by the run-scoped lookups when no range matches.
// LookupSubnet returns it only once the absence is confirmed (subnet_confirm.go); the
// name lookups return it when a complete listing holds no such name. IsNotFound
// recognises it, as well as a JSON 404 from an object's own route.
var ErrNotFound = errors.New("not found")

// subnetCache is the run-scoped listing of custom IP ranges. MDA documents no GET for
// one range, and the budget is 30 requests a minute: reading N managed ranges one list
// each would cost N·ceil(T/100) requests. Instead the first lookup lists every custom
// range once (ceil(T/100) requests), concurrent lookups share that one walk, and this
// client's own writes keep the listing current until the process ends.
type subnetCache struct {
	mu   sync.Mutex
	byID map[string]Subnet // nil until listed, and after invalidate
	// flight is the walk in progress, shared by every caller that needs the listing
	// meanwhile; nil when none is.
	flight *listFlight
	// gen is bumped by invalidate: a walk that began before it neither serves later
	// callers nor fills the listing.
	gen uint64
	// walks are the journals of the walks in flight: writes that finish during a walk
	// are replayed on its result.
	walks map[*walkJournal]struct{}
}

type walkJournal struct{ writes []func(map[string]Subnet) }

// listFlight is one walk of the listing and the callers waiting for it. The walk runs on
// a shared context that ends when the last of them leaves (see sharedCtx).
type listFlight struct {
	gen    uint64
	shared *sharedCtx
	done   chan struct{} // closed once m and err are set
	m      map[string]Subnet
	err    error
}

// LookupSubnet returns custom range id from the run-scoped listing, listing all custom
// ranges on first use. A range the listing lacks is confirmed missing before the error
// says so with IsNotFound (see subnet_confirm.go): a failed or bogus listing must never
// read as "deleted".
func (c *Client) LookupSubnet(ctx context.Context, id string) (*Subnet, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	m, lo, hi, err := c.customListing(ctx)
	if err != nil {
		return nil, err
	}
	if s, ok := m[id]; ok {
		return cloneSubnet(s), nil
	}
	return c.confirmSubnetMissing(ctx, id, lo, hi)
}

// FindSubnetByName returns the custom range named name from the run-scoped listing
// (names are unique in MDA). After an ambiguous write the listing is fetched afresh, so
// this is also how a create that may have happened is checked.
func (c *Client) FindSubnetByName(ctx context.Context, name string) (*Subnet, error) {
	m, err := c.subnets.listing(ctx, c, false)
	if err != nil {
		return nil, err
	}
	return findSubnet(m, "", name, "IP range")
}

// FindBuiltInSubnet returns the built-in range with the given id, or (when id is "")
// the given name. Built-in ranges are listed once per client, on first use, apart from
// the custom ones: a provider needs them only to explain why a range cannot be managed,
// or when a data source asks for one.
func (c *Client) FindBuiltInSubnet(ctx context.Context, id, name string) (*Subnet, error) {
	m, err := c.builtInSubnets.listing(ctx, c, true)
	if err != nil {
		return nil, err
	}
	return findSubnet(m, id, name, "built-in IP range")
}

func findSubnet(m map[string]Subnet, id, name, what string) (*Subnet, error) {
	if id != "" {
		if s, ok := m[id]; ok {
			return cloneSubnet(s), nil
		}
		return nil, fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	for _, s := range m {
		if s.Name == name {
			return cloneSubnet(s), nil
		}
	}
	return nil, fmt.Errorf("%s named %q: %w", what, name, ErrNotFound)
}

// InvalidateSubnets drops the run-scoped listing; the next lookup lists again.
func (c *Client) InvalidateSubnets() { c.subnets.invalidate() }

func (sc *subnetCache) listing(ctx context.Context, c *Client, builtIn bool) (map[string]Subnet, error) {
	sc.mu.Lock()
	if m := sc.byID; m != nil {
		sc.mu.Unlock()
		return m, nil
	}
	// The walk is shared: no caller's context may end it while others wait, but it ends
	// when every caller has stopped waiting. A walk whose callers all left is abandoned,
	// and the next caller starts a new one.
	f := sc.flight
	if f == nil || f.gen != sc.gen || !f.shared.join() {
		f = &listFlight{gen: sc.gen, shared: newSharedCtx(ctx), done: make(chan struct{})}
		f.shared.join()
		sc.flight = f
		go func() {
			m, err := sc.load(f.shared.ctx, c, builtIn, f.gen)
			sc.mu.Lock()
			if sc.flight == f {
				sc.flight = nil
			}
			sc.mu.Unlock()
			f.m, f.err = m, err
			close(f.done)
		}()
	}
	sc.mu.Unlock()
	defer f.shared.leave()
	select {
	case <-f.done:
		return f.m, f.err
	case <-ctx.Done():
		select {
		case <-f.done: // finished meanwhile: the answer is worth more than the error
			return f.m, f.err
		default:
		}
		return nil, newCanceledError(ctx, "listing IP ranges", nil)
	}
}

func (sc *subnetCache) load(ctx context.Context, c *Client, builtIn bool, gen uint64) (map[string]Subnet, error) {
	sc.mu.Lock()
	if sc.byID != nil && sc.gen == gen { // filled while this caller queued for the flight
		m := sc.byID
		sc.mu.Unlock()
		return m, nil
	}
	j := &walkJournal{}
	if sc.walks == nil {
		sc.walks = map[*walkJournal]struct{}{}
	}
	sc.walks[j] = struct{}{}
	sc.mu.Unlock()

	res, err := c.ListSubnets(ctx, SubnetQuery{BuiltIn: &builtIn})

	sc.mu.Lock()
	defer sc.mu.Unlock()
	delete(sc.walks, j)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Subnet, len(res.Items))
	for _, s := range res.Items {
		m[s.ID] = s
	}
	// Writes that finished while the walk ran may or may not be in it; replaying them
	// makes the listing agree with them either way.
	for _, w := range j.writes {
		w(m)
	}
	if sc.gen == gen {
		sc.byID = m
	}
	return m, nil
}

// apply records a write of this client in the listing and in the walks in flight; with
// neither, the next walk will see the write anyway.
func (sc *subnetCache) apply(w func(map[string]Subnet)) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.byID != nil {
		// Copy on write: callers may still be reading the old map.
		m := make(map[string]Subnet, len(sc.byID)+1)
		for k, v := range sc.byID {
			m[k] = v
		}
		w(m)
		sc.byID = m
	}
	for j := range sc.walks {
		j.writes = append(j.writes, w)
	}
}

func (sc *subnetCache) put(s Subnet) {
	sc.apply(func(m map[string]Subnet) { m[s.ID] = s })
}

func (sc *subnetCache) remove(id string) {
	sc.apply(func(m map[string]Subnet) { delete(m, id) })
}

func (sc *subnetCache) invalidate() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.byID = nil
	sc.gen++
}

func cloneSubnet(s Subnet) *Subnet {
	s.Subnets = slices.Clone(s.Subnets)
	s.Tags = slices.Clone(s.Tags)
	if s.Location != nil {
		loc := *s.Location
		s.Location = &loc
	}
	return &s
}

// CustomSubnets returns every custom range from the run-scoped listing, sorted by name
// (then id), listing them on first use. Whatever else in the run needs the listing
// (refreshes, lookups by name, mda_ip_ranges_exclusive) shares the same requests.
//
// Ranges this client wrote during the run are included as written (Raw is nil): their
// tags are the strings that were sent, not MDA's tag objects.
func (c *Client) CustomSubnets(ctx context.Context) ([]Subnet, error) {
	m, err := c.subnets.listing(ctx, c, false)
	if err != nil {
		return nil, err
	}
	return sortedSubnets(m), nil
}

// BuiltInSubnets returns every built-in range, sorted by name, from the listing that
// FindBuiltInSubnet shares (one walk per client).
func (c *Client) BuiltInSubnets(ctx context.Context) ([]Subnet, error) {
	m, err := c.builtInSubnets.listing(ctx, c, true)
	if err != nil {
		return nil, err
	}
	return sortedSubnets(m), nil
}

func sortedSubnets(m map[string]Subnet) []Subnet {
	out := make([]Subnet, 0, len(m))
	for _, s := range m {
		out = append(out, *cloneSubnet(s))
	}
	slices.SortFunc(out, func(a, b Subnet) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
