package mda

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFlexTime(t *testing.T) {
	want := time.Date(2020, 7, 18, 18, 18, 33, 0, time.UTC) // 1595096313000
	cases := []struct {
		in   string
		want time.Time
	}{
		{`1595096313000`, want},
		{`"1595096313000"`, want},
		{`1595096313000.0`, want},
		{`1607952165309.8032`, time.Date(2020, 12, 14, 13, 22, 45, 309803200, time.UTC)},
		{`1.595096313e12`, want},
		{`"2020-07-18T18:18:33Z"`, want},
		{`"2020-07-18T20:18:33+02:00"`, want},
		{`"2020-07-18T18:18:33"`, want}, // no zone: UTC
		{`"2021-05-13T14:02:34.904Z"`, time.Date(2021, 5, 13, 14, 2, 34, 904000000, time.UTC)},
		{`"2020-07-18 18:18:33"`, want},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
		{`"null"`, time.Time{}},
		{`0`, time.UnixMilli(0).UTC()}, // the epoch is a time, not "none"
	}
	for _, c := range cases {
		var got FlexTime
		if err := json.Unmarshal([]byte(c.in), &got); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) || got.IsZero() != c.want.IsZero() {
			t.Errorf("%s: got %v, want %v", c.in, got.Time, c.want)
		}
		if !got.IsZero() && got.Location() != time.UTC {
			t.Errorf("%s: location %v, want UTC", c.in, got.Location())
		}
	}
	for _, bad := range []string{`"yesterday"`, `true`, `{}`, `[1]`, `"1.5.5"`, `1.`} {
		var got FlexTime
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s: decoded as %v, want an error", bad, got.Time)
		}
	}
}

func TestFlexTime_formats(t *testing.T) {
	var none FlexTime
	if none.RFC3339() != "" || none.Millis() != 0 {
		t.Errorf("no time: got %q and %d, want \"\" and 0", none.RFC3339(), none.Millis())
	}
	var got FlexTime
	if err := json.Unmarshal([]byte(`1595096586840`), &got); err != nil {
		t.Fatal(err)
	}
	if got.RFC3339() != "2020-07-18T18:23:06.84Z" || got.Millis() != 1595096586840 {
		t.Errorf("got %q and %d", got.RFC3339(), got.Millis())
	}
}

// A null or "" must clear a time decoded before, as it does for a fresh value: a struct
// reused between records must not keep the previous record's time.
func TestFlexTime_nullClears(t *testing.T) {
	got := FlexTime{time.Now()}
	if err := got.UnmarshalJSON([]byte(`null`)); err != nil || !got.IsZero() {
		t.Errorf("got %v, %v; want zero", got.Time, err)
	}
}

func TestFlexInt(t *testing.T) {
	cases := map[string]int64{
		`11161`: 11161, `"11161"`: 11161, `" 23 "`: 23, `11161.0`: 11161, `1.1161e4`: 11161,
		`-3`: -3, `"-3"`: -3, `null`: 0, `""`: 0, `"null"`: 0,
		`9007199254740993`: 9007199254740993, // beyond float64's integers: read as an integer
	}
	for in, want := range cases {
		got := FlexInt(99)
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if int64(got) != want {
			t.Errorf("%s: got %d, want %d", in, got, want)
		}
	}
	for _, bad := range []string{`"abc"`, `1.5`, `"1.5"`, `true`, `{}`, `[]`} {
		var got FlexInt
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s: decoded as %d, want an error", bad, got)
		}
	}
}

func TestFlexString(t *testing.T) {
	cases := map[string]string{
		`"abc"`: "abc", `11161`: "11161", `113348336`: "113348336", `1.5`: "1.5",
		`true`: "true", `null`: "", `"null"`: "null", `""`: "",
	}
	for in, want := range cases {
		got := FlexString("old")
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{`{"a":1}`, `[1]`} {
		var got FlexString
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s: decoded as %q, want an error", bad, got)
		}
	}
}

// Through unmarshalExact, which hands each flexible field its own bytes.
func TestFlex_inExactStruct(t *testing.T) {
	var got struct {
		SaaS    FlexInt    `json:"saasId"`
		Tid     FlexString `json:"_tid"`
		Created FlexTime   `json:"created"`
	}
	in := `{"saasId": "11161", "SaasId": 1, "_tid": 97134000, "created": 1595096586840, "Created": "2001-01-01T00:00:00Z"}`
	if err := unmarshalExact([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if got.SaaS != 11161 || got.Tid != "97134000" || got.Created.Millis() != 1595096586840 {
		t.Errorf("got %+v", got)
	}
}
