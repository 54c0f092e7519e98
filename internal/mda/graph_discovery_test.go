package mda

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestGraphPeriod(t *testing.T) {
	for days, want := range map[int64]string{7: "P7D", 30: "P30D", 90: "P90D"} {
		got, err := GraphPeriod(days)
		if err != nil || got != want {
			t.Errorf("GraphPeriod(%d) = %q, %v; want %q", days, got, err, want)
		}
		back, err := ParseGraphPeriod(strings.ToLower(want))
		if err != nil || back != days {
			t.Errorf("ParseGraphPeriod(%q) = %d, %v; want %d", want, back, err, days)
		}
	}
	for _, days := range []int64{0, 1, 14, 31, -7} {
		if _, err := GraphPeriod(days); err == nil {
			t.Errorf("GraphPeriod(%d) was accepted", days)
		}
	}
	for _, p := range []string{"", "P1D", "30", "P30", "PT30D", "P3 0D"} {
		if _, err := ParseGraphPeriod(p); err == nil {
			t.Errorf("ParseGraphPeriod(%q) was accepted", p)
		}
	}
}

func TestDecodeDiscoveredApp(t *testing.T) {
	full := `{"@odata.type":"#microsoft.graph.security.endpointDiscoveredCloudAppDetail","id":11760,"displayName":"GitHub",
	  "tags":["Sanctioned"],"riskScore":"10","lastSeenDateTime":"2026-07-28T00:00:00Z","domains":"github.com",
	  "category":"aMadeUpCategory","userCount":0,"ipAddressCount":21,"transactionCount":181026,
	  "uploadNetworkTrafficInBytes":200349378852,"downloadNetworkTrafficInBytes":2015031804,"deviceCount":3,"firstSeenDateTime":"x"}`
	a, err := DecodeDiscoveredApp(json.RawMessage(full))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "id", a.ID, "11760")
	mustEqual(t, "category", a.Category, "aMadeUpCategory")
	mustEqual(t, "risk", *a.RiskScore, 10)
	mustEqual(t, "users", *a.UserCount, 0)
	mustEqual(t, "upload", *a.UploadBytes, 200349378852)
	mustEqual(t, "devices", *a.DeviceCount, 3)
	mustEqual(t, "endpoint", a.Endpoint, true)
	mustEqual(t, "domains", strings.Join(a.Domains, ","), "github.com")
	mustEqual(t, "last seen", a.LastSeen.Equal(time.Date(2026, 7, 28, 0, 0, 0, 0, time.UTC)), true)
	mustEqual(t, "raw", string(a.Raw), full)

	sparse, err := DecodeDiscoveredApp(json.RawMessage(`{"id":"7","riskScore":null,"tags":null,
	  "uploadNetworkTraficInBytes":5,"lastSeenDateTime":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if sparse.RiskScore != nil || sparse.UserCount != nil || sparse.DeviceCount != nil || sparse.LastSeen != nil || sparse.Tags != nil {
		t.Errorf("absent fields were given values: %+v", sparse)
	}
	mustEqual(t, "upload from the 2023 spelling", *sparse.UploadBytes, 5)
	mustEqual(t, "endpoint without @odata.type or deviceCount", sparse.Endpoint, false)

	untyped, err := DecodeDiscoveredApp(json.RawMessage(`{"id":"8","deviceCount":0}`))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "endpoint from deviceCount", untyped.Endpoint, true)

	for _, bad := range []string{`{"displayName":"no id"}`, `{"id":"1","riskScore":"high"}`, `[1]`, `{"id":"1","tags":{"a":1}}`} {
		if _, err := DecodeDiscoveredApp(json.RawMessage(bad)); err == nil {
			t.Errorf("%s was decoded", bad)
		}
	}
}

func TestDiscoveredAppsFilterOData(t *testing.T) {
	lo, hi, users := int64(2), int64(4), int64(10)
	mustEqual(t, "none", DiscoveredAppsFilter{}.odata(), "")
	mustEqual(t, "all", DiscoveredAppsFilter{Category: "o'brien", MinRiskScore: &lo, MaxRiskScore: &hi, MinUsers: &users}.odata(),
		"category eq 'o''brien' and riskScore ge 2 and riskScore le 4 and userCount ge 10")
}

func TestListDiscoveredApps_sendsFilterAndDecodesEveryPage(t *testing.T) {
	g := newGraphServer(t, 230)
	c, _, _ := graphClient(t, g)
	hi := int64(4)
	res, err := c.ListDiscoveredApps(context.Background(), "s/1", "P90D", DiscoveredAppsFilter{Category: "generativeAi", MaxRiskScore: &hi}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "apps", len(res.Apps), 230)
	mustEqual(t, "requests", res.Requests, 3)
	first := g.requests[0]
	mustEqual(t, "path", first.URL.EscapedPath(),
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/s%2F1/aggregatedAppsDetails(period=duration'P90D')")
	mustEqual(t, "query", first.URL.RawQuery, "$filter=category%20eq%20%27generativeAi%27%20and%20riskScore%20le%204")

	if _, err := c.ListDiscoveredApps(context.Background(), "s1", "P1D", DiscoveredAppsFilter{}, 0); err == nil {
		t.Error("a period Graph does not serve was sent")
	}
	mustEqual(t, "requests after the bad period", len(g.requests), 3)
}

func TestListDiscoveredApps_undecodableAppFailsTheList(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{"id": "1"}, map[string]any{"displayName": "no id"}}})
		return true
	}
	c, _, _ := graphClient(t, g)
	res, err := c.ListDiscoveredApps(context.Background(), "s1", "P30D", DiscoveredAppsFilter{}, 0)
	if err == nil || !strings.Contains(err.Error(), "no id") {
		t.Fatalf("err = %v, want one about the app without an id", err)
	}
	mustEqual(t, "apps returned with the error", len(res.Apps), 0)
}

func TestGlobalViewStreamID(t *testing.T) {
	g := newGraphServer(t, 0)
	streams := []any{
		map[string]any{"id": "a1", "displayName": "Zscaler proxy", "logFileCount": 3},
		map[string]any{"id": "b2", "displayName": "GLOBAL VIEW"},
	}
	g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{"value": streams})
		return true
	}
	c, _, _ := graphClient(t, g)
	id, err := c.GlobalViewStreamID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "id", id, "b2")
	mustEqual(t, "path", g.requests[0].URL.Path, "/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams")

	streams = streams[:1]
	_, err = c.GlobalViewStreamID(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"Zscaler proxy"`) || !strings.Contains(err.Error(), "stream_id") {
		t.Errorf("err = %v, want one listing the streams and naming stream_id", err)
	}
}

func TestListDiscoveredApps_failedPageReturnsNothing(t *testing.T) {
	g := newGraphServer(t, 250)
	g.page = func(w http.ResponseWriter, _ *http.Request, n int) bool {
		if n < 2 {
			return false
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": "itemNotFound", "message": "gone"}})
		return true
	}
	c, _, _ := graphClient(t, g)
	res, err := c.ListDiscoveredApps(context.Background(), "s1", "P30D", DiscoveredAppsFilter{}, 0)
	if err == nil || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("err = %v, want the second page's 404", err)
	}
	if len(res.Apps) != 0 || res.Truncated {
		t.Errorf("the first page's %d apps came back with the error", len(res.Apps))
	}
	mustEqual(t, "requests", len(g.requests), 2)
}
