package mockserver

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// uploadMock is a test mock whose blob temp dir goes with the test.
func uploadMock(t *testing.T, opts Options) *testMock {
	m := newTestMock(t, opts)
	t.Cleanup(m.Close)
	return m
}

// initiate asks upload_url for a URL and returns it.
func (m *testMock) initiate(filename, source string) string {
	m.t.Helper()
	var out struct{ URL, Provider string }
	m.mustStatus(m.api(http.MethodGet, "/api/v1/discovery/upload_url/?"+url.Values{"filename": {filename}, "source": {source}}.Encode(), nil), 200).json(m.t, &out)
	if out.Provider != "azure" || !strings.HasPrefix(out.URL, m.http.URL+"/_blob/discovery-uploads/") {
		m.t.Fatalf("upload_url answered %+v", out)
	}
	return out.URL
}

// put sends body to a blob URL with the given query added and headers set.
func (m *testMock) put(blobURL, query, body string, headers map[string]string) response {
	m.t.Helper()
	if query != "" {
		blobURL += "&" + query
	}
	req, err := http.NewRequestWithContext(m.t.Context(), http.MethodPut, blobURL, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := m.http.Client().Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: out}
}

var blockBlob = map[string]string{"x-ms-blob-type": "BlockBlob"}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (m *testMock) blob() BlobInfo {
	m.t.Helper()
	blobs := m.Blobs()
	if len(blobs) != 1 {
		m.t.Fatalf("%d blobs, want 1", len(blobs))
	}
	return blobs[0]
}

func TestBlob_refusesAuthorization(t *testing.T) {
	m := uploadMock(t, Options{})
	u := m.initiate("a.log", "GENERIC_CEF")
	if m.BlobSawAuthorization() {
		t.Fatal("BlobSawAuthorization before any blob request")
	}
	r := m.put(u, "", "data", map[string]string{"x-ms-blob-type": "BlockBlob", "Authorization": "Token " + testToken})
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "Authorization header") || r.header.Get("x-ms-error-code") != "AuthorizationFailure" {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	if !m.BlobSawAuthorization() || m.blob().Committed {
		t.Errorf("sawAuth = %t, blob = %+v; want the header recorded and nothing committed", m.BlobSawAuthorization(), m.blob())
	}
}

func TestBlob_singlePut(t *testing.T) {
	m := uploadMock(t, Options{})
	u := m.initiate("a b.log", "ZSCALER")
	m.mustStatus(m.put(u, "", "hello", nil), http.StatusBadRequest) // no x-ms-blob-type
	m.mustStatus(m.put(strings.Replace(u, "sig=", "sig=x", 1), "", "hello", blockBlob), http.StatusForbidden)
	m.mustStatus(m.api(http.MethodPost, "/api/v1/discovery/done_upload/", map[string]any{"uploadUrl": u, "inputStreamName": "Zscaler proxy"}), http.StatusBadRequest)
	r := m.mustStatus(m.put(u, "", "hello", blockBlob), http.StatusCreated)
	if r.header.Get("ETag") == "" || r.header.Get("Last-Modified") == "" {
		t.Errorf("headers %v lack ETag or Last-Modified", r.header)
	}
	if b := m.blob(); !b.Committed || b.Size != 5 || b.SHA256 != sha("hello") || b.Filename != "a b.log" {
		t.Errorf("blob = %+v", b)
	}
	m.mustStatus(m.api(http.MethodPost, "/api/v1/discovery/done_upload/", map[string]any{"uploadUrl": u, "inputStreamName": "no such source"}), http.StatusBadRequest)
	m.mustStatus(m.api(http.MethodPost, "/api/v1/discovery/done_upload/", map[string]any{"uploadUrl": u, "inputStreamName": "Zscaler proxy"}), http.StatusOK)
	m.mustStatus(m.api(http.MethodPost, "/api/v1/discovery/done_upload/", map[string]any{"uploadUrl": u, "inputStreamName": "Zscaler proxy"}), http.StatusBadRequest)
	if !m.blob().Finished {
		t.Error("done_upload did not finish the blob")
	}
}

