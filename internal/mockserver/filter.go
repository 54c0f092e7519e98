package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The filter engine evaluates the API's filter JSON (mda-api.md 1.5) against any
// collection:
//
//	{"category": {"eq": [1, 2]}, "tags": {"neq": "0000002a0000000000000000"}, "date": {"gte_ndays": 7}}
//
// A collection declares its fields: a type, the operators the API allows on it, and an
// accessor that returns an item's values. Different fields, and several operators on one
// field, combine with AND; the values of one operator's list combine with OR. A scalar
// operand is the same as a one-element list. An unknown field, an operator not declared
// for the field, or an operand that does not parse is a 400 keyed "filters".
//
// Registering a collection (alerts, say) is one declaration next to its handlers:
//
//	var alertCollection = newCollection("alerts", map[string]field[*alert]{
//		"severity":   {typ: intField, ops: []string{"eq", "neq"}, values: func(a *alert) []any { return []any{a.severity} }},
//		"date":       {typ: timestampField, ops: []string{"lte", "gte", "range", "lte_ndays", "gte_ndays"}, values: ...},
//		"alertOpen":  {typ: boolField, ops: []string{"eq"}, values: ...},
//	}, map[string]func(a, b *alert) int{"date": ..., "severity": ...})
//
// and its list handler calls runList (list.go).

// fieldType says how operands parse and which operators make sense.
type fieldType int

const (
	intField       fieldType = iota + 1
	stringField              // compared exactly; the substring operators ignore case
	boolField                // operands may be true/false or "true"/"false"
	timestampField           // ms since the epoch, compared as numbers
)

// field is one filterable field of a collection of T.
type field[T any] struct {
	typ fieldType
	ops []string
	// values returns the item's values: one for a plain field, several for a multi-valued
	// one (a range's tag ids), none when the field is unset (isset). Numbers may be any Go
	// integer or float type, strings string, bools bool.
	values func(T) []any
	// operand, if set, parses one operand instead of the type's parser. Its results are
	// compared with == to what values returns, which lets a field take object operands
	// (an entity pk {"id": ..., "inst": 0}) by flattening both sides to one key.
	operand func(json.RawMessage) (any, error)
}

// collection is a list endpoint's filters and sort fields.
type collection[T any] struct {
	name   string
	fields map[string]field[T]
	sorts  map[string]func(a, b T) int
}

// newCollection checks the declaration once, so a typo in an operator name fails the
// first test that touches the collection rather than hiding as a 400.
func newCollection[T any](name string, fields map[string]field[T], sorts map[string]func(a, b T) int) *collection[T] {
	for fname, f := range fields {
		if f.values == nil {
			panic(fmt.Sprintf("mockserver: %s filter %q has no accessor", name, fname))
		}
		for _, op := range f.ops {
			spec, ok := operators[op]
			if !ok {
				panic(fmt.Sprintf("mockserver: %s filter %q declares unknown operator %q", name, fname, op))
			}
			if f.operand == nil && !slices.Contains(spec.types, f.typ) {
				panic(fmt.Sprintf("mockserver: %s filter %q: operator %q does not apply to its type", name, fname, op))
			}
		}
	}
	return &collection[T]{name: name, fields: fields, sorts: sorts}
}

// compile turns the "filters" object into a predicate. now anchors gte_ndays/lte_ndays.
func (c *collection[T]) compile(raw json.RawMessage, now time.Time) (func(T) bool, formErrors) {
	var fe formErrors
	if isNull(raw) {
		return func(T) bool { return true }, nil
	}
	var byField map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byField); err != nil {
		fe.add("filters", "filters must be an object of fields", string(raw))
		return nil, fe
	}
	var preds []func(T) bool
	for _, name := range sortedKeys(byField) {
		f, ok := c.fields[name]
		if !ok {
			fe.add("filters", fmt.Sprintf("%s is not a valid filter field", name), name)
			continue
		}
		var byOp map[string]json.RawMessage
		if err := json.Unmarshal(byField[name], &byOp); err != nil {
			fe.add("filters", fmt.Sprintf("filter %s must be an object of operators", name), string(byField[name]))
			continue
		}
		for _, op := range sortedKeys(byOp) {
			if !slices.Contains(f.ops, op) {
				fe.add("filters", fmt.Sprintf("%s is not a valid operator for filter %s", op, name), op)
				continue
			}
			m, err := operators[op].compile(operandContext{typ: f.typ, parse: f.operand, now: now}, byOp[op])
			if err != nil {
				fe.add("filters", fmt.Sprintf("%s is not valid", err.value), err.value)
				continue
			}
			values := f.values
			preds = append(preds, func(item T) bool { return m(values(item)) })
		}
	}
	if fe != nil {
		return nil, fe
	}
	return func(item T) bool {
		for _, p := range preds {
			if !p(item) {
				return false
			}
		}
		return true
	}, nil
}

