package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const (
	testAccUploadAddr   = "mda_discovery_log_upload.test"
	testAccInitiateKey  = "GET /api/v1/discovery/upload_url/"
	testAccDoneKey      = "POST /api/v1/discovery/done_upload/"
	testAccBlobKey      = "PUT /_blob/{container}/{blob}"
	testAccUploadStream = "Zscaler proxy"
)

// cliText is a pattern for text the CLI may wrap: each space matches any white space.
func cliText(s string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(s, " ", `\s+`))
}

func testAccUploadConfig(m *acctest.Mock, file, source, dataSource, extra string) string {
	return acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_discovery_log_upload" "test" {
  file             = %q
  source           = %q
  data_source_name = %q
%s
}
`, file, source, dataSource, extra)
}

// testAccWriteLog writes content to a file in dir and returns its path and SHA-256.
func testAccWriteLog(t *testing.T, p string, content []byte) string {
	t.Helper()
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// testAccSparseLog makes a file of size bytes without writing them all: a 70 MB log in
// t.TempDir costs no time to generate. A byte every MiB tells blocks apart, so blocks
// committed out of order would change the mock's hash.
func testAccSparseLog(t *testing.T, p string, size int64) string {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for off := int64(0); off < size; off += 1 << 20 {
		if _, err := f.WriteAt([]byte{byte(off>>20) + 1}, off); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// testAccCheckBlobs checks the mock's uploads: the SHA-256 of each finished blob in
// order, and that no request to storage carried an Authorization header.
func testAccCheckBlobs(m *acctest.Mock, check func([]mockserver.BlobInfo) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if m.BlobSawAuthorization() {
			return fmt.Errorf("the mock's blob target saw an Authorization header: an MDA credential went to storage")
		}
		var finished []mockserver.BlobInfo
		for _, b := range m.Blobs() {
			if b.Finished {
				finished = append(finished, b)
			}
		}
		return check(finished)
	}
}

func hasBlob(sum string, singlePut bool) func([]mockserver.BlobInfo) error {
	return func(blobs []mockserver.BlobInfo) error {
		for _, b := range blobs {
			if b.SHA256 == sum {
				if singlePut != (b.Blocks == 0) {
					return fmt.Errorf("blob %s was uploaded in %d blocks, want single PUT = %t", b.Name, b.Blocks, singlePut)
				}
				return nil
			}
		}
		return fmt.Errorf("no finished upload with SHA-256 %s among %+v", sum, blobs)
	}
}

func TestAccDiscoveryLogUpload_basic(t *testing.T) {
	m := acctest.StartMock(t)
	file := filepath.Join(t.TempDir(), "proxy.log")
	first := testAccWriteLog(t, file, []byte(fmt.Sprintf("%01024d", 1)))
	var second string
	cfg := testAccUploadConfig(m, file, "ZSCALER", testAccUploadStream, "")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: testAccCheckBlobs(m, func(blobs []mockserver.BlobInfo) error {
			if len(blobs) != 2 {
				return fmt.Errorf("%d finished uploads after destroy, want the 2 made (MDA has no delete)", len(blobs))
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testAccUploadAddr, tfjsonpath.New("content_sha256"), knownvalue.StringExact(first)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccUploadAddr, tfjsonpath.New("content_sha256"), knownvalue.StringExact(first)),
					statecheck.ExpectKnownValue(testAccUploadAddr, tfjsonpath.New("as_snapshot"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testAccUploadAddr, tfjsonpath.New("uploaded_at"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(testAccUploadAddr, tfjsonpath.New("id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:\d+/_blob/discovery-uploads/[0-9a-f]{32}/proxy\.log$`))),
				},
				Check: testAccCheckBlobs(m, hasBlob(first, true)),
			},
			{
				// Unchanged file: nothing to do.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// New content under the same path: uploaded again.
				PreConfig: func() { second = testAccWriteLog(t, file, []byte(fmt.Sprintf("%01024d", 2))) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccUploadAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					if err := resource.TestCheckResourceAttr(testAccUploadAddr, "content_sha256", second)(s); err != nil {
						return err
					}
					return testAccCheckBlobs(m, hasBlob(second, true))(s)
				},
			},
		},
	})
}

func TestAccDiscoveryLogUpload_snapshotInBlocks(t *testing.T) {
	m := acctest.StartMock(t)
	file := filepath.Join(t.TempDir(), "week.log")
	sum := testAccSparseLog(t, file, 70<<20)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccUploadConfig(m, file, "GENERIC_CEF", "Week 47 proxy logs", "  as_snapshot = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccUploadAddr, tfjsonpath.New("content_sha256"), knownvalue.StringExact(sum)),
			},
			Check: func(s *terraform.State) error {
				if err := testAccCheckBlobs(m, hasBlob(sum, false))(s); err != nil {
					return err
				}
				for _, st := range m.DiscoveryStreams() {
					if st.Name == "Week 47 proxy logs" && st.Snapshot {
						return nil
					}
				}
				return fmt.Errorf("no snapshot report named %q in %+v", "Week 47 proxy logs", m.DiscoveryStreams())
			},
		}},
	})
}

