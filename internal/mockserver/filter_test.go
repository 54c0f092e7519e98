package mockserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// item is a stand-in for a future collection (alerts, activities), exercising every
// field type and operator of the generic engine.
type item struct {
	name  string
	sev   int
	open  bool
	date  int64 // ms
	tags  []string
	owner string // "" = unset
	pk    string // flattened entity pk, for the custom-operand hook
}

var filterNow = time.Date(2025, 1, 8, 12, 0, 0, 0, time.UTC)

func itemCollection() *collection[item] {
	return newCollection("items", map[string]field[item]{
		"name": {typ: stringField, ops: []string{"eq", "neq", "contains", "ncontains", "startswith", "doesnotstartwith", "endswith", "startswithsingle", "text", "gt", "lt"},
			values: func(i item) []any { return []any{i.name} }},
		"severity": {typ: intField, ops: []string{"eq", "neq", "deq", "gt", "gte", "lt", "lte", "range"},
			values: func(i item) []any { return []any{i.sev} }},
		"open": {typ: boolField, ops: []string{"eq", "neq"}, values: func(i item) []any { return []any{i.open} }},
		"date": {typ: timestampField, ops: []string{"gte", "lte", "range", "gte_ndays", "lte_ndays"},
			values: func(i item) []any { return []any{i.date} }},
		"tags": {typ: stringField, ops: []string{"eq", "neq", "deq", "isset", "isnotset"}, values: func(i item) []any {
			out := make([]any, len(i.tags))
			for k, t := range i.tags {
				out[k] = t
			}
			return out
		}},
		"owner": {typ: stringField, ops: []string{"isset", "isnotset", "eq"}, values: func(i item) []any {
			if i.owner == "" {
				return nil
			}
			return []any{i.owner}
		}},
		"entity": {typ: stringField, ops: []string{"eq"}, values: func(i item) []any { return []any{i.pk} },
			operand: func(raw json.RawMessage) (any, error) {
				var pk struct {
					ID   string `json:"id"`
					Inst int    `json:"inst"`
				}
				if err := json.Unmarshal(raw, &pk); err != nil || pk.ID == "" {
					return nil, fmt.Errorf("not an entity pk")
				}
				return fmt.Sprintf("%s|%d", pk.ID, pk.Inst), nil
			}},
	}, nil)
}

