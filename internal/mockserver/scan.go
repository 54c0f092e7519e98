package mockserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Scan mode (mda-api.md §1.4, DOCS api-activities-investigate-script.md): a list body
// with "isScan": true is answered with up to limit records in the sort order and, while
// more remain (hasNext), "nextQueryFilters": the request's filters narrowed past the
// records sent, which the client sends as the next request's filters. Nothing else
// carries the position, so records that arrive during a scan do not shift it: newer
// ones fall outside a newest-first scan, and none is listed twice.
//
// Choices where the docs are silent:
//   - The order is the sort field's (date by default), newest first unless sortDirection
//     is "asc" ([U]).
//   - limit is clamped to 100 like every list: the docs give scan pages 500 to 5000
//     records, but also cap every response to an API token at 100 ([U] which wins; the
//     stricter is served, so the page count is ceil(n / 100)).
//   - The narrowing is an lte (desc) or gte (asc) on the sort field, merged with the
//     request's own bound on that field. When the page's last records share their time
//     with the first record left over, they are dropped from the page ("the last few
//     records will be dropped to ensure that all data is listed only once") and the
//     bound includes that time; otherwise it starts just past it.

// isScan reports a truthy isScan in a list body.
func isScan(fields map[string]json.RawMessage) bool {
	raw, ok := fields["isScan"]
	if !ok || isNull(raw) {
		return false
	}
	b, err := parseBool(raw)
	return err == nil && b
}

// scanEnvelope is a scan page: the list envelope plus nextQueryFilters while hasNext.
type scanEnvelope struct {
	Data             []any           `json:"data"`
	HasNext          bool            `json:"hasNext"`
	Max              int             `json:"max"`
	Total            int             `json:"total"`
	MoreThanTotal    bool            `json:"moreThanTotal"`
	NextQueryFilters json.RawMessage `json:"nextQueryFilters,omitempty"`

	items []*Activity
	// continued is true when the request's filters already bound the sort field the way
	// a scan narrows it: a later page of a scan.
	continued bool
}

// runScan computes one scan page of items (in the collection's default order) for the
// request body fields. key gives the int64 a sort field orders by, nil for a field scan
// mode cannot page by. The caller renders env.items into env.Data.
func runScan(fields map[string]json.RawMessage, c *collection[*Activity], items []*Activity, key func(string) func(*Activity) int64, now time.Time) (scanEnvelope, formErrors) {
	q, fe := parseListRequest(fields)
	if fe != nil {
		return scanEnvelope{}, fe
	}
	sortField := q.sortField
	if sortField == "" {
		sortField = "date"
	}
	k := key(sortField)
	if k == nil {
		fe.add("sortField", fmt.Sprintf("%s is not a valid sort field", sortField), sortField)
		return scanEnvelope{}, fe
	}
	desc := true
	switch strings.ToLower(q.sortDirection) {
	case "", "desc":
	case "asc":
		desc = false
	default:
		fe.add("sortDirection", fmt.Sprintf("%s is not a valid sort direction", q.sortDirection), q.sortDirection)
		return scanEnvelope{}, fe
	}
	// Sort by the field whichever way is asked, through the collection's comparator,
	// which breaks ties by id so pages are stable.
	q.sortField, q.skip = sortField, 0
	q.sortDirection = map[bool]string{true: "desc", false: "asc"}[desc]
	q.limit = len(items) + 1
	matched, total, fe := c.page(q, items, now)
	if fe != nil {
		return scanEnvelope{}, fe
	}
	limit := maxPageSize
	if raw, ok := fields["limit"]; ok && !isNull(raw) {
		if n, err := parseNumber(raw, false); err == nil && n > 0 {
			limit = min(int(n), maxPageSize)
		}
	}
	page := matched[:min(limit, len(matched))]
	env := scanEnvelope{HasNext: len(page) < len(matched), Max: limit, Total: total, continued: boundsField(fields["filters"], sortField, desc)}
	if env.HasNext {
		last := k(page[len(page)-1])
		bound := last - 1
		if !desc {
			bound = last + 1
		}
		if k(matched[len(page)]) == last {
			cut := len(page)
			for cut > 0 && k(page[cut-1]) == last {
				cut--
			}
			// A page whose records all share one time cannot be cut: it is sent whole
			// and the rest of that time is lost ([U]; the seed never has one).
			if cut > 0 {
				page, bound = page[:cut], last
			}
		}
		next, err := narrowFilters(fields["filters"], sortField, desc, bound)
		if err != nil {
			fe.add("filters", err.Error(), string(fields["filters"]))
			return scanEnvelope{}, fe
		}
		env.NextQueryFilters = next
	}
	env.items = page
	return env, nil
}

// boundsField reports whether filters put the scan's bound (lte when newest first, gte
// when oldest first) on field.
func boundsField(raw json.RawMessage, field string, desc bool) bool {
	var filters map[string]map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &filters) != nil {
		return false
	}
	op := "lte"
	if !desc {
		op = "gte"
	}
	_, ok := filters[field][op]
	return ok
}

// narrowFilters returns filters with field bounded at bound: lte for a newest-first
// scan, gte for an oldest-first one, keeping a tighter bound the request already had.
func narrowFilters(raw json.RawMessage, field string, desc bool, bound int64) (json.RawMessage, error) {
	filters := map[string]map[string]json.RawMessage{}
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &filters); err != nil {
			return nil, fmt.Errorf("filters must be an object of fields")
		}
	}
	if filters[field] == nil {
		filters[field] = map[string]json.RawMessage{}
	}
	op := "lte"
	if !desc {
		op = "gte"
	}
	if old, ok := filters[field][op]; ok {
		if v, err := parseNumber(old, true); err == nil {
			if desc && int64(v) < bound || !desc && int64(v) > bound {
				bound = int64(v)
			}
		}
	}
	filters[field][op] = json.RawMessage(fmt.Sprint(bound))
	out, err := json.Marshal(filters)
	if err != nil {
		return nil, err
	}
	return out, nil
}
