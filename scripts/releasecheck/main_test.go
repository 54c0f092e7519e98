package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testVersion = "0.1.1-snapshot"

// fakeRelease writes what goreleaser's snapshot leaves in dist/ for platforms, and a
// manifest, as the registries want them; break then damages one piece.
func fakeRelease(t *testing.T, platforms []string, breakIt func(dist, manifest string)) (dist, manifest string) {
	t.Helper()
	dir := t.TempDir()
	dist = filepath.Join(dir, "dist")
	if err := os.Mkdir(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, body string) {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dist, "metadata.json"), fmt.Sprintf(`{"project_name":%q,"version":%q}`, project, testVersion))
	manifest = filepath.Join(dir, manifestFile)
	write(manifest, `{"version":1,"metadata":{"protocol_versions":["6.0"]}}`)
	var sums []string
	sumOf := func(path, name string) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		sums = append(sums, hex.EncodeToString(s[:])+"  "+name)
	}
	for _, p := range platforms {
		name := project + "_" + testVersion + "_" + p + ".zip"
		binary := project + "_v" + testVersion
		if strings.HasPrefix(p, "windows_") {
			binary += ".exe"
		}
		f, err := os.Create(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		w, err := zw.Create(binary)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("binary for " + p))
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		sumOf(filepath.Join(dist, name), name)
	}
	sumOf(manifest, project+"_"+testVersion+"_manifest.json")
	write(filepath.Join(dist, project+"_"+testVersion+"_SHA256SUMS"), strings.Join(sums, "\n")+"\n")
	if breakIt != nil {
		breakIt(dist, manifest)
	}
	return dist, manifest
}

func TestCheck(t *testing.T) {
	sumsFile := func(dist string) string { return filepath.Join(dist, project+"_"+testVersion+"_SHA256SUMS") }
	zipOf := func(dist, p string) string { return filepath.Join(dist, project+"_"+testVersion+"_"+p+".zip") }
	for _, tc := range []struct {
		name    string
		breakIt func(dist, manifest string)
		want    string // "" for a release that passes
	}{
		{"complete", nil, ""},
		{"a platform's zip missing", func(dist, _ string) { _ = os.Remove(zipOf(dist, "linux_arm64")) }, "zip missing"},
		{"a zip without the binary", func(dist, _ string) {
			f, _ := os.Create(zipOf(dist, "darwin_arm64"))
			zw := zip.NewWriter(f)
			_, _ = zw.Create("README.md")
			_ = zw.Close()
			_ = f.Close()
		}, `want the binary "terraform-provider-mda_v0.1.1-snapshot"`},
		{"a checksum line missing", func(dist, _ string) {
			data, _ := os.ReadFile(sumsFile(dist))
			var kept []string
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if !strings.Contains(l, "windows_amd64") {
					kept = append(kept, l)
				}
			}
			_ = os.WriteFile(sumsFile(dist), []byte(strings.Join(kept, "\n")+"\n"), 0o644)
		}, "SHA256SUMS has no line for terraform-provider-mda_0.1.1-snapshot_windows_amd64.zip"},
		{"a wrong checksum", func(dist, _ string) {
			f, _ := os.OpenFile(zipOf(dist, "freebsd_386"), os.O_APPEND|os.O_WRONLY, 0)
			_, _ = f.Write([]byte("x"))
			_ = f.Close()
		}, "the file's sum is"},
		{"the checksum file missing", func(dist, _ string) { _ = os.Remove(sumsFile(dist)) }, "checksum file missing"},
		{"the manifest missing", func(_, manifest string) { _ = os.Remove(manifest) }, "manifest missing"},
		{"the manifest on protocol 5", func(_, manifest string) {
			_ = os.WriteFile(manifest, []byte(`{"version":1,"metadata":{"protocol_versions":["5.0"]}}`), 0o644)
		}, "want version 1 and protocol 6.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dist, manifest := fakeRelease(t, platforms, tc.breakIt)
			problems, err := check(dist, manifest, platforms)
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(problems, "\n")
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Fatalf("problems in a complete release:\n%s", joined)
			case tc.want != "" && !strings.Contains(joined, tc.want):
				t.Fatalf("problems:\n%s\nwant one containing %q", joined, tc.want)
			}
		})
	}
}

func TestCheck_projectNameFromAnotherDirectory(t *testing.T) {
	dist, manifest := fakeRelease(t, platforms, func(dist, _ string) {
		_ = os.WriteFile(filepath.Join(dist, "metadata.json"), []byte(`{"project_name":"main","version":"0.1.1-snapshot"}`), 0o644)
	})
	if _, err := check(dist, manifest, platforms); err == nil || !strings.Contains(err.Error(), `project_name is "main"`) {
		t.Fatalf("check = %v", err)
	}
}

// A subset checks only its own platforms, and only shipped platforms may be named.
func TestSelectPlatforms(t *testing.T) {
	subset, err := selectPlatforms("linux_amd64, windows_amd64")
	if err != nil || !slices.Equal(subset, []string{"linux_amd64", "windows_amd64"}) {
		t.Fatalf("selectPlatforms = %v, %v", subset, err)
	}
	dist, manifest := fakeRelease(t, subset, nil)
	if problems, err := check(dist, manifest, subset); err != nil || len(problems) > 0 {
		t.Fatalf("subset release: %v, %v", problems, err)
	}
	if problems, _ := check(dist, manifest, platforms); len(problems) != len(platforms)-len(subset) {
		t.Fatalf("the full list finds %d problems in a subset release, want %d: %v", len(problems), len(platforms)-len(subset), problems)
	}
	if _, err := selectPlatforms("windows_arm"); err == nil {
		t.Fatal("windows_arm, which Go 1.26 dropped, was accepted")
	}
}
