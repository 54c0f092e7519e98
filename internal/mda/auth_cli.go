package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The Azure CLI: for people at a terminal, who have run `az login`. The token comes from
// `az account get-access-token --resource <MDA app id> [--tenant <tenant>] -o json`, so
// the CLI's own sign-in (and its cloud, set with `az cloud set`) decides who calls MDA.
// It is never chosen unless asked for (Config.UseCLI): a CI runner with a logged-in CLI
// must not change identity by surprise.

type cliSource struct {
	tenantID string
	clock    Clock
	timeout  time.Duration
	// run executes az; tests replace it only through PATH, so the real lookup is tested.
	run func(ctx context.Context, args []string) (stdout, stderr []byte, err error)
}

func newCLISource(cfg *Config, clock Clock, timeout time.Duration) *cliSource {
	return &cliSource{tenantID: cfg.TenantID, clock: clock, timeout: timeout, run: runAz}
}

func runAz(ctx context.Context, args []string) (stdout, stderr []byte, err error) {
	path, err := exec.LookPath("az")
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// az is a Python program that may leave children holding the pipes; do not wait on
	// them past the command's own end.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// cliToken is the output of `az account get-access-token`. expires_on (Unix seconds) came
// with Azure CLI 2.54; older versions have only expiresOn, in local time.
type cliToken struct {
	AccessToken   string `json:"accessToken"`
	ExpiresOn     string `json:"expiresOn"`
	ExpiresOnUnix int64  `json:"expires_on"`
}

func (s *cliSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	args := []string{"account", "get-access-token", "--resource", mdaResource, "-o", "json"}
	if s.tenantID != "" {
		args = append(args, "--tenant", s.tenantID)
	}
	fail := func(err error) (*oauth2.Token, error) {
		// Nothing the provider does makes az sign in: retrying cannot help.
		return nil, &TokenError{TenantID: s.tenantID, Method: methodCLI, Kind: SignInAzureCLI, Err: err, final: true}
	}
	stdout, stderr, err := s.run(ctx, args)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return fail(errors.New("the Azure CLI (az) is not on PATH: install it and run `az login`, or configure another credential"))
	case ctx.Err() != nil:
		return fail(fmt.Errorf("`az account get-access-token` did not finish within %s", s.timeout))
	case err != nil:
		msg := strings.TrimSpace(string(stderr))
		if msg == "" {
			msg = err.Error()
		}
		next := "run `az login`"
		if s.tenantID != "" {
			next = "run `az login --tenant " + s.tenantID + "`"
		}
		return fail(fmt.Errorf("`az account get-access-token` failed: %s (%s, then try again)", truncate(collapseSpace(msg), 500), next))
	}
	var t cliToken
	if err := json.Unmarshal(stdout, &t); err != nil || t.AccessToken == "" {
		return fail(errors.New("`az account get-access-token` printed no access token: is the Azure CLI up to date?"))
	}
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer"}
	now := s.clock.Now()
	switch {
	case t.ExpiresOnUnix > 0:
		tok.ExpiresIn = max(1, t.ExpiresOnUnix-now.Unix())
	case t.ExpiresOn != "":
		if exp, err := time.ParseInLocation("2006-01-02 15:04:05.999999", t.ExpiresOn, time.Local); err == nil {
			tok.ExpiresIn = max(1, int64(exp.Sub(now)/time.Second))
		}
	}
	return tok, nil
}
