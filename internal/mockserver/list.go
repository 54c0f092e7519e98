package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxPageSize is the API's cap: "a maximum of 100 items", and a larger limit is silently
// clamped, not refused (mda-api.md 1.4, MCAS#103).
const maxPageSize = 100

// listRequest is a list body: {"filters": {...}, "skip": 0, "limit": 100, "sortField":
// "name", "sortDirection": "asc"}.
type listRequest struct {
	filters       json.RawMessage
	skip, limit   int
	sortField     string
	sortDirection string
}

// listEnvelope is the response of every list (mda-api.md 1.4). max is the effective page
// size, min(limit, 100): the docs allow that or the tenant's cap ([U]).
type listEnvelope struct {
	Data          any  `json:"data"`
	HasNext       bool `json:"hasNext"`
	Max           int  `json:"max"`
	Total         int  `json:"total"`
	MoreThanTotal bool `json:"moreThanTotal"`
}

func parseListRequest(fields map[string]json.RawMessage) (listRequest, formErrors) {
	var fe formErrors
	q := listRequest{filters: fields["filters"], limit: maxPageSize}
	if raw, ok := fields["skip"]; ok && !isNull(raw) {
		n, err := parseNumber(raw, false)
		if err != nil || n < 0 || n != float64(int(n)) {
			fe.invalid("skip", raw)
		} else {
			q.skip = int(n)
		}
	}
	if raw, ok := fields["limit"]; ok && !isNull(raw) {
		n, err := parseNumber(raw, false)
		switch {
		case err != nil || n != float64(int(n)):
			fe.invalid("limit", raw)
		case n <= 0:
			// limit 0 or below reads as "no limit given", which means 100 ([U]).
		default:
			q.limit = min(int(n), maxPageSize)
		}
	}
	for key, dst := range map[string]*string{"sortField": &q.sortField, "sortDirection": &q.sortDirection} {
		if raw, ok := fields[key]; ok && !isNull(raw) {
			if json.Unmarshal(raw, dst) != nil {
				fe.invalid(key, raw)
			}
		}
	}
	return q, fe
}

// runList filters, sorts and pages items (which arrive in the collection's default
// order) and writes the envelope. render turns one item into its JSON form.
func runList[T any](s *Server, w http.ResponseWriter, req *apiRequest, c *collection[T], items []T, render func(T) any) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	q, fe := parseListRequest(fields)
	if fe != nil {
		fe.write(w)
		return
	}
	page, total, fe := c.page(q, items, s.now())
	if fe != nil {
		fe.write(w)
		return
	}
	data := make([]any, 0, len(page))
	for _, it := range page {
		data = append(data, render(it))
	}
	writeJSON(w, http.StatusOK, listEnvelope{
		Data:    data,
		HasNext: q.skip+len(page) < total,
		Max:     q.limit,
		Total:   total,
	})
}

// page applies a parsed list request.
func (c *collection[T]) page(q listRequest, items []T, now time.Time) ([]T, int, formErrors) {
	keep, fe := c.compile(q.filters, now)
	if fe != nil {
		return nil, 0, fe
	}
	matched := make([]T, 0, len(items))
	for _, it := range items {
		if keep(it) {
			matched = append(matched, it)
		}
	}
	if q.sortField != "" {
		cmp, ok := c.sorts[q.sortField]
		if !ok {
			fe.add("sortField", fmt.Sprintf("%s is not a valid sort field", q.sortField), q.sortField)
			return nil, 0, fe
		}
		var desc bool
		switch strings.ToLower(q.sortDirection) {
		case "", "asc":
		case "desc":
			desc = true
		default:
			fe.add("sortDirection", fmt.Sprintf("%s is not a valid sort direction", q.sortDirection), q.sortDirection)
			return nil, 0, fe
		}
		// Stable, so ties keep creation order whichever way the sort runs.
		slices.SortStableFunc(matched, func(a, b T) int {
			if desc {
				return cmp(b, a)
			}
			return cmp(a, b)
		})
	}
	total := len(matched)
	start := min(q.skip, total)
	end := min(start+q.limit, total)
	return matched[start:end], total, nil
}

// decodeBody reads a request body as a JSON object or as form fields (the docs allow
// URL-encoded and multipart bodies as well as JSON, mda-api.md 1.3). GET bodies are read
// too: XSOAR lists with GET and a JSON body. An empty body is an empty object.
func decodeBody(r *http.Request, body []byte) (map[string]json.RawMessage, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	if ct == "application/x-www-form-urlencoded" && len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		// `curl -d '{...}'` labels JSON as a form. Reading it as the JSON it is keeps a
		// filter from being silently dropped ([I]: the real server's choice is unknown).
		ct = "application/json"
	}
	switch ct {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("form parse error - %w", err)
		}
		return formToJSON(vals)
	case "multipart/form-data":
		form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(maxBody)
		if err != nil {
			return nil, fmt.Errorf("multipart form parse error - %w", err)
		}
		defer func() { _ = form.RemoveAll() }()
		return formToJSON(form.Value)
	}
	if len(trimmed) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("JSON parse error - %w", err)
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	return fields, nil
}

// formToJSON gives form fields JSON shapes: subnets and tags (also when spelled
// "subnets[]") and any repeated key become lists, skip/limit/category numbers, and
// "filters", a JSON document inside a form field, is kept as it is.
func formToJSON(vals url.Values) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(vals))
	for key, vs := range vals {
		name, isList := strings.CutSuffix(key, "[]")
		if name == "filters" && len(vs) == 1 {
			if !json.Valid([]byte(vs[0])) {
				return nil, fmt.Errorf("filters is not valid JSON")
			}
			out[name] = json.RawMessage(vs[0])
			continue
		}
		if isList || len(vs) > 1 || listFormFields[name] {
			els := make([]json.RawMessage, 0, len(vs))
			for _, v := range vs {
				els = append(els, formScalar(v, false))
			}
			b, _ := json.Marshal(els)
			out[name] = b
			continue
		}
		out[name] = formScalar(vs[0], numericFormFields[name])
	}
	return out, nil
}

// Form fields that are always lists, and those that are numbers, whatever their spelling.
var (
	listFormFields    = map[string]bool{"subnets": true, "tags": true}
	numericFormFields = map[string]bool{"skip": true, "limit": true, "category": true}
)

func formScalar(v string, numeric bool) json.RawMessage {
	if numeric {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return json.RawMessage(v)
		}
	}
	b, _ := json.Marshal(v)
	return b
}
