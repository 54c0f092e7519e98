package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Scan mode (mda-api.md §1.4, DOCS api-activities-investigate-script.md): the request
// carries "isScan": true, and each response the filters of the next request,
// "nextQueryFilters", until hasNext is false. MDA narrows the filters past what it has
// sent (and drops the last few records of a page rather than split records that share
// a time), so every record comes once even while new activities arrive, where skip and
// limit would shift under the newcomers and repeat or skip records.

// Scan page sizes: the docs allow 500 to 5000 per scan request, while every response
// to an API token holds at most 100 items. The client asks within the documented range
// and takes pages of any size, so it works whichever rule the tenant applies.
const (
	scanMinLimit = 500
	scanMaxLimit = 5000
)

// maxEmptyScanPages stops a scan whose server keeps answering hasNext with no records:
// a page may be empty when all its records were dropped, but not forever.
const maxEmptyScanPages = 3

// scanBody is the request body of a scan.
type scanBody struct {
	Filters       any    `json:"filters"`
	IsScan        bool   `json:"isScan"`
	Limit         int    `json:"limit"`
	SortField     string `json:"sortField,omitempty"`
	SortDirection string `json:"sortDirection,omitempty"`
}

// scanPage is a list envelope with the next request's filters.
type scanPage struct {
	listPage
	NextQueryFilters json.RawMessage `json:"nextQueryFilters"`
}

// scanAll lists with scan mode until it has maxItems items (<= 0: all of them) or the
// scan ends. Total is what the first page counted: later pages count only what is left
// under their narrowed filters.
func scanAll[T any](ctx context.Context, c *Client, op operation, req ListRequest, maxItems int) (ListResult[T], error) {
	var res ListResult[T]
	var filters any = req.Filters
	var prevFilters json.RawMessage
	empty := 0
	for {
		limit := scanMaxLimit
		if maxItems > 0 {
			limit = min(scanMaxLimit, max(scanMinLimit, maxItems-len(res.Items)))
		}
		var page scanPage
		err := c.do(ctx, op, scanBody{
			Filters:       filters,
			IsScan:        true,
			Limit:         limit,
			SortField:     req.SortField,
			SortDirection: req.SortDirection,
		}, &page)
		if err != nil {
			return ListResult[T]{}, err
		}
		res.Requests++
		if res.Requests == 1 {
			if page.Total != nil {
				res.Total = *page.Total
			}
			res.TotalIsLowerBound = page.MoreThanTotal
		}
		for i, raw := range page.Data {
			if maxItems > 0 && len(res.Items) >= maxItems {
				res.Truncated = true
				break
			}
			var item T
			if err := decodeKeepingRaw(raw, &item); err != nil {
				return ListResult[T]{}, fmt.Errorf("%s: decoding item %d of scan page %d: %w", op.name, i, res.Requests, err)
			}
			res.Items = append(res.Items, item)
		}
		if maxItems > 0 && len(res.Items) >= maxItems {
			res.Truncated = res.Truncated || page.HasNext
			break
		}
		if !page.HasNext {
			break
		}
		if len(page.Data) == 0 {
			if empty++; empty >= maxEmptyScanPages {
				return ListResult[T]{}, fmt.Errorf("%s: MDA answered %d scan pages in a row with no records but more to come; stopping rather than looping", op.name, empty)
			}
		} else {
			empty = 0
		}
		next := bytes.TrimSpace(page.NextQueryFilters)
		if len(next) == 0 || bytes.Equal(next, []byte("null")) {
			return ListResult[T]{}, fmt.Errorf("%s: MDA said more records follow (hasNext) but sent no nextQueryFilters to ask for them; "+
				"%d records were listed before the scan broke off", op.name, len(res.Items))
		}
		// The same filters again would be answered with the same page, forever.
		if prevFilters != nil && bytes.Equal(prevFilters, next) {
			return ListResult[T]{}, fmt.Errorf("%s: MDA sent the same nextQueryFilters twice; stopping rather than looping", op.name)
		}
		prevFilters = next
		filters = json.RawMessage(next)
	}
	res.Total = max(res.Total, len(res.Items))
	return res, nil
}

// RequestsPerMinute is the client's rate limit budget: the requests it sends at most in
// any minute (the provider's requests_per_minute).
func (c *Client) RequestsPerMinute() int { return c.limiter.n }

// ListingCost is what listing up to maxItems items costs at most: the requests, 100
// items each, and the shortest time the rate limit lets them take when its window
// starts empty, the time of the requests themselves left out.
func (c *Client) ListingCost(maxItems int) (requests int, wait time.Duration) {
	requests = (maxItems + pageSize - 1) / pageSize
	n := c.RequestsPerMinute()
	if n <= 0 || requests <= n {
		return requests, 0
	}
	// n requests go at once, then n more each minute as the window slides.
	return requests, time.Duration((requests-1)/n) * window
}
