package mda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// A user entity shaped like the XSOAR/SECOPS examples (mda-api.md §5), with what real
// payloads do: "Id" after "id" with another value, nulls for email, organization and a
// group, numbers as strings, lastSeen with microseconds.
const userEntityJSON = `{
  "_id": "5f01dc3d229037823e3b9e92", "id": "7e14f6a3-185d-49e3-85e8-40a33d90dc90",
  "Id": "5F01DC3D229037823E3B9E92",
  "type": 2, "status": "2", "displayName": "Avi Testman", "idType": 17,
  "ii": "11161|0|7e14f6a3-185d-49e3-85e8-40a33d90dc90", "isAdmin": true, "isExternal": null, "isFake": false,
  "email": null, "role": null, "organization": null, "domain": "contoso.com",
  "lastSeen": "2016-05-13T20:23:47.210000Z",
  "appData": { "appId": 11161, "name": "Office 365", "saas": "11161", "instance": "0" },
  "userGroups": [ { "_id": "5e6fa9ade2367fc6340f487e", "id": "0000003b0000000000000000",
                    "name": "Application (Cloud App Security)", "description": "App-initiated", "usersCount": 562 }, null ],
  "identifiers": [], "sid": null, "scoreTrends": null, "threatScore": null, "subApps": [], "actions": [], "sctime": null,
  "username": "{\"id\": \"7e14f6a3-185d-49e3-85e8-40a33d90dc90\", \"saas\": 11161, \"inst\": 0}",
  "accounts": [
    { "_id": "fa-5f01dc3d229037823e3b9e92-12260", "i": "avi@contoso.com", "ii": "12260|0|avi@contoso.com",
      "inst": 0, "saas": "12260", "t": 1, "dn": "Avi Testman", "ext": false, "s": 2, "aliases": [] },
    { "_id": "fa-5f01dc3d229037823e3b9e92-10489", "i": "avi@contoso.com", "inst": "1", "saas": 10489, "t": "1",
      "dn": "Avi T.", "ext": null, "s": "3", "aliases": ["avi"] }
  ]
}`

func TestEntityDecoding_realShapes(t *testing.T) {
	var e Entity
	if err := decodeKeepingRaw(json.RawMessage(userEntityJSON), &e); err != nil {
		t.Fatal(err)
	}
	if e.ID != "7e14f6a3-185d-49e3-85e8-40a33d90dc90" {
		t.Errorf(`id = %q: "Id" was taken for "id"`, e.ID)
	}
	if e.InternalID != "5f01dc3d229037823e3b9e92" || e.Type != EntityTypeUser || e.Status != EntityStatusActive || !e.IsAdmin {
		t.Errorf("_id %q type %d status %d admin %v", e.InternalID, e.Type, e.Status, e.IsAdmin)
	}
	if e.IsExternal != nil || e.Email != "" || e.Organization != "" || e.Domain != "contoso.com" {
		t.Errorf("external %v email %q org %q domain %q", e.IsExternal, e.Email, e.Organization, e.Domain)
	}
	if want := time.Date(2016, 5, 13, 20, 23, 47, 210000000, time.UTC); !e.LastSeen.Equal(want) {
		t.Errorf("lastSeen %s, want %s", e.LastSeen, want)
	}
	if e.App != (EntityApp{ID: 11161, Name: "Office 365", SaaS: 11161, Instance: 0}) {
		t.Errorf("app %+v", e.App)
	}
	if len(e.UserGroups) != 1 || e.UserGroups[0] != (EntityGroup{ID: "0000003b0000000000000000", Name: "Application (Cloud App Security)"}) {
		t.Errorf("groups %+v", e.UserGroups)
	}
	if len(e.Accounts) != 2 {
		t.Fatalf("accounts %+v", e.Accounts)
	}
	f := false
	if a := e.Accounts[0]; a.ID != "avi@contoso.com" || a.AppID != 12260 || a.Instance != 0 || a.Type != EntityTypeAccount ||
		a.DisplayName != "Avi Testman" || a.IsExternal == nil || *a.IsExternal != f || a.Status != 2 || a.InternalID != "fa-5f01dc3d229037823e3b9e92-12260" {
		t.Errorf("account 0 %+v", a)
	}
	if a := e.Accounts[1]; a.AppID != 10489 || a.Instance != 1 || a.Type != 1 || a.IsExternal != nil || a.Status != 3 {
		t.Errorf("account 1 %+v", a)
	}
	if string(e.Raw) != userEntityJSON {
		t.Error("raw JSON is not what MDA sent")
	}
	if e.Key() != base64.StdEncoding.EncodeToString([]byte(`{"id":"7e14f6a3-185d-49e3-85e8-40a33d90dc90","saas":11161,"inst":0}`)) {
		t.Errorf("key %s", e.Key())
	}
}

