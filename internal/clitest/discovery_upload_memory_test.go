package clitest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const (
	// uploadMemoryLimit is the provider's peak resident memory allowed while it uploads a
	// log: the file is streamed, so the peak must not grow with the file.
	uploadMemoryLimit = 64 << 20
	// uploadMemoryDefaultMB is the file of the default run: above the 64 MB single-PUT
	// limit, so the upload goes in blocks. MDA_UPLOAD_MEMORY_MB=1024 runs the 1 GB case.
	uploadMemoryDefaultMB = 70
)

// TestAccDiscoveryLogUploadMemory uploads a generated log through the real CLI, with the
// provider as its own process, and samples that process's peak resident set (VmHWM in
// /proc/<pid>/status) until it exits. The peak is logged and must stay under 64 MB.
func TestAccDiscoveryLogUploadMemory(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the provider's peak memory")
	}
	acctest.PreCheck(t)
	mb := uploadMemoryDefaultMB
	if v := os.Getenv("MDA_UPLOAD_MEMORY_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			t.Fatalf("MDA_UPLOAD_MEMORY_MB=%q: want a size in MB between 1 and 5000", v)
		}
		mb = n
	}
	cli := acctest.NewCLI(t)
	m := acctest.StartMock(t)
	// done_upload answers a second late, so the sampler sees the provider alive after the
	// whole file has gone through it.
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/discovery/done_upload/", DelayMS: 1000})

	logFile := filepath.Join(t.TempDir(), "proxy.log")
	writeLogFile(t, logFile, int64(mb)<<20)
	work := cli.NewWorkdir(t,
		fmt.Sprintf("  portal_url = %q\n  api_token  = %q", m.URL(), acctest.Token),
		fmt.Sprintf(`
resource "mda_discovery_log_upload" "week" {
  file             = %q
  source           = "ZSCALER"
  data_source_name = "Zscaler proxy"
}
`, logFile))

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	apply, err := work.Start(ctx, "apply", "-auto-approve", "-input=false")
	if err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(cli.PluginDir(), "terraform-provider-mda")
	peaks := map[int]int64{} // provider pid -> VmHWM in bytes
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-apply.Done():
			done = true
		case <-tick.C:
		}
		for _, pid := range processesOf(binary) {
			if hwm, ok := peakRSS(pid); ok && hwm > peaks[pid] {
				peaks[pid] = hwm
			}
		}
	}
	if r := apply.Wait(); r.Failed() {
		t.Fatalf("apply failed:\n%s", r)
	}
	var blob *mockserver.BlobInfo
	for _, b := range m.Blobs() {
		if b.Finished {
			blob = &b
		}
	}
	if blob == nil || blob.Size != int64(mb)<<20 || blob.Blocks == 0 {
		t.Fatalf("the mock holds no finished upload of %d MB in blocks: %+v", mb, m.Blobs())
	}
	if len(peaks) == 0 {
		t.Fatal("never saw the provider process: the sampler found no process running " + binary)
	}
	var peak int64
	for _, p := range peaks {
		peak = max(peak, p)
	}
	t.Logf("peak resident memory of the provider uploading %d MB: %.1f MiB (VmHWM, %d provider processes sampled)", mb, float64(peak)/(1<<20), len(peaks))
	if peak > uploadMemoryLimit {
		t.Errorf("the provider's peak resident memory was %.1f MiB, over the %d MiB allowed", float64(peak)/(1<<20), uploadMemoryLimit>>20)
	}
}

// writeLogFile makes a sparse file of size bytes with a line at every MiB, so that no
// time goes into writing it and the blocks still differ.
func writeLogFile(t *testing.T, p string, size int64) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off+64 < size; off += 1 << 20 {
		if _, err := fmt.Fprintf(&offsetWriter{f, off}, "2026-11-27 10:00:00 block %d\n", off>>20); err != nil {
			t.Fatal(err)
		}
	}
}

type offsetWriter struct {
	f   *os.File
	off int64
}

func (w *offsetWriter) Write(p []byte) (int, error) { return w.f.WriteAt(p, w.off) }

// processesOf lists the running processes whose executable is binary.
func processesOf(binary string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == binary {
			pids = append(pids, pid)
		}
	}
	return pids
}

// peakRSS reads a process's VmHWM, its peak resident set so far.
func peakRSS(pid int) (int64, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