func TestAccDiscoveryLogUpload_planErrors(t *testing.T) {
	m := acctest.StartMock(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "a.log")
	testAccWriteLog(t, file, []byte("CEF:0|x\n"))
	empty := filepath.Join(dir, "empty.log")
	testAccWriteLog(t, empty, nil)
	noRequest := func() {
		if n := m.Stats().Total; n != 0 {
			t.Errorf("the mock saw %d requests before this plan-time error: %v", n, m.Stats().Routes)
		}
	}
	step := func(file, source, want string) resource.TestStep {
		return resource.TestStep{
			PreConfig:   noRequest,
			Config:      testAccUploadConfig(m, file, source, testAccUploadStream, ""),
			PlanOnly:    true,
			ExpectError: cliText(want),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(file, "palo_alto", `write source = "PALO_ALTO"`),
			step(file, "ZSCALER_CEF", `not one of the log formats.*Close matches: ZSCALER, ZSCALER_CEF_SYSLOG\.`),
			step(filepath.Join(dir, "missing.log"), "GENERIC_CEF", `Log file not found.*missing\.log`),
			step(empty, "GENERIC_CEF", `Log file is empty`),
			{PreConfig: noRequest, Config: acctest.ProviderConfig(m), PlanOnly: true},
		},
	})
}

// TestAccDiscoveryLogUpload_faults: a failure at any step saves nothing, which the next
// step proves by planning a create again once the fault is gone.
func TestAccDiscoveryLogUpload_faults(t *testing.T) {
	cases := []struct {
		name  string
		fault mockserver.Fault
		want  string
		// finished is how many uploads the mock accepted for processing despite the error.
		finished int
	}{
		{"initiate 5xx", mockserver.Fault{Match: testAccInitiateKey, Status: 503, Count: 10}, `initiate \(upload_url\), failed.*HTTP 503.*nothing was saved to state`, 0},
		{"initiate tenant not found", mockserver.Fault{Match: testAccInitiateKey, Status: 404, Body: acctest.TenantNotFound}, `initiate \(upload_url\), failed.*tenant not found`, 0},
		{"initiate HTML 404", mockserver.Fault{Match: testAccInitiateKey, Status: 404, Body: acctest.NotFoundPage}, `initiate \(upload_url\), failed.*web page`, 0},
		{"initiate empty answer", mockserver.Fault{Match: testAccInitiateKey, Status: 200, Body: `{}`}, `initiate \(upload_url\), failed.*no upload URL`, 0},
		{"storage PUT dropped", mockserver.Fault{Match: testAccBlobKey, Drop: true, Count: 10}, `Azure Blob storage.*second of the upload's three steps`, 0},
		{"done_upload 5xx after acting", mockserver.Fault{Match: testAccDoneKey, Status: 500, After: true}, `done_upload, failed without a clear answer.*HTTP 500.*may be processing it.*count twice`, 1},
		{"done_upload dropped", mockserver.Fault{Match: testAccDoneKey, Drop: true}, `done_upload, failed without a clear answer.*may be processing it`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := acctest.StartMock(t)
			file := filepath.Join(t.TempDir(), "a.log")
			testAccWriteLog(t, file, []byte("CEF:0|Zscaler|NSSWeblog|5.0|allowed|\n"))
			cfg := testAccUploadConfig(m, file, "ZSCALER", testAccUploadStream, "")
			finishedBefore := func(want int) resource.TestCheckFunc {
				return testAccCheckBlobs(m, func(blobs []mockserver.BlobInfo) error {
					if len(blobs) != want {
						return fmt.Errorf("%d uploads finished, want %d", len(blobs), want)
					}
					return nil
				})
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						PreConfig:   func() { m.AddFault(tc.fault) },
						Config:      cfg,
						ExpectError: cliText(tc.want),
					},
					{
						PreConfig: func() {
							m.ClearFaults()
							if err := finishedBefore(tc.finished)(nil); err != nil {
								t.Error(err)
							}
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(testAccUploadAddr, plancheck.ResourceActionCreate),
						}},
						Check: finishedBefore(tc.finished + 1),
					},
				},
			})
		})
	}
}

// TestAccDiscoveryLogUpload_signatureNotLogged: the storage URL's signature is a
// credential. It must appear neither in the TRACE log of the CLI and the provider (through
// a failed upload's error too) nor in the state. Not parallel: it sets TF_LOG.
func TestAccDiscoveryLogUpload_signatureNotLogged(t *testing.T) {
	logPath := testAccTraceLog(t)
	m := acctest.StartMock(t)
	file := filepath.Join(t.TempDir(), "a.log")
	testAccWriteLog(t, file, []byte("CEF:0|Zscaler|NSSWeblog|5.0|allowed|\n"))
	cfg := testAccUploadConfig(m, file, "ZSCALER", testAccUploadStream, "")
	var state string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { m.AddFault(mockserver.Fault{Match: testAccBlobKey, Drop: true, Count: 10}) },
				Config:      cfg,
				ExpectError: cliText("second of the upload's three steps"),
			},
			{
				PreConfig: m.ClearFaults,
				Config:    cfg,
				Check: func(s *terraform.State) error {
					state = fmt.Sprint(s.RootModule().Resources[testAccUploadAddr].Primary.Attributes)
					return nil
				},
			},
		},
	})
	var secrets []string
	for _, b := range m.Blobs() {
		secrets = append(secrets, b.Signature, url.QueryEscape(b.Signature))
		if strings.Contains(state, b.Signature) {
			t.Errorf("the state holds the signature of %s", b.Name)
		}
	}
	if len(secrets) != 4 {
		t.Fatalf("the mock issued %d upload URLs, want 2", len(secrets)/2)
	}
	testAccCheckLogClean(t, logPath, []string{"uploading discovery log to storage"}, secrets)
}
