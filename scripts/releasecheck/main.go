// Command releasecheck asserts that a goreleaser snapshot in dist/ holds what the
// Terraform and OpenTofu registries need from a provider release: one zip per platform we
// ship, each holding the provider binary named for the version, a SHA256SUMS file that
// lists every zip (and the manifest) with the right sums, and the manifest declaring
// protocol 6.0. The platform list is written here, apart from .goreleaser.yml, so that a
// platform dropped from the configuration fails the check instead of vanishing from it.
//
//	go run ./scripts/releasecheck [-platforms linux_amd64,windows_amd64] [dist]
//
// -platforms checks a subset (CI builds three platforms to stay within its time budget;
// `make release-check` without RELEASE_PLATFORMS builds and checks them all).
package main

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

const project = "terraform-provider-mda"

// platforms are the os_arch pairs every release ships.
var platforms = []string{
	"darwin_amd64", "darwin_arm64",
	"freebsd_386", "freebsd_amd64", "freebsd_arm", "freebsd_arm64",
	"linux_386", "linux_amd64", "linux_arm", "linux_arm64",
	"windows_386", "windows_amd64", "windows_arm64", // Go 1.26 has no windows/arm
}

// manifestFile is the registry manifest, uploaded from the repository
// (release.extra_files); the snapshot only lists its sum.
const manifestFile = "terraform-registry-manifest.json"

func main() {
	only := flag.String("platforms", "", "comma-separated os_arch pairs to check, a subset of the shipped ones (default: all)")
	flag.Parse()
	dist := "dist"
	if flag.NArg() > 0 {
		dist = flag.Arg(0)
	}
	want, err := selectPlatforms(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release check:", err)
		os.Exit(2)
	}
	problems, err := check(dist, manifestFile, want)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release check:", err)
		os.Exit(1)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "release check:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("release check: %d platform zips, SHA256SUMS and manifest are as the registries need\n", len(want))
}

// selectPlatforms is every shipped platform, or the subset named in list.
func selectPlatforms(list string) ([]string, error) {
	if list == "" {
		return platforms, nil
	}
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(platforms, p) {
			return nil, fmt.Errorf("%q is not a platform the provider ships; they are %s", p, strings.Join(platforms, ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

func check(dist, manifest string, platforms []string) ([]string, error) {
	version, err := snapshotVersion(dist)
	if err != nil {
		return nil, err
	}
	var problems []string
	prefix := project + "_" + version
	sums, err := readSums(filepath.Join(dist, prefix+"_SHA256SUMS"))
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, p := range platforms {
		name := prefix + "_" + p + ".zip"
		binary := project + "_v" + version
		if strings.HasPrefix(p, "windows_") {
			binary += ".exe"
		}
		if msg := checkZip(filepath.Join(dist, name), binary); msg != "" {
			problems = append(problems, msg)
			continue
		}
		problems = append(problems, checkSum(filepath.Join(dist, name), name, sums)...)
	}
	if msg := checkManifest(manifest); msg != "" {
		problems = append(problems, msg)
	} else {
		problems = append(problems, checkSum(manifest, prefix+"_manifest.json", sums)...)
	}
	return problems, nil
}

// snapshotVersion reads the version goreleaser built from its metadata.json.
func snapshotVersion(dist string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		return "", fmt.Errorf("no goreleaser output in %s: %w", dist, err)
	}
	var md struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	if err := json.Unmarshal(data, &md); err != nil {
		return "", fmt.Errorf("%s/metadata.json: %w", dist, err)
	}
	if md.ProjectName != project {
		return "", fmt.Errorf("project_name is %q, want %q: set it in .goreleaser.yml, or a clone in another directory names the release after the directory", md.ProjectName, project)
	}
	return md.Version, nil
}

func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checksum file missing: %w", err)
	}
	defer func() { _ = f.Close() }()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return nil, fmt.Errorf("%s: malformed line %q", path, sc.Text())
		}
		sums[name] = sum
	}
	return sums, sc.Err()
}

func checkZip(path, binary string) string {
	r, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Sprintf("zip missing or unreadable: %s", err)
	}
	defer func() { _ = r.Close() }()
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
	}
	if !slices.Contains(names, binary) {
		return fmt.Sprintf("%s holds %q, want the binary %q", filepath.Base(path), names, binary)
	}
	return ""
}

// checkSum compares the sum of the file at path with SHA256SUMS's line for name.
func checkSum(path, name string, sums map[string]string) []string {
	if sums == nil {
		return nil // the missing file is already reported
	}
	want, ok := sums[name]
	if !ok {
		return []string{fmt.Sprintf("SHA256SUMS has no line for %s", name)}
	}
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return []string{err.Error()}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return []string{fmt.Sprintf("SHA256SUMS says %s for %s, the file's sum is %s", want, name, got)}
	}
	return nil
}

func checkManifest(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("manifest missing: %s", err)
	}
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Sprintf("%s: %s", filepath.Base(path), err)
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		return fmt.Sprintf("%s declares version %d, protocols %q; want version 1 and protocol 6.0", filepath.Base(path), m.Version, m.Metadata.ProtocolVersions)
	}
	return ""
}
