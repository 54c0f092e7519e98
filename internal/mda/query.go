package mda

import (
	"fmt"
	"strings"
)

// Query is what a list data source asks of any MDA listing: the API's filters, an
// optional sort, and how many items it wants. Paging is the client's business.
type Query struct {
	Filters       Filters
	SortField     string
	SortDirection string // "asc", "desc", or "" for the API's default
	// Max caps the number of items returned; <= 0 returns all of them. Every 100 items
	// cost one request of the tenant's 30 a minute.
	Max int
}

func (q Query) listRequest() ListRequest {
	return ListRequest{Filters: q.Filters, SortField: q.SortField, SortDirection: q.SortDirection}
}

// validate catches, before a request is spent, what MDA would refuse anyway.
func (q Query) validate() error {
	switch strings.ToLower(q.SortDirection) {
	case "", "asc", "desc":
	default:
		return fmt.Errorf("sort direction %q is not valid: use \"asc\" or \"desc\"", q.SortDirection)
	}
	if q.SortDirection != "" && q.SortField == "" {
		return fmt.Errorf("sort direction %q needs a sort field", q.SortDirection)
	}
	return nil
}
