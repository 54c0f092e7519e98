package mda

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// realActivity is the shape of the activity XSOAR recorded (mda-api.md §4), with the
// quirks the issue lists: keys that differ from a mapped key only by case, placed after
// it so encoding/json's last-match-wins would take them ("Id", "AppName", "Timestamp",
// "Created", "Severity", "Description", "UserName", "DeviceType", "ClientIP", "City"),
// null entries in entityData, numbers as strings in resolvedActor, created as a float,
// and rawDataJson's own colliding "Level" and "EventName".
const realActivity = `{
  "_id": "97134000_15600_97ee2049-893e-4c9d-a312-08d82b46faf7", "_ID": "shadow",
  "tenantId": 97134000, "appId": 15600, "AppId": 1, "saasId": 15600,
  "appName": "Microsoft OneDrive for Business", "AppName": "shadow",
  "timestamp": 1595096313000, "Timestamp": "2001-01-01T00:00:00Z",
  "created": 1595096586840.5, "Created": 1,
  "eventType": 233580, "eventTypeValue": "EVENT_O365_ONEDRIVE_GENERIC", "EventTypeValue": "shadow",
  "description": "FilePreviewed", "Description": "shadow",
  "severity": "INFO", "Severity": "HIGH",
  "device": {"clientIP": "8.8.8.8", "ClientIP": "1.1.1.1", "countryCode": "IL", "userAgent": "OneDriveMpc-Transform_Thumbnail/1.0"},
  "location": {"countryCode": "IL", "city": "Tel Aviv", "City": "shadow", "organizationSearchable": "Cellcom Group",
               "category": 0, "categoryValue": "null"},
  "user": {"userName": "avishai@demistodev.onmicrosoft.com", "UserName": "shadow", "userTags": ["5f01dbbc68df27c17aa6ca81"]},
  "userAgent": {"family": "OneDriveMpc", "os": "OTHER", "deviceType": "OTHER", "DeviceType": "MOBILE", "tags": ["000000000000000000000000"]},
  "mainInfo": {"rawOperationName": "FilePreviewed", "prettyOperationName": "FilePreviewed", "type": "basic"},
  "rawDataJson": {"Operation": "FilePreviewed", "Level": 2, "level": "x", "EventName": "A", "eventName": "b"},
  "resolvedActor": {"id": "3fa9f28b-eb0e-463a-ba7b-8089fe9991e2", "saasId": "11161", "instanceId": "0", "objType": "23", "name": "Avi Testman", "role": "4"},
  "entityData": {"0": {"displayName": "Avi Testman", "id": {"id": "avishai@demistodev.onmicrosoft.com", "saas": 11161, "inst": 0}, "resolved": true},
                 "1": null, "2": {"displayName": "x", "ID": "shadow", "id": {"id": 42, "saas": "11161", "inst": "0"}}},
  "source": 2, "Source": 5, "srcAppId": 11161,
  "alertIds": ["603f704aaf7417985bbf3b22"], "policyIds": ["64a1c0ffee5e1ec7ed000a01"]
}`

