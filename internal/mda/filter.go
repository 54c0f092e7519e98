package mda

import "encoding/json"

// Filter operators (mda-api.md §1.5). Operands are lists for the set operators and
// single values for the comparisons.
const (
	OpEq         = "eq"
	OpNeq        = "neq"
	OpContains   = "contains"
	OpNContains  = "ncontains"
	OpStartsWith = "startswith"
	OpEndsWith   = "endswith"
	OpGt         = "gt"
	OpGte        = "gte"
	OpLt         = "lt"
	OpLte        = "lte"
	OpGteNDays   = "gte_ndays"
	OpLteNDays   = "lte_ndays"
	OpIsSet      = "isset"
	OpIsNotSet   = "isnotset"
	OpRange      = "range"
	OpText       = "text"
)

// Filters is the API's filter object: field -> operator -> operand, e.g.
// {"category": {"eq": [1, 4]}, "builtIn": {"eq": false}}. Fields combine with AND; the
// values of one eq list combine with OR.
type Filters map[string]map[string]any

// With sets field's operator to operand and returns f, allocating it when nil:
//
//	f = f.With("category", mda.OpEq, []int{1, 4})
func (f Filters) With(field, op string, operand any) Filters {
	if f == nil {
		f = Filters{}
	}
	if f[field] == nil {
		f[field] = map[string]any{}
	}
	f[field][op] = operand
	return f
}

// MarshalJSON writes nil as {}, which is what the portal itself sends for "no filters".
func (f Filters) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]map[string]any(f))
}

// TimeRange is an operand of OpRange: start and end in Unix milliseconds.
type TimeRange struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

// EntityRef is the operand form of "entity pk" filters, e.g. alerts' entity.entity.
type EntityRef struct {
	ID   string `json:"id"`
	Inst int    `json:"inst"`
	SaaS int    `json:"saas,omitempty"`
}

// ListRequest is what a listing asks for; paging is added by the client.
type ListRequest struct {
	Filters       Filters
	SortField     string
	SortDirection string // "asc" or "desc"
}
