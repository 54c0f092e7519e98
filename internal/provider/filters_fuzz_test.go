package provider

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// FuzzFiltersJSON feeds arbitrary text to the filters validator. Whatever it accepts must
// reach the API as the user wrote it (numbers and objects unchanged), and must have the
// shape the mock's filter engine reads: an object of fields, each an object of
// operators. Field names, operators per field and operand types are not the validator's
// business (they differ per list, and MDA answers them with a 400 naming the filter), so
// the mock may still refuse those, but only with such a 400: never a structural refusal,
// never a 5xx.
func FuzzFiltersJSON(f *testing.F) {
	const token = "fuzz-token"
	mock := mockserver.New(mockserver.Options{Tokens: []string{token}, Rate: -1})
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := parseRawFilters(s)
		if err != nil {
			return
		}
		merged, err := mergeFilters(nil, raw, nil)
		if err != nil {
			t.Fatalf("merging %q with no typed filters: %v", s, err)
		}
		// The shape of the client's list body (mda's listBody).
		body, err := json.Marshal(struct {
			Filters mda.Filters `json:"filters"`
			Skip    int         `json:"skip"`
			Limit   int         `json:"limit"`
		}{merged, 0, 1})
		if err != nil {
			t.Fatalf("validated filters %q do not marshal: %v", s, err)
		}

		var sent struct {
			Filters map[string]map[string]json.RawMessage `json:"filters"`
		}
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatalf("the list body %s does not parse: %v", body, err)
		}
		if len(sent.Filters) != len(raw) {
			t.Fatalf("sent %d fields, validated %d: %s", len(sent.Filters), len(raw), body)
		}
		for field, ops := range raw {
			if len(sent.Filters[field]) != len(ops) {
				t.Fatalf("field %q: sent %s, validated %v", field, body, ops)
			}
			for op, operand := range ops {
				if !sameJSON(t, operand, sent.Filters[field][op]) {
					t.Fatalf("field %q operator %q: the user wrote %s, the API gets %s", field, op, operand, sent.Filters[field][op])
				}
			}
		}

		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/api/v1/alerts/", bytes.NewReader(body))
		req.Header.Set("Authorization", "Token "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mock.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			checkFilterRefusal(t, body, rec.Body.Bytes())
		default:
			t.Fatalf("the mock answered %s with HTTP %d: %s", body, rec.Code, rec.Body)
		}
	})
}

// checkFilterRefusal accepts a 400 that names filters the mock does not know or operands
// it cannot read, and fails on one that says the filters object itself is malformed.
func checkFilterRefusal(t *testing.T, sent, answer []byte) {
	t.Helper()
	var form map[string]json.RawMessage
	if err := json.Unmarshal(answer, &form); err != nil {
		t.Fatalf("the mock's 400 to %s is not a form error: %s", sent, answer)
	}
	for key := range form {
		if key != "filters" && key != "error" {
			t.Fatalf("the mock refused %s for %q, not for its filters: %s", sent, key, answer)
		}
	}
	var errs []struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(form["filters"], &errs); err != nil || len(errs) == 0 {
		t.Fatalf("the mock's 400 to %s names no filter error: %s", sent, answer)
	}
	for _, e := range errs {
		if strings.HasSuffix(e.Error, "must be an object of fields") || strings.HasSuffix(e.Error, "must be an object of operators") {
			t.Fatalf("the mock finds the shape of validated filters %s wrong: %s", sent, e.Error)
		}
	}
}

// sameJSON compares two JSON texts by value, keeping numbers as written: the API must
// get 1.50 where the user wrote 1.50.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	return reflect.DeepEqual(decodeJSONNumbers(t, a), decodeJSONNumbers(t, b))
}

func decodeJSONNumbers(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s does not parse: %v", raw, err)
	}
	return v
}