func TestFilterEngine(t *testing.T) {
	day := int64(24 * time.Hour / time.Millisecond)
	now := filterNow.UnixMilli()
	items := []item{
		{name: "Impossible travel", sev: 2, open: true, date: now - 1*day, tags: []string{"a", "b"}, owner: "ann", pk: "u1|0"},
		{name: "Mass download", sev: 1, open: false, date: now - 10*day, tags: []string{"b"}, pk: "u2|0"},
		{name: "Ransomware activity", sev: 0, open: true, date: now - 40*day, owner: "bob", pk: "u1|1"},
	}
	c := itemCollection()
	tests := []struct{ filters, want string }{
		{`{"severity":{"eq":2}}`, "Impossible travel"},
		{`{"severity":{"eq":"2"}}`, "Impossible travel"}, // numeric strings are accepted
		{`{"severity":{"eq":[0,2]}}`, "Impossible travel,Ransomware activity"},
		{`{"severity":{"neq":[0,2]}}`, "Mass download"},
		{`{"severity":{"gt":0}}`, "Impossible travel,Mass download"},
		{`{"severity":{"gte":1,"lt":2}}`, "Mass download"}, // two operators on one field: AND
		{`{"severity":{"lte":[1]}}`, "Mass download,Ransomware activity"},
		{`{"severity":{"range":[{"start":1,"end":1},{"start":2}]}}`, "Impossible travel,Mass download"},
		{`{"open":{"eq":true}}`, "Impossible travel,Ransomware activity"},
		{`{"open":{"eq":"false"}}`, "Mass download"},
		{`{"open":{"neq":true}}`, "Mass download"},
		{`{"date":{"gte_ndays":7}}`, "Impossible travel"},
		{`{"date":{"lte_ndays":7}}`, "Mass download,Ransomware activity"},
		{`{"date":{"gte_ndays":30,"lte_ndays":2}}`, "Mass download"},
		{fmt.Sprintf(`{"date":{"range":[{"start":%d,"end":%d}]}}`, now-11*day, now-9*day), "Mass download"},
		{fmt.Sprintf(`{"date":{"gte":%d}}`, now-10*day), "Impossible travel,Mass download"},
		{`{"date":{"lte":"2024-12-01T00:00:00Z"}}`, "Ransomware activity"},
		{`{"tags":{"eq":"b"}}`, "Impossible travel,Mass download"},
		{`{"tags":{"neq":["a"]}}`, "Mass download,Ransomware activity"},
		{`{"tags":{"deq":["b"]}}`, "Impossible travel"}, // has a value other than b
		{`{"tags":{"isset":true}}`, "Impossible travel,Mass download"},
		{`{"tags":{"isnotset":true}}`, "Ransomware activity"},
		{`{"owner":{"isset":true},"tags":{"isset":true}}`, "Impossible travel"},
		{`{"owner":{"isset":false}}`, "Mass download"},
		{`{"name":{"contains":["TRAVEL","ware"]}}`, "Impossible travel,Ransomware activity"},
		{`{"name":{"ncontains":"travel"}}`, "Mass download,Ransomware activity"},
		{`{"name":{"startswith":["mass","ran"]}}`, "Mass download,Ransomware activity"},
		{`{"name":{"doesnotstartwith":["mass"]}}`, "Impossible travel,Ransomware activity"},
		{`{"name":{"endswith":["download","activity"]}}`, "Mass download,Ransomware activity"},
		{`{"name":{"startswithsingle":"imp"}}`, "Impossible travel"},
		{`{"name":{"text":"SOMWARE"}}`, "Ransomware activity"},
		{`{"name":{"eq":"Mass download"}}`, "Mass download"},
		{`{"name":{"eq":"mass download"}}`, ""}, // eq is exact
		{`{"name":{"lt":"N"}}`, "Impossible travel,Mass download"},
		{`{"entity":{"eq":[{"id":"u1","inst":1}]}}`, "Ransomware activity"},
		{`{"entity":{"eq":{"id":"u1","inst":0}}}`, "Impossible travel"},
		{`{"severity":{"eq":[2]},"open":{"eq":false}}`, ""},
	}
	for _, tt := range tests {
		q := listRequest{filters: json.RawMessage(tt.filters), limit: 100}
		page, total, fe := c.page(q, items, filterNow)
		if fe != nil {
			t.Errorf("%s: %v", tt.filters, fe)
			continue
		}
		var got []string
		for _, it := range page {
			got = append(got, it.name)
		}
		if strings.Join(got, ",") != tt.want || total != len(got) {
			t.Errorf("%s: got %q (total %d), want %q", tt.filters, got, total, tt.want)
		}
	}
}

func TestFilterEngineErrors(t *testing.T) {
	c := itemCollection()
	tests := []struct{ filters, value string }{
		{`{"nope":{"eq":1}}`, "nope"},
		{`{"severity":{"isset":true}}`, "isset"}, // known operator, not declared for the field
		{`{"severity":{"between":[1,2]}}`, "between"},
		{`{"severity":{"eq":1.5}}`, "1.5"},
		{`{"severity":{"gt":[1,2]}}`, "[1,2]"},
		{`{"severity":{"range":[5]}}`, "5"},
		{`{"open":{"eq":"yes"}}`, "yes"},
		{`{"date":{"gte_ndays":"soon"}}`, `"soon"`},
		{`{"name":{"contains":[1]}}`, "1"},
		{`{"entity":{"eq":[{"inst":1}]}}`, `{"inst":1}`},
		{`{"tags":{"isset":"x"}}`, `"x"`},
	}
	for _, tt := range tests {
		_, fe := c.compile(json.RawMessage(tt.filters), filterNow)
		if len(fe["filters"]) != 1 {
			t.Errorf("%s: errors %v, want one keyed filters", tt.filters, fe)
			continue
		}
		e := fe["filters"][0]
		if e.Code != formErrorCode || e.Params["value"] != tt.value {
			t.Errorf("%s: got %+v, want value %s", tt.filters, e, tt.value)
		}
	}
}

func TestNewCollectionRejectsBadDeclarations(t *testing.T) {
	for name, f := range map[string]field[item]{
		"unknown operator":  {typ: intField, ops: []string{"equals"}, values: func(item) []any { return nil }},
		"operator for type": {typ: boolField, ops: []string{"gt"}, values: func(item) []any { return nil }},
		"no accessor":       {typ: intField, ops: []string{"eq"}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("newCollection accepted the declaration")
				}
			}()
			newCollection("bad", map[string]field[item]{"f": f}, nil)
		})
	}
}
