package provider

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

func TestParseRawFilters(t *testing.T) {
	good := []string{
		`{}`,
		`{"entity.policy": {"eq": ["5bfd18bfab73c36ba10d38ca"]}}`,
		`{"severity": {"eq": 2}, "date": {"gte_ndays": 7}, "entity.entity": {"eq": [{"id": "x", "inst": 0}]}}`,
		`{"date": {"range": [{"start": 1, "end": 2}]}, "policy": {"cabinetmatchedrulesequals": ["a"]}, "x": {"isset": true}}`,
		" \n{\"read\": {\"eq\": false}}\n ",
	}
	for _, s := range good {
		if _, err := parseRawFilters(s); err != nil {
			t.Errorf("parseRawFilters(%s): %s", s, err)
		}
	}
	bad := map[string]string{
		`{severity`:                            "must be a JSON object",
		`[]`:                                   "must be a JSON object",
		`"severity"`:                           "must be a JSON object",
		`null`:                                 "not null",
		`{} {}`:                                "more follows",
		`{"": {"eq": [1]}}`:                    "empty field name",
		`{"severity": [1]}`:                    `"severity" must be an object of operator`,
		`{"severity": null}`:                   `"severity" must be an object of operator`,
		`{"severity": {}}`:                     `"severity" has no operator`,
		`{"severity": {"equals": [1]}}`:        `unknown operator "equals"`,
		`{"severity": {"EQ": [1]}}`:            `unknown operator "EQ"`,
		`{"severity": {"eq": null}}`:           "null operand",
		`{"a": {"eq": [1]}, "b": {"in": [1]}}`: `"b" uses the unknown operator "in"`,
	}
	for s, want := range bad {
		_, err := parseRawFilters(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseRawFilters(%s) = %v, want an error containing %q", s, err, want)
		}
	}
}

func TestMergeFilters(t *testing.T) {
	fields := []filterField{{"severity", "severity"}, {"since", "date"}, {"until", "date"}}
	raw, err := parseRawFilters(`{"entity.policy": {"eq": ["p1"]}, "threatScore": {"gte": 1.50}}`)
	if err != nil {
		t.Fatal(err)
	}
	typed := mda.Filters{}.With("severity", mda.OpEq, []int{1, 2}).With("date", mda.OpGte, int64(5))
	merged, err := mergeFilters(typed, raw, fields)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(merged)
	if err != nil {
		t.Fatal(err)
	}
	// Raw operands reach the API as written (1.50 stays 1.50).
	want := `{"date":{"gte":5},"entity.policy":{"eq":["p1"]},"severity":{"eq":[1,2]},"threatScore":{"gte":1.50}}`
	if string(got) != want {
		t.Errorf("merged filters\n got %s\nwant %s", got, want)
	}

	raw, _ = parseRawFilters(`{"date": {"lte": 1}}`)
	_, err = mergeFilters(typed, raw, fields)
	if err == nil || !strings.Contains(err.Error(), "`since` and `until`") || !strings.Contains(err.Error(), `"date"`) {
		t.Errorf("a field set both ways gave %v, want an error naming since, until and date", err)
	}
	if _, err := mergeFilters(nil, nil, fields); err != nil {
		t.Errorf("no filters at all: %s", err)
	}
}

func TestFormatMillis(t *testing.T) {
	for ms, want := range map[int64]string{
		1621941916475: "2021-05-25T11:25:16.475Z",
		1621941916000: "2021-05-25T11:25:16Z",
		1621941916400: "2021-05-25T11:25:16.4Z",
	} {
		if got := formatMillis(ms); got != want {
			t.Errorf("formatMillis(%d) = %s, want %s", ms, got, want)
		}
		// What the data source shows goes back into since and until unchanged.
		if back, err := rfc3339Millis(types.StringValue(want)); err != nil || back != ms {
			t.Errorf("rfc3339Millis(%s) = %d, %v; want %d", want, back, err, ms)
		}
	}
}