// TestEntityDecoding_collidingKeys puts the case-colliding key after the right one at
// several depths, so a decoder that matched keys case-insensitively (encoding/json, where
// the last wins) would read the wrong value in every case below.
func TestEntityDecoding_collidingKeys(t *testing.T) {
	payload := `{"id": "right", "Id": "wrong", "displayName": "Right Name", "DisplayName": "Wrong Name",
	  "type": 1, "Type": 2, "status": 2, "Status": 4,
	  "appData": {"appId": 11770, "AppId": 1, "name": "Google Workspace", "Name": "wrong", "saas": 11770, "instance": 0, "Instance": 9},
	  "userGroups": [{"id": "g1", "ID": "wrong", "name": "Finance", "NAME": "wrong"}],
	  "accounts": [{"i": "a1", "I": "wrong", "saas": 1, "Saas": 2, "dn": "A", "DN": "wrong"}]}`
	var e Entity
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		t.Fatal(err)
	}
	if e.ID != "right" || e.DisplayName != "Right Name" || e.Type != 1 || e.Status != 2 {
		t.Errorf("top level: id %q name %q type %d status %d", e.ID, e.DisplayName, e.Type, e.Status)
	}
	if e.App.ID != 11770 || e.App.Name != "Google Workspace" || e.App.Instance != 0 {
		t.Errorf("appData %+v", e.App)
	}
	if e.UserGroups[0].ID != "g1" || e.UserGroups[0].Name != "Finance" {
		t.Errorf("group %+v", e.UserGroups[0])
	}
	if a := e.Accounts[0]; a.ID != "a1" || a.AppID != 1 || a.DisplayName != "A" {
		t.Errorf("account %+v", a)
	}
}

func TestEntityDecoding_badValues(t *testing.T) {
	for _, payload := range []string{
		`{"id": "x", "lastSeen": "yesterday"}`,
		`{"id": "x", "status": "active"}`,
		`{"id": {"nested": true}}`,
	} {
		var e Entity
		if err := json.Unmarshal([]byte(payload), &e); err == nil {
			t.Errorf("%s decoded without error: %+v", payload, e)
		}
	}
	// Times in the other forms MDA uses.
	for payload, want := range map[string]time.Time{
		`{"lastSeen": 1595096313000}`:          time.UnixMilli(1595096313000).UTC(),
		`{"lastSeen": 1607952165309.5}`:        time.UnixMilli(1607952165309).Add(500 * time.Microsecond).UTC(),
		`{"lastSeen": "2020-07-19T06:59:24Z"}`: time.Date(2020, 7, 19, 6, 59, 24, 0, time.UTC),
		`{"lastSeen": null}`:                   {},
	} {
		var e Entity
		if err := json.Unmarshal([]byte(payload), &e); err != nil || !e.LastSeen.Equal(want) {
			t.Errorf("%s: %s, %v; want %s", payload, e.LastSeen, err, want)
		}
	}
}

