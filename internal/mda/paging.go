package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// pageSize is MDA's cap on items per response; larger limits are silently clamped.
const pageSize = 100

// ListResult is the outcome of a paged listing.
type ListResult[T any] struct {
	Items []T
	// Total is the number of matching items MDA reported (at least len(Items)).
	Total int
	// TotalIsLowerBound is MDA's moreThanTotal: there are at least Total items.
	TotalIsLowerBound bool
	// Truncated is true when more items existed than the caller's maximum.
	Truncated bool
	// Requests is the number of pages fetched.
	Requests int
}

// listBody is the request body of every list endpoint.
type listBody struct {
	Filters       Filters `json:"filters"`
	Skip          int     `json:"skip"`
	Limit         int     `json:"limit"`
	SortField     string  `json:"sortField,omitempty"`
	SortDirection string  `json:"sortDirection,omitempty"`
}

// listPage is the envelope of every list response.
type listPage struct {
	Data          []json.RawMessage `json:"data"`
	HasNext       bool              `json:"hasNext"`
	Total         *int              `json:"total"`
	MoreThanTotal bool              `json:"moreThanTotal"`
}

// rawJSONSetter is implemented by types that keep the JSON they were decoded from, which
// data sources expose as raw_json.
type rawJSONSetter interface {
	setRawJSON(json.RawMessage)
}

// decodeKeepingRaw decodes one object into v and, when v keeps its JSON, hands it raw.
func decodeKeepingRaw(raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return err
	}
	if s, ok := v.(rawJSONSetter); ok {
		s.setRawJSON(raw)
	}
	return nil
}

// listAll walks a list endpoint with skip/limit until it has maxItems items (<= 0: all of
// them) or the listing ends. It stops when hasNext is false, when skip reaches total,
// and on an empty page, so a server that claims hasNext forever cannot loop it. Each
// page asks for no more than is still wanted, so maxItems = 5 costs one small request.
func listAll[T any](ctx context.Context, c *Client, op operation, req ListRequest, maxItems int) (ListResult[T], error) {
	var res ListResult[T]
	var prevFirst json.RawMessage
	skip := 0
	for {
		limit := pageSize
		if maxItems > 0 {
			limit = min(pageSize, maxItems-len(res.Items))
		}
		var page listPage
		err := c.do(ctx, op, listBody{
			Filters:       req.Filters,
			Skip:          skip,
			Limit:         limit,
			SortField:     req.SortField,
			SortDirection: req.SortDirection,
		}, &page)
		if err != nil {
			return ListResult[T]{}, err
		}
		res.Requests++
		if page.Total != nil {
			res.Total = *page.Total
		}
		res.TotalIsLowerBound = page.MoreThanTotal
		if len(page.Data) == 0 {
			break
		}
		// A server that ignores skip would hand out its first page forever.
		if prevFirst != nil && bytes.Equal(prevFirst, page.Data[0]) {
			return ListResult[T]{}, fmt.Errorf("%s: MDA returned the same page again at skip %d; stopping rather than looping", op.name, skip)
		}
		prevFirst = page.Data[0]
		for _, raw := range page.Data {
			if maxItems > 0 && len(res.Items) >= maxItems {
				res.Truncated = true // the server sent more than the limit asked for
				break
			}
			var item T
			if err := decodeKeepingRaw(raw, &item); err != nil {
				return ListResult[T]{}, fmt.Errorf("%s: decoding item %d: %w", op.name, len(res.Items), err)
			}
			res.Items = append(res.Items, item)
		}
		skip += len(page.Data)
		if maxItems > 0 && len(res.Items) >= maxItems {
			if page.HasNext || (page.Total != nil && *page.Total > len(res.Items)) {
				res.Truncated = true
			}
			break
		}
		if !page.HasNext {
			break
		}
		if page.Total != nil && !page.MoreThanTotal && skip >= *page.Total {
			break
		}
	}
	res.Total = max(res.Total, len(res.Items))
	return res, nil
}
