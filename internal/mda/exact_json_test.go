package mda

import (
	"encoding/json"
	"testing"
	"time"
)

type exactInner struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type exactTime struct{ time.Time }

func (t *exactTime) UnmarshalJSON(b []byte) error {
	var ms int64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	t.Time = time.UnixMilli(ms).UTC()
	return nil
}

type exactOuter struct {
	ID      string                `json:"id"`
	Created int64                 `json:"created"`
	FTags   []string              `json:"fTags"`
	Inner   *exactInner           `json:"inner"`
	List    []exactInner          `json:"list"`
	ByKey   map[string]exactInner `json:"byKey"`
	When    exactTime             `json:"when"`
	Skipped string                `json:"-"`
}

// The pairs below differ only by case. encoding/json would take the last of each pair
// (or either, by field order); unmarshalExact takes the key the tag names.
const exactPayload = `{
  "id": "lower", "Id": "upper",
  "created": 1, "Created": 2,
  "fTags": ["a"], "ftags": ["b"],
  "inner": {"id": "i", "ID": "I", "name": "n", "NAME": "N"},
  "list": [{"Id": "x", "id": "y"}, null],
  "byKey": {"k": {"name": "v", "Name": "V"}},
  "when": 1700000000000,
  "Skipped": "no"
}`

func TestUnmarshalExact(t *testing.T) {
	var got exactOuter
	if err := unmarshalExact([]byte(exactPayload), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "lower" || got.Created != 1 || len(got.FTags) != 1 || got.FTags[0] != "a" {
		t.Errorf("top level: got id %q created %d fTags %v, want lower 1 [a]", got.ID, got.Created, got.FTags)
	}
	if got.Inner == nil || got.Inner.ID != "i" || got.Inner.Name != "n" {
		t.Errorf("inner: got %+v, want {i n}", got.Inner)
	}
	if len(got.List) != 2 || got.List[0].ID != "y" || got.List[1] != (exactInner{}) {
		t.Errorf("list: got %+v, want [{y} {}]", got.List)
	}
	if got.ByKey["k"].Name != "v" {
		t.Errorf("map: got %+v, want name v", got.ByKey)
	}
	if got.When.UnixMilli() != 1700000000000 || got.Skipped != "" {
		t.Errorf("unmarshaler or skip: got %v %q", got.When, got.Skipped)
	}
}

// TestUnmarshalExactDiffersFromEncodingJSON proves the payload above tells the two apart:
// if unmarshalExact ever falls back to case-insensitive matching, this fails.
func TestUnmarshalExactDiffersFromEncodingJSON(t *testing.T) {
	var loose exactOuter
	if err := json.Unmarshal([]byte(exactPayload), &loose); err != nil {
		t.Fatal(err)
	}
	if loose.ID == "lower" && loose.Created == 1 && loose.Inner.ID == "i" {
		t.Fatal("encoding/json decoded the colliding keys like unmarshalExact: the payload proves nothing")
	}
}

func TestUnmarshalExactErrors(t *testing.T) {
	var v exactOuter
	for _, in := range []string{`{"created": "x"}`, `{"list": {}}`, `[`, `{"inner": 3}`} {
		if err := unmarshalExact([]byte(in), &v); err == nil {
			t.Errorf("unmarshalExact(%s): no error", in)
		}
	}
	if err := unmarshalExact([]byte(`{}`), v); err == nil {
		t.Error("a non-pointer was accepted")
	}
}
