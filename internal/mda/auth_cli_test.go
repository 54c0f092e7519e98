package mda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// stubAz makes PATH hold nothing but a fake `az`, so the real CLI, if installed, can
// never answer; the script uses shell builtins only. It records its arguments, one invocation per line, in the returned
// file, and prints the output file's content, or fails with stderr when it starts with
// "FAIL:". Tests change what it prints by rewriting that file.
func stubAz(t *testing.T) (argsFile, outputFile string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the az stub is a shell script")
	}
	dir := t.TempDir()
	argsFile, outputFile = filepath.Join(dir, "args"), filepath.Join(dir, "output")
	script := fmt.Sprintf(`#!/bin/sh
echo "$@" >> %q
out=$(while IFS= read -r line || [ -n "$line" ]; do printf '%%s\n' "$line"; done < %q)
case "$out" in
FAIL:*) echo "${out#FAIL:}" >&2; exit 1 ;;
esac
printf '%%s\n' "$out"
`, argsFile, outputFile)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return argsFile, outputFile
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func invocations(t *testing.T, argsFile string) []string {
	t.Helper()
	b, err := os.ReadFile(argsFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestMock_azureCLI(t *testing.T) {
	clk := newAutoClock()
	m := startMock(t, mockserver.Options{RequireIDOnUpdate: true, Now: clk.Now})
	argsFile, out := stubAz(t)
	token := m.IssueAccessToken("cli-user", "Settings.manage")
	writeFile(t, out, fmt.Sprintf(`{"accessToken": %q, "expiresOn": "ignored", "expires_on": %d, "tenant": %q, "tokenType": "Bearer"}`,
		token, clk.Now().Add(time.Hour).Unix(), m.Tenant()))
	c, _, logger := mockClient(t, m, func(cfg *Config) {
		cfg.APIToken, cfg.UseCLI, cfg.TenantID, cfg.Clock = "", true, m.Tenant(), clk
	})
	exerciseSubnets(t, m, c)
	calls := invocations(t, argsFile)
	mustEqual(t, "az calls", len(calls), 1)
	mustEqual(t, "az arguments", calls[0], "account get-access-token --resource 05a65629-4c1b-48c1-a78b-804c4abdd4af -o json --tenant "+m.Tenant())
	// expires_on decides the renewal: five minutes before the hour.
	clk.Advance(54 * time.Minute)
	listOnce(t, c)
	mustEqual(t, "az calls before renewal", len(invocations(t, argsFile)), 1)
	clk.Advance(time.Minute + time.Second)
	listOnce(t, c)
	mustEqual(t, "az calls after renewal", len(invocations(t, argsFile)), 2)
	if strings.Contains(logger.text(), token) {
		t.Error("the access token reached the log")
	}
}

// Azure CLI before 2.54 prints only expiresOn, in local time.
func TestCLI_oldOutput(t *testing.T) {
	_, out := stubAz(t)
	clk := newFakeClock()
	exp := clk.Now().Add(30 * time.Minute).In(time.Local).Format("2006-01-02 15:04:05.000000")
	writeFile(t, out, fmt.Sprintf(`{"accessToken": "cli-token", "expiresOn": %q, "tokenType": "Bearer"}`, exp))
	tok, err := newCLISource(&Config{}, clk, 5*time.Second).Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "token", tok.AccessToken, "cli-token")
	mustEqual(t, "expires in", tok.ExpiresIn, int64(30*60))
}

func TestCLI_failures(t *testing.T) {
	argsFile, out := stubAz(t)
	for _, tc := range []struct {
		name, output, tenant string
		want                 []string
	}{
		{"not logged in", "FAIL:ERROR: Please run 'az login' to setup account.", "contoso.onmicrosoft.com",
			[]string{"Please run 'az login'", "az login --tenant contoso.onmicrosoft.com", "the Azure CLI", "in tenant contoso.onmicrosoft.com"}},
		{"consent missing", "FAIL:ERROR: AADSTS65002: Consent between first party application and first party resource must be configured via preauthorization.", "",
			[]string{"AADSTS65002", "run `az login`"}},
		{"no token in output", `{"tokenType": "Bearer"}`, "", []string{"printed no access token"}},
		{"not JSON", `WARNING: something`, "", []string{"printed no access token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, out, tc.output)
			before := len(invocations(t, argsFile))
			clk := newAutoClock()
			c, _, _ := testClient(t, "http://127.0.0.1:9", func(cfg *Config) {
				cfg.APIToken, cfg.UseCLI, cfg.TenantID, cfg.Clock = "", true, tc.tenant, clk
			})
			_, err := c.ListSubnets(context.Background(), SubnetQuery{})
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TokenError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			mustEqual(t, "az calls (no retries)", len(invocations(t, argsFile))-before, 1)
		})
	}
}

func TestCLI_notInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := newCLISource(&Config{}, newFakeClock(), time.Second).Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not on PATH") {
		t.Fatalf("err = %v", err)
	}
}
