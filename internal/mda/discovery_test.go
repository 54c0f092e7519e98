package mda

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// docsStream is the stream of the docs' example (mda-api.md §7.1), with the _id MCASPS reads.
const docsStream = `{"_id": "5fda3b1c2d3e4f5a6b7c8d9e", "anonymizeUsers": false, "displayName": "dependency_udp", "logType": 223,
  "receiverType": "syslog", "protocol": "udp", "streamType": 1, "isManual": false, "created": "2020-12-16T17:23:40.687Z",
  "lastModified": "2021-01-05T13:41:36.104Z", "logFilesHistoryCount": 2, "supportedEntityTypes": [], "supportedTrafficTypes": [1],
  "lastAlertProcessingTime": 1609853011480, "lastDataReceived": "2020-12-18T06:33:32.908Z", "logFilesFailsCount": 2}`

// globalView has none of the optional fields and a null lastDataReceived.
const globalView = `{"_id": "57869acdb4b3d5154f095af7", "displayName": "Global View", "streamType": 3, "logType": 0,
  "created": "2019-01-01T00:00:00Z", "lastModified": "2019-01-02T00:00:00Z", "lastDataReceived": null}`

func TestDecodeStreams_shapes(t *testing.T) {
	cases := map[string]struct {
		body string
		want []string // ids
	}{
		"envelope":        {`{"streams": [` + docsStream + `, ` + globalView + `]}`, []string{"5fda3b1c2d3e4f5a6b7c8d9e", "57869acdb4b3d5154f095af7"}},
		"data envelope":   {`{"data": [` + globalView + `]}`, []string{"57869acdb4b3d5154f095af7"}},
		"bare array":      {`[` + globalView + `, ` + docsStream + `]`, []string{"57869acdb4b3d5154f095af7", "5fda3b1c2d3e4f5a6b7c8d9e"}},
		"one object":      {docsStream, []string{"5fda3b1c2d3e4f5a6b7c8d9e"}},
		"empty envelope":  {`{"streams": []}`, []string{}},
		"empty array":     {` [] `, []string{}},
		"id spelled id":   {`[{"id": "abc", "displayName": "x"}]`, []string{"abc"}},
		"null in streams": {`{"streams": null}`, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := decodeStreams(json.RawMessage(c.body))
			if c.want == nil {
				if err == nil {
					t.Fatalf("decoded %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, s := range got {
				ids[i] = s.ID
			}
			if strings.Join(ids, ",") != strings.Join(c.want, ",") {
				t.Errorf("ids = %v, want %v", ids, c.want)
			}
		})
	}
}

func TestDecodeStreams_fields(t *testing.T) {
	got, err := decodeStreams(json.RawMessage(`{"streams": [` + docsStream + `, ` + globalView + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := got[0]
	mustEqual(t, "name", s.Name, "dependency_udp")
	mustEqual(t, "streamType", s.StreamType, 1)
	mustEqual(t, "logType", s.LogType, 223)
	mustEqual(t, "receiverType", s.ReceiverType, "syslog")
	mustEqual(t, "protocol", s.Protocol, "udp")
	mustEqual(t, "created", s.Created.Time, time.Date(2020, 12, 16, 17, 23, 40, 687e6, time.UTC))
	mustEqual(t, "lastDataReceived", s.LastDataReceived.Time, time.Date(2020, 12, 18, 6, 33, 32, 908e6, time.UTC))
	if s.LogFilesHistoryCount == nil || *s.LogFilesHistoryCount != 2 || s.LogFilesFailsCount == nil || *s.LogFilesFailsCount != 2 {
		t.Errorf("file counts = %v, %v", s.LogFilesHistoryCount, s.LogFilesFailsCount)
	}
	if !json.Valid(s.Raw) || !strings.Contains(string(s.Raw), `"lastAlertProcessingTime": 1609853011480`) {
		t.Errorf("raw = %s", s.Raw)
	}
	g := got[1]
	if !g.LastDataReceived.IsZero() || g.LogFilesHistoryCount != nil || g.LogFilesFailsCount != nil || g.ReceiverType != "" {
		t.Errorf("global view = %+v, want no data time, no counts, no receiver", g)
	}
	// Keys are matched exactly: a "DisplayName" beside displayName is another field.
	got, err = decodeStreams(json.RawMessage(`[{"_id": "a", "DisplayName": "wrong", "displayName": "right"}]`))
	if err != nil || got[0].Name != "right" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestDecodeStreams_refuses(t *testing.T) {
	for _, body := range []string{``, `null`, `"streams"`, `{}`, `{"streams": {"_id": "a"}}`, `{"detail": "ok"}`, `[1, 2]`} {
		if got, err := decodeStreams(json.RawMessage(body)); err == nil {
			t.Errorf("%q decoded as %+v, want an error", body, got)
		}
	}
}

func TestDecodeCategoryPage_shapes(t *testing.T) {
	items, more, err := decodeCategoryPage(json.RawMessage(`[{"id": "SAASDB_CATEGORY_PRODUCT_DESIGN", "total": 2}]`))
	if err != nil || len(items) != 1 || more {
		t.Errorf("bare array: %s %v %v", items, more, err)
	}
	items, more, err = decodeCategoryPage(json.RawMessage(`{"data": [{"id": "A", "total": 1}, {"id": "B", "total": 3}], "hasNext": true, "total": 5}`))
	if err != nil || len(items) != 2 || !more {
		t.Errorf("envelope: %s %v %v", items, more, err)
	}
	for _, body := range []string{``, `{"detail": "x"}`, `{"data": {}}`, `"x"`, `{"data": null}`} {
		if items, _, err := decodeCategoryPage(json.RawMessage(body)); err == nil {
			t.Errorf("%q decoded as %s, want an error", body, items)
		}
	}
}

// TestListDiscoveryCategories_envelopedPaging follows hasNext with skip/limit, sending the
// stream and time frame on every page.
func TestListDiscoveryCategories_envelopedPaging(t *testing.T) {
	var skips []int
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var b categoriesBody
		data, _ := readBody(r)
		if err := json.Unmarshal(data, &b); err != nil || b.StreamID != "s1" || b.TimeFrame != 30 || b.Limit != 100 {
			t.Errorf("body %s", data)
		}
		skips = append(skips, b.Skip)
		page := []map[string]any{{"id": "A", "total": 5}, {"id": "B", "total": 4}}
		if b.Skip > 0 {
			page = []map[string]any{{"id": "C", "total": 1}}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": page, "hasNext": b.Skip == 0, "total": 3})
	})
	c, _, _ := testClient(t, srv.URL)
	got, err := c.ListDiscoveryCategories(context.Background(), CategoryQuery{StreamID: "s1", TimeFrameDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[2] != (DiscoveryCategory{ID: "C", Total: 1}) || len(skips) != 2 || skips[1] != 2 {
		t.Errorf("got %+v after skips %v", got, skips)
	}
}

// TestListDiscoveryCategories_loopGuard: a server that hands out the same page with
// hasNext forever is stopped, with an error rather than a made-up list.
func TestListDiscoveryCategories_loopGuard(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{{"id": "A", "total": 5}}, "hasNext": true})
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.ListDiscoveryCategories(context.Background(), CategoryQuery{StreamID: "s1"})
	if err == nil || !strings.Contains(err.Error(), "same page") || srv.count() != 2 {
		t.Errorf("err = %v after %d requests", err, srv.count())
	}
}

func TestListDiscoveryCategories_refusedBeforeSending(t *testing.T) {
	srv := newServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent") })
	c, _, _ := testClient(t, srv.URL)
	for _, q := range []CategoryQuery{{}, {StreamID: "s", TimeFrameDays: 14}} {
		if _, err := c.ListDiscoveryCategories(context.Background(), q); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
}

// TestGetBlockScript_plainText: the script comes back byte for byte, not JSON-decoded,
// and the request asks for text.
func TestGetBlockScript_plainText(t *testing.T) {
	const script = "url.domain=a.com deny\r\nurl.domain=\"b\".com deny\n\n"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/discovery_block_scripts/" || r.URL.Query().Get("format") != "120" || r.URL.Query().Get("type") != "banned" {
			t.Errorf("request %s", r.URL)
		}
		if a := r.Header.Get("Accept"); !strings.HasPrefix(a, "text/plain") {
			t.Errorf("Accept %q", a)
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(script))
	})
	c, _, _ := testClient(t, srv.URL)
	got, err := c.GetBlockScript(context.Background(), 120, "banned")
	if err != nil || got != script {
		t.Errorf("got %q, %v", got, err)
	}
}

// TestGetBlockScript_htmlIsNotAScript: a 200 portal page is an error naming the portal URL.
func TestGetBlockScript_htmlIsNotAScript(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Sign in</body></html>"))
	})
	c, _, _ := testClient(t, srv.URL)
	got, err := c.GetBlockScript(context.Background(), 102, "banned")
	if err == nil || !strings.Contains(err.Error(), "HTML page") || !strings.Contains(err.Error(), "portal URL") {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestGetBlockScript_refusedBeforeSending(t *testing.T) {
	srv := newServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent") })
	c, _, _ := testClient(t, srv.URL)
	if _, err := c.GetBlockScript(context.Background(), 999, "banned"); err == nil {
		t.Error("format 999: no error")
	}
	if _, err := c.GetBlockScript(context.Background(), 102, "allowed"); err == nil {
		t.Error("type allowed: no error")
	}
}

// TestMock_discovery runs the three calls against the mock, which is written from
// mda-api.md: the streams envelope, the bare categories array, the text/plain script.
func TestMock_discovery(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	streams, err := c.ListDiscoveryStreams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := m.DiscoveryStreams()
	if len(streams) != len(want) || len(want) == 0 {
		t.Fatalf("%d streams, want %d", len(streams), len(want))
	}
	for i, s := range streams {
		if s.ID != want[i].ID || s.Name != want[i].Name || s.LogType != want[i].LogType || s.Created.IsZero() {
			t.Errorf("stream %d = %+v, want %+v", i, s, want[i])
		}
	}
	for _, s := range want {
		for _, frame := range []int{0, 7, 90} {
			cats, err := c.ListDiscoveryCategories(ctx, CategoryQuery{StreamID: s.ID, TimeFrameDays: frame})
			if err != nil {
				t.Fatal(err)
			}
			mockFrame := frame
			if frame == 0 {
				mockFrame = 90
			}
			wantCats := m.DiscoveryCategories(s.ID, mockFrame)
			if len(cats) != len(wantCats) || (len(cats) > 0 && (cats[0].ID != wantCats[0].ID || cats[0].Total != int64(wantCats[0].Total))) {
				t.Errorf("%s/%d: %+v, want %+v", s.Name, frame, cats, wantCats)
			}
		}
	}
	for word, format := range BlockScriptFormats {
		script, err := c.GetBlockScript(ctx, format, "banned")
		if err != nil || script != m.BlockScript(format) || script == "" {
			t.Errorf("%s: %q, %v", word, script, err)
		}
	}
	if got := m.Stats().Routes["GET /api/discovery_block_scripts/"]; got != len(BlockScriptFormats) {
		t.Errorf("%d block script requests, want %d", got, len(BlockScriptFormats))
	}
}

// TestMock_discoveryPermissions: an application without Discovery.read gets a 403 that
// names it; Discovery.read does not generate block scripts, which need Discovery.manage.
func TestMock_discoveryPermissions(t *testing.T) {
	m := startMock(t, mockserver.Options{Clients: []mockserver.ClientCredential{
		{ID: "settings", Secret: "pw", Roles: []string{"Settings.manage"}},
		{ID: "reader", Secret: "pw", Roles: []string{"Discovery.read"}},
	}})
	ctx := context.Background()
	c, _, _ := mockClient(t, m, mockEntra(m, "settings", "pw"))
	_, err := c.ListDiscoveryStreams(ctx)
	var apiErr *APIError
	if !IsForbidden(err) || !errors.As(err, &apiErr) || apiErr.Permission != "Discovery.read" ||
		!strings.Contains(err.Error(), "grant the application the MDA permission Discovery.read") {
		t.Errorf("streams without Discovery.read: %v", err)
	}
	_, err = c.ListDiscoveryCategories(ctx, CategoryQuery{StreamID: m.DiscoveryStreams()[0].ID})
	if !IsForbidden(err) || !strings.Contains(err.Error(), "Discovery.read") {
		t.Errorf("categories without Discovery.read: %v", err)
	}

	r, _, _ := mockClient(t, m, mockEntra(m, "reader", "pw"))
	if _, err := r.ListDiscoveryStreams(ctx); err != nil {
		t.Errorf("streams with Discovery.read: %v", err)
	}
	_, err = r.GetBlockScript(ctx, 102, "banned")
	if !IsForbidden(err) || !strings.Contains(err.Error(), "Discovery.manage") {
		t.Errorf("block script with Discovery.read only: %v", err)
	}
}