// matcher decides one operator against an item's values.
type matcher func(values []any) bool

type operandContext struct {
	typ   fieldType
	parse func(json.RawMessage) (any, error)
	now   time.Time
}

// badOperand carries the offending operand text for errorMessageParams.value.
type badOperand struct{ value string }

type operatorSpec struct {
	types   []fieldType
	compile func(c operandContext, raw json.RawMessage) (matcher, *badOperand)
}

var (
	allTypes     = []fieldType{intField, stringField, boolField, timestampField}
	orderedTypes = []fieldType{intField, stringField, timestampField}
	numberTypes  = []fieldType{intField, timestampField}
	stringTypes  = []fieldType{stringField}
)

// operators are the documented operators (mda-api.md 1.5). descendantof/ndescendantof
// need per-collection semantics; a collection that needs them can give the field an
// operand parser and add an entry here.
var operators = map[string]operatorSpec{
	"eq": {allTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		set, bad := c.list(raw)
		return func(vs []any) bool { return anyIn(vs, set) }, bad
	}},
	"neq": {allTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		set, bad := c.list(raw)
		return func(vs []any) bool { return !anyIn(vs, set) }, bad
	}},
	// deq: "contain one value that does not equal one of the provided values".
	"deq": {allTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		set, bad := c.list(raw)
		return func(vs []any) bool {
			return slices.ContainsFunc(vs, func(v any) bool { return !anyIn([]any{v}, set) })
		}, bad
	}},
	"gt":  {orderedTypes, compareOp(func(n int) bool { return n > 0 })},
	"gte": {orderedTypes, compareOp(func(n int) bool { return n >= 0 })},
	"lt":  {orderedTypes, compareOp(func(n int) bool { return n < 0 })},
	"lte": {orderedTypes, compareOp(func(n int) bool { return n <= 0 })},
	"range": {numberTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		type span struct{ start, end float64 }
		var spans []span
		for _, el := range elements(raw) {
			var obj map[string]json.RawMessage
			if json.Unmarshal(el, &obj) != nil {
				return nil, &badOperand{string(el)}
			}
			sp := span{math.Inf(-1), math.Inf(1)}
			for k, dst := range map[string]*float64{"start": &sp.start, "end": &sp.end} {
				if v, ok := obj[k]; ok && !isNull(v) {
					x, err := parseNumber(v, c.typ == timestampField)
					if err != nil {
						return nil, &badOperand{string(v)}
					}
					*dst = x
				}
			}
			spans = append(spans, sp)
		}
		// Inclusive at both ends ([U]: the docs do not say).
		return func(vs []any) bool {
			return slices.ContainsFunc(vs, func(v any) bool {
				x, ok := toFloat(v)
				return ok && slices.ContainsFunc(spans, func(s span) bool { return x >= s.start && x <= s.end })
			})
		}, nil
	}},
	"gte_ndays": {[]fieldType{timestampField}, ndaysOp(func(v, cut float64) bool { return v >= cut })},
	"lte_ndays": {[]fieldType{timestampField}, ndaysOp(func(v, cut float64) bool { return v <= cut })},
	"isset": {allTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		want, err := parseBool(raw)
		if err != nil {
			return nil, &badOperand{string(raw)}
		}
		return func(vs []any) bool { return (len(vs) > 0) == want }, nil
	}},
	"isnotset": {allTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		want, err := parseBool(raw)
		if err != nil {
			return nil, &badOperand{string(raw)}
		}
		return func(vs []any) bool { return (len(vs) == 0) == want }, nil
	}},
	"contains":         {stringTypes, substringOp(strings.Contains, false)},
	"ncontains":        {stringTypes, substringOp(strings.Contains, true)},
	"startswith":       {stringTypes, substringOp(strings.HasPrefix, false)},
	"doesnotstartwith": {stringTypes, substringOp(strings.HasPrefix, true)},
	"endswith":         {stringTypes, substringOp(strings.HasSuffix, false)},
	"startswithsingle": {stringTypes, singleStringOp(strings.HasPrefix)},
	"text":             {stringTypes, singleStringOp(strings.Contains)},
	// The files' policy filter (mda-api.md 1.5): the file matches one of these policy ids.
	"cabinetmatchedrulesequals": {stringTypes, func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		set, bad := c.list(raw)
		return func(vs []any) bool { return anyIn(vs, set) }, bad
	}},
}

func compareOp(ok func(int) bool) func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
	return func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		els := elements(raw)
		if len(els) != 1 {
			return nil, &badOperand{string(raw)}
		}
		x, bad := c.one(els[0])
		if bad != nil {
			return nil, bad
		}
		return func(vs []any) bool {
			return slices.ContainsFunc(vs, func(v any) bool {
				n, cmpOK := compareValues(v, x)
				return cmpOK && ok(n)
			})
		}, nil
	}
}

