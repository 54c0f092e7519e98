package mda

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// A range missing from the run's listing is not yet gone: one bad answer (an empty page
// from a struggling backend, a proxy's cached body) would otherwise drop every managed
// range from state. LookupSubnet confirms an absence before it reports ErrNotFound:
//
//  1. Every lookup that misses in a listing that has not been re-checked shares one
//     fresh listing (a "recheck"). A bogus listing of N managed ranges thus costs one
//     extra listing, not N requests: the ranges are all found again.
//  2. An id still missing from the fresh listing is read from its own route,
//     GET /api/v1/subnet/<id>/ (undocumented, SECOPS uses it): a JSON 404 confirms; a
//     200 keeps the range (the listings were wrong, and that is logged).
//  3. Where that route is not served (405, or the portal's HTML 404), the two listings
//     that both lacked the id are the evidence.
//
// A range deleted in the portal thus costs two requests beyond the run's listing (one
// listing page per 100 ranges, one GET); ranges deleted together share the listing.

// subnetRecheck remembers the latest recheck: the subnetCache generation that its
// fresh listing was fetched under.
type subnetRecheck struct {
	mu   sync.Mutex
	done bool // a recheck has started
	gen  uint64
}

// generation is the cache generation now.
func (sc *subnetCache) generation() uint64 {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.gen
}

// customListing returns the run's listing of custom ranges and bounds on the cache
// generation it was fetched under: lo before asking, hi after. Where they differ the
// listing's generation is uncertain, and the code below then assumes the worst: a
// request more, never a listing counted twice.
func (c *Client) customListing(ctx context.Context) (m map[string]Subnet, lo, hi uint64, err error) {
	lo = c.subnets.generation()
	m, err = c.subnets.listing(ctx, c, false)
	return m, lo, c.subnets.generation(), err
}

// recheckedListing returns a listing fetched after the one of generations [lo, hi]:
// the one a recheck started since then fetches or fetched, or a new recheck's. When
// that listing is itself the latest recheck's it returns fetched = false, unless force
// asks for another listing anyway.
func (c *Client) recheckedListing(ctx context.Context, lo, hi uint64, force bool) (m map[string]Subnet, lo2, hi2 uint64, fetched bool, err error) {
	r := &c.subnetRecheck
	r.mu.Lock()
	switch {
	case !force && r.done && r.gen == lo && lo == hi:
		r.mu.Unlock()
		return nil, lo, hi, false, nil
	case !r.done || r.gen < lo || (force && r.gen <= hi):
		c.subnets.invalidate()
		r.done, r.gen = true, c.subnets.generation()
	}
	r.mu.Unlock()
	m, lo2, hi2, err = c.customListing(ctx)
	return m, lo2, hi2, true, err
}

// confirmSubnetMissing decides about custom range id, absent from the listing of
// generations [lo, hi]: it returns the range when a second look finds it, an error
// wrapping ErrNotFound when its absence is confirmed, or the error that kept it from
// knowing.
func (c *Client) confirmSubnetMissing(ctx context.Context, id string, lo, hi uint64) (*Subnet, error) {
	fresh, lo2, hi2, fetched, err := c.recheckedListing(ctx, lo, hi, false)
	if err != nil {
		return nil, fmt.Errorf("IP range %s is missing from the listing, and listing again to confirm it failed: %w", id, err)
	}
	if s, ok := fresh[id]; ok {
		c.logListedAgain(ctx, id)
		return cloneSubnet(s), nil
	}
	// Two distinct listings lack it when the second was fetched under a later generation.
	twoListings := fetched && lo2 > hi

	s, err := c.getSubnet(ctx, id)
	switch {
	case err == nil:
		return c.keepListedMissing(ctx, id, s)
	case IsNotFound(err):
		return nil, fmt.Errorf("IP range %s (absent from the listing, and its own route answers 404): %w", id, ErrNotFound)
	case !routeNotServed(err):
		return nil, fmt.Errorf("IP range %s is missing from the listing, and reading it to confirm failed: %w", id, err)
	}

	// No route of its own on this tenant: two listings that both lack the id decide.
	if !twoListings {
		fresh, _, _, _, err = c.recheckedListing(ctx, lo2, hi2, true)
		if err != nil {
			return nil, fmt.Errorf("IP range %s is missing from the listing, and listing again to confirm it failed: %w", id, err)
		}
		if s, ok := fresh[id]; ok {
			c.logListedAgain(ctx, id)
			return cloneSubnet(s), nil
		}
	}
	return nil, fmt.Errorf("IP range %s (absent from two listings): %w", id, ErrNotFound)
}

func (c *Client) logListedAgain(ctx context.Context, id string) {
	c.logger.Log(ctx, LevelWarn, "IP range missing from one listing was in the next; the first listing was incomplete",
		map[string]any{"ip_range_id": id})
}

// keepListedMissing handles a range that listings lacked but its own route returned.
// The unfiltered route also serves built-in ranges, which a custom lookup must not
// return: the built-in listing (one per client, cached) tells them apart.
func (c *Client) keepListedMissing(ctx context.Context, id string, s *Subnet) (*Subnet, error) {
	builtIn, err := c.FindBuiltInSubnet(ctx, id, "")
	switch {
	case err == nil && builtIn != nil:
		return nil, fmt.Errorf("IP range %s is a built-in range, not a custom one: %w", id, ErrNotFound)
	case err != nil && !IsNotFound(err):
		return nil, fmt.Errorf("IP range %s is missing from the listing but exists; telling whether it is built-in failed: %w", id, err)
	}
	c.logger.Log(ctx, LevelWarn, "IP range missing from the listing exists when read by id; MDA's listing is inconsistent, so the range is kept",
		map[string]any{"ip_range_id": id})
	c.subnets.put(*s)
	return s, nil
}

func routeNotServed(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.RouteNotServed()
}
