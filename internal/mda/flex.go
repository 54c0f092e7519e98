package mda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Flexible scalars for the activity, entity and file payloads, whose value types are mixed
// (mda-api.md §1.6): timestamps are milliseconds as integers (timestamp), as floats
// (lastModified: 1607952165309.8032) or ISO strings (lastSeen, snapshotLastModifiedDate);
// numbers arrive as strings (resolvedActor's saasId "11161") and sanitised ids as either.
// Each type decodes every form it has been seen in and reads null, "" and the string "null"
// as no value, so one odd record cannot fail a listing of thousands; a value that is none
// of these forms is an error that names it, since guessing would show a wrong time.

// FlexTime is a point in time that MDA writes as Unix milliseconds (integer, float, or a
// numeric string) or as an ISO 8601 string. The zero value (IsZero) means MDA sent none.
// Times are in UTC.
type FlexTime struct{ time.Time }

// UnmarshalJSON reads any of the forms FlexTime describes.
func (t *FlexTime) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if isJSONNothing(data) {
		t.Time = time.Time{}
		return nil
	}
	if data[0] != '"' {
		v, err := parseMillis(string(data))
		if err != nil {
			return fmt.Errorf("time %s is not milliseconds or an ISO 8601 string", data)
		}
		t.Time = v
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		t.Time = time.Time{}
		return nil
	}
	if v, err := parseMillis(s); err == nil {
		t.Time = v
		return nil
	}
	// A time without a zone is taken as UTC: MDA stores and writes UTC.
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("time %q is not milliseconds or an ISO 8601 string", s)
}

// RFC3339 writes the time for a Terraform attribute, "" when there is none.
func (t FlexTime) RFC3339() string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Millis is the time in Unix milliseconds, 0 when there is none.
func (t FlexTime) Millis() int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// parseMillis reads Unix milliseconds written as a JSON number, keeping the fraction of a
// float (to the nanosecond) without the rounding a float64 of ~1.6e18 ns would bring.
func parseMillis(s string) (time.Time, error) {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if !strings.ContainsAny(s, "eE") {
		ms, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		var ns int64
		if hasFrac {
			if frac == "" || strings.Trim(frac, "0123456789") != "" {
				return time.Time{}, fmt.Errorf("bad fraction in %q", s)
			}
			frac = (frac + "000000")[:6]
			ns, _ = strconv.ParseInt(frac, 10, 64)
			if strings.HasPrefix(intPart, "-") {
				ns = -ns
			}
		}
		return time.UnixMilli(ms).Add(time.Duration(ns)).UTC(), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, fmt.Errorf("bad number %q", s)
	}
	whole, fraction := math.Modf(f)
	return time.UnixMilli(int64(whole)).Add(time.Duration(fraction * 1e6)).UTC(), nil
}

// FlexInt is an integer that MDA writes as a JSON number or as a numeric string
// (resolvedActor's "saasId": "11161", "instanceId": "0"). Null, "" and "null" leave it 0.
// A float with a fraction is refused rather than truncated: these are ids and codes.
type FlexInt int64

// UnmarshalJSON reads a number or a numeric string.
func (n *FlexInt) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if isJSONNothing(data) {
		*n = 0
		return nil
	}
	s := string(data)
	if data[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" || s == "null" {
			*n = 0
			return nil
		}
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = FlexInt(v)
		return nil
	}
	// 11161.0 and 1.1161e4 are whole numbers written as floats.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return fmt.Errorf("%s is not a whole number", data)
	}
	*n = FlexInt(int64(f))
	return nil
}

// FlexString is text that MDA writes as a JSON string or, for some ids, as a number or a
// boolean; those are kept as their JSON text (11161 becomes "11161"). Null leaves it "".
// The string "null" is kept: whether it means no value is the field's business.
type FlexString string

// UnmarshalJSON reads a string, a number or a boolean.
func (s *FlexString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*s = ""
		return nil
	}
	switch data[0] {
	case '"':
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*s = FlexString(v)
		return nil
	case '{', '[':
		return fmt.Errorf("%.40s is not a string or a number", data)
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err == nil {
			*s = FlexString(n.String())
			return nil
		}
		var b bool
		if err := json.Unmarshal(data, &b); err != nil {
			return fmt.Errorf("%.40s is not a string or a number", data)
		}
		*s = FlexString(strconv.FormatBool(b))
		return nil
	}
}

// isJSONNothing reports null, an empty value, or the strings "" and "null": MDA's ways of
// writing that a scalar has no value.
func isJSONNothing(data []byte) bool {
	switch string(data) {
	case "", "null", `""`, `"null"`:
		return true
	}
	return false
}