func TestBlob_blocksCommitInListOrder(t *testing.T) {
	m := uploadMock(t, Options{})
	u := m.initiate("big.log", "PALO_ALTO")
	id := func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(s))) }
	// Sent out of order, plus one block the list leaves out.
	m.mustStatus(m.put(u, "comp=block&blockid="+id("b-2"), "second", nil), http.StatusCreated)
	m.mustStatus(m.put(u, "comp=block&blockid="+id("b-1"), "first,", nil), http.StatusCreated)
	m.mustStatus(m.put(u, "comp=block&blockid="+id("b-9"), "stray", nil), http.StatusCreated)
	m.mustStatus(m.put(u, "comp=block&blockid=%25%25", "x", nil), http.StatusBadRequest)
	list := func(ids ...string) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><BlockList>`)
		for _, s := range ids {
			b.WriteString("<Latest>" + base64.StdEncoding.EncodeToString([]byte(s)) + "</Latest>")
		}
		return b.String() + "</BlockList>"
	}
	r := m.put(u, "comp=blocklist", list("b-1", "b-3"), nil)
	if r.status != http.StatusBadRequest || r.header.Get("x-ms-error-code") != "InvalidBlockList" {
		t.Fatalf("a list naming a block never sent: status %d, body %s", r.status, r.body)
	}
	m.mustStatus(m.put(u, "comp=blocklist", list("b-1", "b-2"), nil), http.StatusCreated)
	if b := m.blob(); !b.Committed || b.Blocks != 2 || b.Size != int64(len("first,second")) || b.SHA256 != sha("first,second") {
		t.Errorf("blob = %+v, want the blocks in list order", b)
	}
	// Snapshot upload, form-encoded as some clients send it.
	m.mustStatus(m.api(http.MethodPost, "/api/v1/discovery/done_upload/",
		url.Values{"uploadUrl": {u}, "inputStreamName": {"Nightly firewall"}, "uploadAsSnapshot": {"true"}}), http.StatusOK)
	found := false
	for _, st := range m.DiscoveryStreams() {
		found = found || (st.Name == "Nightly firewall" && st.Snapshot && st.LogType == 112)
	}
	if !found {
		t.Errorf("no snapshot report made: %+v", m.DiscoveryStreams())
	}
}

func TestBlob_outsideMDABudgetButFaultable(t *testing.T) {
	m := uploadMock(t, Options{Rate: 1, Window: time.Hour})
	u := m.initiate("a.log", "SQUID") // spends the tenant's only request
	m.AddFault(Fault{Match: "PUT " + blobPattern, Status: http.StatusServiceUnavailable})
	m.mustStatus(m.put(u, "", "x", blockBlob), http.StatusServiceUnavailable)
	m.mustStatus(m.put(u, "", "x", blockBlob), http.StatusCreated)
	m.mustStatus(m.api(http.MethodPost, "/api/v1/discovery/done_upload/", map[string]any{"uploadUrl": u, "inputStreamName": "Zscaler proxy"}), http.StatusTooManyRequests)
	st := m.Stats()
	if st.Routes["PUT "+blobPattern] != 2 || st.Routes["GET /api/v1/discovery/upload_url/"] != 1 || st.Throttled != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestUploadURL_validation(t *testing.T) {
	m := uploadMock(t, Options{})
	m.mustStatus(m.api(http.MethodGet, "/api/v1/discovery/upload_url/?filename=a.log&source=generic_cef", nil), http.StatusBadRequest)
	m.mustStatus(m.api(http.MethodGet, "/api/v1/discovery/upload_url/?source=GENERIC_CEF", nil), http.StatusBadRequest)
	m.mustStatus(m.call(http.MethodGet, "/api/v1/discovery/upload_url/?filename=a.log&source=GENERIC_CEF", "", nil), http.StatusUnauthorized)
	m.SetUploadProvider("aws")
	var out struct{ URL, Provider string }
	m.mustStatus(m.api(http.MethodGet, "/api/v1/discovery/upload_url/?filename=a.log&source=GENERIC_CEF", nil), 200).json(t, &out)
	if out.Provider != "aws" || !strings.Contains(out.URL, "X-Amz-Signature=") {
		t.Fatalf("upload_url answered %+v", out)
	}
	m.mustStatus(m.put(out.URL, "", "no blob type needed", nil), http.StatusCreated)
}