func TestEntityTreeDecoding(t *testing.T) {
	for name, c := range map[string]struct {
		body string
		ids  []string
	}{
		"root and children": {`{"id": "u", "children": [{"id": "a1"}, null, {"id": "a2"}]}`, []string{"u", "a1", "a2"}},
		"envelope":          {`{"data": [{"id": "a1"}, {"id": "u"}], "hasNext": false}`, []string{"a1", "u"}},
		"array":             {`[{"id": "u"}]`, []string{"u"}},
		"alone":             {`{"id": "g", "children": null}`, []string{"g"}},
	} {
		es, err := decodeEntityTree(json.RawMessage(c.body))
		var ids []string
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		if err != nil || !slices.Equal(ids, c.ids) {
			t.Errorf("%s: %v, %v; want %v", name, ids, err, c.ids)
		}
	}
	if _, err := decodeEntityTree(json.RawMessage(`"nope"`)); err == nil {
		t.Error("a string decoded as a tree")
	}
}

func TestEntityKey(t *testing.T) {
	// The docs' example, byte for byte.
	want := base64.StdEncoding.EncodeToString([]byte(`{"id":"3fa9f28b-eb0e-463a-ba7b-8089fe9991e2","saas":11161,"inst":0}`))
	if got := EntityKey("3fa9f28b-eb0e-463a-ba7b-8089fe9991e2", 11161, 0); got != want {
		t.Errorf("key %s, want %s", got, want)
	}
	raw, _ := base64.StdEncoding.DecodeString(EntityKey(`a&b<c>"d"`, 1, 2))
	if string(raw) != `{"id":"a&b<c>\"d\"","saas":1,"inst":2}` {
		t.Errorf("key JSON %s", raw)
	}
}

func TestEntities_againstMock(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	all := m.Entities()

	res, err := c.ListEntities(ctx, Query{Max: 250})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 250 || res.Requests != 3 || !res.Truncated || res.Total != len(all) {
		t.Fatalf("%d items in %d requests, truncated %v, total %d", len(res.Items), res.Requests, res.Truncated, res.Total)
	}
	for i, e := range res.Items {
		w := all[i]
		if e.ID != w.ID || e.InternalID != w.InternalID || e.App.ID != w.App || e.App.Instance != w.Instance || !e.LastSeen.Equal(w.LastSeen) {
			t.Fatalf("item %d: %+v, want %+v", i, e, w)
		}
	}

	admins, err := c.ListEntities(ctx, Query{Filters: Filters{}.With("isAdmin", OpEq, true).With("type", OpEq, "user")})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range all {
		if e.IsAdmin && e.Type == EntityTypeUser {
			want++
		}
	}
	if want == 0 || len(admins.Items) != want {
		t.Errorf("admin users: %d, want %d", len(admins.Items), want)
	}

	var user mockserver.Entity
	for _, e := range all {
		if e.Type == EntityTypeUser && len(e.Accounts) >= 3 {
			user = e
			break
		}
	}
	got, err := c.GetEntity(ctx, user.ID, user.App, user.Instance)
	if err != nil {
		t.Fatal(err)
	}
	if got.InternalID != user.InternalID || len(got.Accounts) != len(user.Accounts) || len(got.Raw) == 0 {
		t.Errorf("fetched %+v", got)
	}
	related, err := c.RelatedEntities(ctx, user.ID, user.App, user.Instance)
	if err != nil {
		t.Fatal(err)
	}
	var ids, wantIDs []string
	for _, r := range related {
		ids = append(ids, r.ID)
	}
	for _, a := range user.Accounts {
		wantIDs = append(wantIDs, a.ID)
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("related of the user: %v, want its accounts %v", ids, wantIDs)
	}
	acct := user.Accounts[1]
	related, err = c.RelatedEntities(ctx, acct.ID, acct.App, acct.Instance)
	if err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, r := range related {
		ids = append(ids, r.ID)
	}
	wantIDs = []string{user.ID}
	for _, a := range user.Accounts {
		if a != acct {
			wantIDs = append(wantIDs, a.ID)
		}
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("related of an account: %v; want its user and the other accounts %v", ids, wantIDs)
	}

	_, err = c.GetEntity(ctx, "nobody@contoso.com", 11161, 0)
	if !IsNotFound(err) {
		t.Errorf("missing entity: %v, want not found", err)
	}
	stats := m.Stats()
	if n := stats.Routes["GET /api/v1/entities/{id}/retrieve_tree/"]; n != 2 {
		t.Errorf("%d tree requests, want 2", n)
	}
}
