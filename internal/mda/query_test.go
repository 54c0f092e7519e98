package mda

import "testing"

func TestQuery(t *testing.T) {
	q := Query{Filters: Filters{}.With("severity", OpEq, []int{2}), SortField: "date", SortDirection: "asc", Max: 7}
	lr := q.listRequest()
	if lr.SortField != "date" || lr.SortDirection != "asc" || lr.Filters["severity"][OpEq] == nil {
		t.Errorf("listRequest = %+v", lr)
	}
	for _, tt := range []struct {
		q  Query
		ok bool
	}{
		{Query{}, true},
		{Query{SortField: "date"}, true},
		{Query{SortField: "severity", SortDirection: "DESC"}, true},
		{Query{SortField: "date", SortDirection: "newest"}, false},
		{Query{SortDirection: "asc"}, false},
	} {
		if err := tt.q.validate(); (err == nil) != tt.ok {
			t.Errorf("validate(%+v) = %v", tt.q, err)
		}
	}
}
