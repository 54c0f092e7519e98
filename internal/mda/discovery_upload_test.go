package mda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const (
	initiateKey = "GET /api/v1/discovery/upload_url/"
	doneKey     = "POST /api/v1/discovery/done_upload/"
	blobKey     = "PUT /_blob/{container}/{blob}"
)

// writeLog writes size bytes into a file under t.TempDir: a sparse file with a distinct
// marker every MiB, so that blocks committed out of order give another hash.
func writeLog(t *testing.T, name string, size int64) (string, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < size; off += 1 << 20 {
		if _, err := f.WriteAt([]byte{byte(off>>20) + 1}, off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	sum, _, err := HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, sum
}

func uploadMock(t *testing.T) *mockserver.Server {
	return startMock(t, mockserver.Options{Clients: []mockserver.ClientCredential{
		{ID: mockApp, Secret: mockSecret, Roles: []string{"Discovery.manage"}},
	}})
}

func onlyBlob(t *testing.T, m *mockserver.Server) mockserver.BlobInfo {
	t.Helper()
	blobs := m.Blobs()
	if len(blobs) != 1 {
		t.Fatalf("the mock issued %d upload URLs, want 1: %+v", len(blobs), blobs)
	}
	return blobs[0]
}

func TestUploadDiscoveryLog_singlePut(t *testing.T) {
	for _, auth := range []string{"legacy token", "entra"} {
		t.Run(auth, func(t *testing.T) {
			m := uploadMock(t)
			var mutate []func(*Config)
			if auth == "entra" {
				mutate = append(mutate, mockEntra(m, mockApp, mockSecret))
			}
			c, _, _ := mockClient(t, m, mutate...)
			p, sum := writeLog(t, "proxy 1.log", 1024)
			res, err := c.UploadDiscoveryLog(context.Background(), DiscoveryLogUpload{
				Path: p, Source: "ZSCALER", DataSourceName: "Zscaler proxy", SHA256: sum,
			})
			if err != nil {
				t.Fatal(err)
			}
			b := onlyBlob(t, m)
			if !b.Committed || !b.Finished || b.Blocks != 0 || b.Size != 1024 || b.SHA256 != sum {
				t.Errorf("blob = %+v, want a committed, finished single PUT of 1024 bytes with SHA-256 %s", b, sum)
			}
			if b.Filename != "proxy 1.log" || b.Source != "ZSCALER" {
				t.Errorf("upload_url got filename %q and source %q", b.Filename, b.Source)
			}
			if res.SHA256 != sum || res.Size != 1024 || strings.Contains(res.BlobURL, "?") || !strings.Contains(res.BlobURL, "/_blob/") {
				t.Errorf("result = %+v", res)
			}
			if m.BlobSawAuthorization() {
				t.Error("the blob target saw an Authorization header: an MDA credential went to storage")
			}
			st := m.Stats()
			mustEqual(t, "upload_url requests", st.Routes[initiateKey], 1)
			mustEqual(t, "blob PUTs", st.Routes[blobKey], 1)
			mustEqual(t, "done_upload requests", st.Routes[doneKey], 1)
			// The storage PUT is not an MDA request: it spends nothing of the tenant's budget.
			mustEqual(t, "MDA requests counted by the client", c.Stats().Requests, int64(2))
		})
	}
}

func TestUploadDiscoveryLog_blocksAbove64MB(t *testing.T) {
	m := uploadMock(t)
	c, _, _ := mockClient(t, m)
	size := int64(discoverySinglePutBytes + 1)
	p, sum := writeLog(t, "big.log", size)
	if _, err := c.UploadDiscoveryLog(context.Background(), DiscoveryLogUpload{
		Path: p, Source: "GENERIC_CEF", DataSourceName: "weekly", AsSnapshot: true,
	}); err != nil {
		t.Fatal(err)
	}
	b := onlyBlob(t, m)
	wantBlocks := int((size + discoveryBlockBytes - 1) / discoveryBlockBytes)
	if b.Blocks != wantBlocks || b.Size != size || b.SHA256 != sum {
		t.Errorf("blob = %+v, want %d blocks, %d bytes, SHA-256 %s", b, wantBlocks, size, sum)
	}
	mustEqual(t, "storage PUTs (blocks and the list)", m.Stats().Routes[blobKey], wantBlocks+1)
	var snap *mockserver.DiscoveryStream
	for _, s := range m.DiscoveryStreams() {
		if s.Name == "weekly" {
			snap = &s
		}
	}
	if snap == nil || !snap.Snapshot || snap.LogType != 179 {
		t.Errorf("snapshot report = %+v, want a snapshot named weekly with logType 179 (GENERIC_CEF)", snap)
	}
}

func TestUploadDiscoveryLog_aws(t *testing.T) {
	m := uploadMock(t)
	m.SetUploadProvider("aws")
	c, _, _ := mockClient(t, m)
	p, sum := writeLog(t, "fw.log", 4096)
	res, err := c.UploadDiscoveryLog(context.Background(), DiscoveryLogUpload{Path: p, Source: "PALO_ALTO", DataSourceName: "Palo Alto firewall"})
	if err != nil {
		t.Fatal(err)
	}
	if b := onlyBlob(t, m); b.Provider != "aws" || b.SHA256 != sum || !b.Finished || res.Provider != "aws" {
		t.Errorf("blob = %+v, result = %+v", b, res)
	}
}

func TestUploadDiscoveryLog_failures(t *testing.T) {
	small := func(t *testing.T) (string, string) { return writeLog(t, "a.log", 2048) }
	cases := []struct {
		name   string
		faults []mockserver.Fault
		stream string
		check  func(t *testing.T, err error, m *mockserver.Server)
	}{
		{
			name:   "initiate 503 once is retried",
			faults: []mockserver.Fault{{Match: initiateKey, Status: 503}},
			check: func(t *testing.T, err error, m *mockserver.Server) {
				if err != nil {
					t.Fatal(err)
				}
				mustEqual(t, "upload_url requests", m.Stats().Routes[initiateKey], 2)
			},
		},
		{
			name:   "initiate failing for good stops before storage",
			faults: []mockserver.Fault{{Match: initiateKey, Status: 500, Count: 10}},
			check: func(t *testing.T, err error, m *mockserver.Server) {
				if err == nil || !strings.Contains(err.Error(), "initiate discovery log upload") || IsAmbiguous(err) {
					t.Fatalf("err = %v, want a plain error naming the initiate step", err)
				}
				mustEqual(t, "blob PUTs", m.Stats().Routes[blobKey], 0)
			},
		},
		{
			name:   "dropped storage PUT is sent again",
			faults: []mockserver.Fault{{Match: blobKey, Drop: true}},
			check: func(t *testing.T, err error, m *mockserver.Server) {
				if err != nil {
					t.Fatal(err)
				}
				mustEqual(t, "blob PUTs", m.Stats().Routes[blobKey], 2)
				if b := onlyBlob(t, m); !b.Finished {
					t.Errorf("blob = %+v, want finished", b)
				}
			},
		},
		{
			name:   "storage failing for good never calls done_upload",
			faults: []mockserver.Fault{{Match: blobKey, Drop: true, Count: 10}},
			check: func(t *testing.T, err error, m *mockserver.Server) {
				var se *StorageUploadError
				if !errors.As(err, &se) || IsAmbiguous(err) {
					t.Fatalf("err = %v, want a *StorageUploadError", err)
				}
				if strings.Contains(err.Error(), "sig=") || strings.Contains(err.Error(), "sv=") || !strings.Contains(err.Error(), "?REDACTED") {
					t.Errorf("the error shows the URL's signature: %v", err)
				}
				mustEqual(t, "done_upload requests", m.Stats().Routes[doneKey], 0)
			},
		},
		{
			name:   "done_upload 500 after acting is ambiguous and not repeated",
			faults: []mockserver.Fault{{Match: doneKey, Status: 500, After: true}},
			check: func(t *testing.T, err error, m *mockserver.Server) {
				if !IsAmbiguous(err) || !strings.Contains(err.Error(), "done_upload") {
					t.Fatalf("err = %v, want an ambiguous error naming done_upload", err)
				}
				mustEqual(t, "done_upload requests", m.Stats().Routes[doneKey], 1)
				if b := onlyBlob(t, m); !b.Finished {
					t.Errorf("the mock did not act on done_upload: %+v", b)
				}
			},
		},
		{
			name:   "done_upload refused for an unknown data source",
			stream: "no such source",
			check: func(t *testing.T, err error, m *mockserver.Server) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || IsAmbiguous(err) {
					t.Fatalf("err = %v, want a clear 400", err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := uploadMock(t)
			for _, f := range tc.faults {
				m.AddFault(f)
			}
			// One retry: the SDK's backoff runs on the real clock.
			c, _, _ := mockClient(t, m, func(cfg *Config) { cfg.MaxRetries = 1 })
			p, _ := small(t)
			stream := tc.stream
			if stream == "" {
				stream = "Zscaler proxy"
			}
			_, err := c.UploadDiscoveryLog(context.Background(), DiscoveryLogUpload{Path: p, Source: "ZSCALER", DataSourceName: stream})
			tc.check(t, err, m)
			if m.BlobSawAuthorization() {
				t.Error("the blob target saw an Authorization header")
			}
		})
	}
}

func TestUploadDiscoveryLog_refusedBeforeAnyRequest(t *testing.T) {
	m := uploadMock(t)
	c, _, _ := mockClient(t, m)
	p, _ := writeLog(t, "a.log", 100)
	empty := filepath.Join(t.TempDir(), "empty.log")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("something else"))
	for name, u := range map[string]DiscoveryLogUpload{
		"changed since plan": {Path: p, Source: "ZSCALER", DataSourceName: "x", SHA256: hex.EncodeToString(other[:])},
		"unknown source":     {Path: p, Source: "zscaler", DataSourceName: "x"},
		"missing file":       {Path: p + ".gone", Source: "ZSCALER", DataSourceName: "x"},
		"empty file":         {Path: empty, Source: "ZSCALER", DataSourceName: "x"},
	} {
		if _, err := c.UploadDiscoveryLog(context.Background(), u); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	mustEqual(t, "requests to the mock", m.Stats().Total, 0)
}

func TestRedactURL(t *testing.T) {
	mustEqual(t, "redacted", redactURL("https://acct.blob.core.windows.net/c/b.log?sv=1&sig=abc%2B"), "https://acct.blob.core.windows.net/c/b.log")
}