func ndaysOp(ok func(v, cutoff float64) bool) func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
	return func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		days, err := parseNumber(raw, false)
		if err != nil || days < 0 {
			return nil, &badOperand{string(raw)}
		}
		cutoff := float64(c.now.UnixMilli()) - days*float64(24*time.Hour/time.Millisecond)
		return func(vs []any) bool {
			return slices.ContainsFunc(vs, func(v any) bool {
				x, isNum := toFloat(v)
				return isNum && ok(x, cutoff)
			})
		}, nil
	}
}

// substringOp matches case-insensitively ([U]: the portal's search is, the API's may not
// be). negate gives the "none of them" form.
func substringOp(test func(s, sub string) bool, negate bool) func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
	return func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		var subs []string
		for _, el := range elements(raw) {
			var s string
			if json.Unmarshal(el, &s) != nil {
				return nil, &badOperand{string(el)}
			}
			subs = append(subs, strings.ToLower(s))
		}
		return func(vs []any) bool {
			hit := slices.ContainsFunc(vs, func(v any) bool {
				s, ok := v.(string)
				return ok && slices.ContainsFunc(subs, func(sub string) bool { return test(strings.ToLower(s), sub) })
			})
			return hit != negate
		}, nil
	}
}

func singleStringOp(test func(s, sub string) bool) func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
	return func(c operandContext, raw json.RawMessage) (matcher, *badOperand) {
		var sub string
		if json.Unmarshal(raw, &sub) != nil {
			return nil, &badOperand{string(raw)}
		}
		sub = strings.ToLower(sub)
		return func(vs []any) bool {
			return slices.ContainsFunc(vs, func(v any) bool {
				s, ok := v.(string)
				return ok && test(strings.ToLower(s), sub)
			})
		}, nil
	}
}

// list parses a scalar or list operand.
func (c operandContext) list(raw json.RawMessage) ([]any, *badOperand) {
	els := elements(raw)
	out := make([]any, 0, len(els))
	for _, el := range els {
		v, bad := c.one(el)
		if bad != nil {
			return nil, bad
		}
		out = append(out, v)
	}
	return out, nil
}

// one parses a single operand by the field's type. Parsing is lenient where production
// clients are: numbers may come as numeric strings, booleans as "true"/"false".
func (c operandContext) one(raw json.RawMessage) (any, *badOperand) {
	bad := &badOperand{operandText(raw)}
	if c.parse != nil {
		v, err := c.parse(raw)
		if err != nil {
			return nil, bad
		}
		return v, nil
	}
	switch c.typ {
	case intField:
		x, err := parseNumber(raw, false)
		if err != nil || x != math.Trunc(x) {
			return nil, bad
		}
		return x, nil
	case timestampField:
		x, err := parseNumber(raw, true)
		if err != nil {
			return nil, bad
		}
		return x, nil
	case boolField:
		b, err := parseBool(raw)
		if err != nil {
			return nil, bad
		}
		return b, nil
	default:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, nil
		}
		// A number where a string is expected: match its spelling.
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String(), nil
		}
		return nil, bad
	}
}

// parseNumber reads a JSON number or numeric string; for timestamps also an RFC 3339
// string, converted to ms.
func parseNumber(raw json.RawMessage, timestamp bool) (float64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.Float64()
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, err
	}
	if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return x, nil
	}
	if timestamp {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return float64(t.UnixMilli()), nil
		}
	}
	return 0, fmt.Errorf("%q is not a number", s)
}

func parseBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, err
	}
	return strconv.ParseBool(s)
}

// elements splits a list operand; anything else is a list of one.
func elements(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var els []json.RawMessage
		if json.Unmarshal(raw, &els) == nil {
			return els
		}
	}
	return []json.RawMessage{raw}
}

func operandText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

func anyIn(vs, set []any) bool {
	for _, v := range vs {
		for _, x := range set {
			if n, ok := compareValues(v, x); ok && n == 0 {
				return true
			}
		}
	}
	return false
}

// compareValues orders an item value against an operand; ok is false when they are not
// comparable (a field accessor returning an unexpected type). Values from a custom
// operand parser must be comparable with ==.
func compareValues(v, x any) (int, bool) {
	if fv, ok := toFloat(v); ok {
		if fx, ok := toFloat(x); ok {
			switch {
			case fv < fx:
				return -1, true
			case fv > fx:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	switch a := v.(type) {
	case string:
		b, ok := x.(string)
		return strings.Compare(a, b), ok
	case bool:
		b, ok := x.(bool)
		if !ok || a == b {
			return 0, ok
		}
		return 1, true // unequal booleans: only eq/neq apply to them
	}
	if v == x {
		return 0, true
	}
	return 1, true
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