func TestActivityDecoding(t *testing.T) {
	var a Activity
	if err := decodeKeepingRaw(json.RawMessage(realActivity), &a); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "id", a.ID, "97134000_15600_97ee2049-893e-4c9d-a312-08d82b46faf7")
	mustEqual(t, "appId", a.AppID, 15600)
	mustEqual(t, "appName", a.AppName, "Microsoft OneDrive for Business")
	mustEqual(t, "timestamp", a.Timestamp.Millis(), 1595096313000)
	mustEqual(t, "created", a.Created.Time, time.UnixMilli(1595096586840).Add(500*time.Microsecond).UTC())
	mustEqual(t, "eventTypeValue", a.EventType, "EVENT_O365_ONEDRIVE_GENERIC")
	mustEqual(t, "description", a.Description, "FilePreviewed")
	mustEqual(t, "severity", a.Severity, "INFO")
	mustEqual(t, "clientIP", a.Device.ClientIP, "8.8.8.8")
	mustEqual(t, "city", a.Location.City, "Tel Aviv")
	mustEqual(t, "organization", a.Location.Organization, "Cellcom Group")
	mustEqual(t, "userName", a.User.UserName, "avishai@demistodev.onmicrosoft.com")
	mustEqual(t, "deviceType", a.UserAgent.DeviceType, "OTHER")
	mustEqual(t, "source", a.Source, 2)
	mustEqual(t, "operation", a.MainInfo.RawOperationName, "FilePreviewed")
	if a.ResolvedActor == nil || a.ResolvedActor.SaaSID != 11161 || a.ResolvedActor.ObjType != 23 || a.ResolvedActor.Name != "Avi Testman" {
		t.Errorf("resolvedActor = %+v", a.ResolvedActor)
	}
	if len(a.EntityData) != 3 || a.EntityData["1"] != nil || a.EntityData["0"] == nil || a.EntityData["0"].ID.ID != "avishai@demistodev.onmicrosoft.com" {
		t.Errorf("entityData = %+v", a.EntityData)
	}
	if e := a.EntityData["2"]; e == nil || e.ID == nil || e.ID.ID != "42" || e.ID.SaaS != 11161 {
		t.Errorf("entityData[2] = %+v", e)
	}
	if len(a.AlertIDs) != 1 || len(a.PolicyIDs) != 1 {
		t.Errorf("alertIds %v policyIds %v", a.AlertIDs, a.PolicyIDs)
	}
	if string(a.Raw) != realActivity {
		t.Error("raw JSON is not the activity as sent")
	}
}

// The test above must fail with a decoder that matches keys as encoding/json does; this
// proves it: the same payload through json.Unmarshal takes the shadows.
func TestActivityDecoding_caseInsensitiveWouldFail(t *testing.T) {
	type plain Activity
	var p plain
	if err := json.Unmarshal([]byte(realActivity), &p); err == nil {
		if p.AppName == "Microsoft OneDrive for Business" && p.Severity == "INFO" && p.Device.ClientIP == "8.8.8.8" {
			t.Fatal("encoding/json decoded the colliding keys right; the payload does not exercise unmarshalExact")
		}
	}
}

// The mock's activities, as the client reads them: its wire form carries the same quirks.
func TestActivities_mock(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	seeded := m.Activities()
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	res, err := c.ListActivities(ctx, Query{Max: 150, Filters: Filters{}.With("service", OpEq, []int{11161})})
	if err != nil {
		t.Fatal(err)
	}
	var want []mockserver.Activity
	for _, a := range seeded {
		if a.AppID == 11161 {
			want = append(want, a)
		}
	}
	if len(res.Items) != 150 || !res.Truncated || res.Total != len(want) || res.Requests != 2 {
		t.Fatalf("got %d items in %d requests (total %d, truncated %v), want 150 of %d in 2", len(res.Items), res.Requests, res.Total, res.Truncated, len(want))
	}
	floats := 0
	for i, a := range res.Items {
		w := want[i]
		if a.ID != w.ID || a.Timestamp.Millis() != w.Timestamp || a.Created.Millis() != w.Created || a.User.UserName != w.User ||
			a.Device.ClientIP != w.IP || a.Location.CountryCode != w.Country || int(a.Source) != w.Source || a.UserAgent.DeviceType != w.DeviceType {
			t.Fatalf("item %d = %+v, want %+v", i, a, w)
		}
		if w.CreatedFloat {
			floats++
		}
	}
	if floats == 0 {
		t.Error("no activity with created as a float among those read; the case is not exercised")
	}

	got, err := c.GetActivity(ctx, seeded[3].ID)
	if err != nil || got.ID != seeded[3].ID || len(got.Raw) == 0 {
		t.Fatalf("GetActivity: %v, %+v", err, got)
	}
	if _, err := c.GetActivity(ctx, "97134000_15600_no-such-activity"); !IsNotFound(err) {
		t.Errorf("GetActivity of an unknown id: %v, want not found", err)
	}
	if _, err := c.GetActivity(ctx, "a/b"); err == nil {
		t.Error("GetActivity accepted an id with a slash")
	}
}
