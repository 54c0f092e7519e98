package mda

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// These tests run the client against internal/mockserver, which is written from
// mda-api.md rather than from this package: where the two read the document differently,
// a test here fails.

const (
	mockToken  = "t1"
	mockApp    = "app"
	mockSecret = "s3cret"
)

func startMock(t *testing.T, opts mockserver.Options) *mockserver.Server {
	t.Helper()
	if opts.Tokens == nil {
		opts.Tokens = []string{mockToken}
	}
	if opts.Clients == nil {
		opts.Clients = []mockserver.ClientCredential{{ID: mockApp, Secret: mockSecret, Roles: []string{"Settings.manage"}}}
	}
	if opts.Rate == 0 {
		opts.Rate = -1
	}
	m, err := mockserver.Start(opts, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func mockClient(t *testing.T, m *mockserver.Server, mutate ...func(*Config)) (*Client, *fakeClock, *recordingLogger) {
	t.Helper()
	return testClient(t, m.URL(), append([]func(*Config){func(cfg *Config) { cfg.APIToken = mockToken }}, mutate...)...)
}

func mockEntra(m *mockserver.Server, app, secret string) func(*Config) {
	return func(cfg *Config) {
		cfg.APIToken = ""
		cfg.TenantID, cfg.ClientID, cfg.ClientSecret = m.Tenant(), app, secret
		cfg.AuthorityURL = m.URL()
	}
}

// exerciseSubnets runs create, read, update, list and delete, and checks the mock's state
// after each step.
func exerciseSubnets(t *testing.T, m *mockserver.Server, c *Client) {
	t.Helper()
	ctx := context.Background()
	id, err := c.CreateSubnet(ctx, SubnetInput{
		Name: "office", Category: CategoryCorporate, Subnets: []string{"192.168.2.0/16", "10.1.1.1"},
		Organization: "Contoso", Tags: []string{"headquarters"},
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, ok := m.Subnet(id)
	if !ok || stored.Name != "office" {
		t.Fatalf("the mock does not hold the created range %s: %+v", id, stored)
	}

	s, err := c.getSubnet(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "OriginalString", s.Subnets[0].OriginalString, "192.168.2.0/16")
	mustEqual(t, "Mask", s.Subnets[0].Mask, 112)
	mustEqual(t, "Organization", s.Organization, "Contoso")
	if len(s.Tags) != 1 || s.Tags[0].Name != "headquarters" || s.Tags[0].ID == "" {
		t.Errorf("Tags = %+v, want one object named headquarters", s.Tags)
	}

	// Same name, new content: accepted only because the body carries _id.
	if err := c.UpdateSubnet(ctx, id, SubnetInput{Name: "office", Category: CategoryVPN, Subnets: []string{"10.1.1.1"}}); err != nil {
		t.Fatal(err)
	}
	stored, _ = m.Subnet(id)
	if stored.Category != CategoryVPN || len(stored.Subnets) != 1 || stored.Organization != nil || len(stored.Tags) != 0 {
		t.Errorf("after the full replace the mock holds %+v", stored)
	}

	custom := false
	res, err := c.ListSubnets(ctx, SubnetQuery{BuiltIn: &custom})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].ID != id {
		t.Errorf("custom listing = %+v, want only %s", res.Items, id)
	}

	if err := c.DeleteSubnet(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Subnet(id); ok {
		t.Error("the range survived its delete")
	}
	if err := c.DeleteSubnet(ctx, id); !IsNotFound(err) {
		t.Errorf("second delete: err = %v, want not found", err)
	}
}

func TestMock_legacyToken(t *testing.T) {
	m := startMock(t, mockserver.Options{RequireIDOnUpdate: true})
	c, _, _ := mockClient(t, m)
	exerciseSubnets(t, m, c)
}

func TestMock_clientSecret(t *testing.T) {
	m := startMock(t, mockserver.Options{RequireIDOnUpdate: true})
	c, _, logger := mockClient(t, m, mockEntra(m, mockApp, mockSecret))
	exerciseSubnets(t, m, c)
	mustEqual(t, "token fetches", m.Stats().Routes["POST /{tenant}/oauth2/v2.0/token"], 1)
	if strings.Contains(logger.text(), mockSecret) {
		t.Error("the secret reached the log")
	}
}

func TestMock_wrongSecretNamesTheAADSTSCode(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m, mockEntra(m, mockApp, "not-the-secret"))
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "AADSTS") {
		t.Fatalf("err = %v, want a TokenError with an AADSTS code", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("the secret leaked: %v", err)
	}
	mustEqual(t, "API requests", m.Stats().Routes["POST /api/v1/subnet/"], 0)
}

func TestMock_missingRoleNamesThePermission(t *testing.T) {
	m := startMock(t, mockserver.Options{Clients: []mockserver.ClientCredential{{ID: "reader", Secret: "pw", Roles: []string{"Settings.read"}}}})
	c, _, _ := mockClient(t, m, mockEntra(m, "reader", "pw"))
	ctx := context.Background()
	if _, err := c.ListSubnets(ctx, SubnetQuery{}); err != nil {
		t.Fatalf("Settings.read should list: %v", err)
	}
	_, err := c.CreateSubnet(ctx, SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if !IsForbidden(err) {
		t.Fatalf("err = %v, want 403", err)
	}
	if !strings.Contains(err.Error(), "grant the application the MDA permission Settings.manage or Investigation.manage") {
		t.Errorf("err = %q, want it to name the permission", err)
	}
}

func TestMock_badLegacyToken(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m, func(cfg *Config) { cfg.APIToken = "T1" }) // tokens are case-sensitive
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if !IsUnauthorized(err) || !strings.Contains(err.Error(), "Invalid token") {
		t.Fatalf("err = %v, want 401 Invalid token", err)
	}
}

func TestMock_pagingCountsRequests(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	m.SeedSubnets(250, "bulk-")
	c, _, _ := mockClient(t, m)
	custom := false
	res, err := c.ListSubnets(context.Background(), SubnetQuery{BuiltIn: &custom, SortField: "name", SortDirection: "asc"})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 250)
	mustEqual(t, "Requests", res.Requests, 3)
	mustEqual(t, "requests the mock saw", m.Stats().Routes["POST /api/v1/subnet/"], 3)
	seen := map[string]bool{}
	for _, s := range res.Items {
		if seen[s.ID] {
			t.Fatalf("range %s listed twice", s.ID)
		}
		seen[s.ID] = true
	}

	builtIn := true
	res, err = c.ListSubnets(context.Background(), SubnetQuery{BuiltIn: &builtIn})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) == 0 || !res.Items[0].BuiltIn {
		t.Errorf("built-in listing = %d items, BuiltIn set: %v", len(res.Items), len(res.Items) > 0 && res.Items[0].BuiltIn)
	}
}

func TestMock_runScopedListing(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	seeded := m.SeedSubnets(120, "r-")
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	for _, s := range seeded {
		got, err := c.LookupSubnet(ctx, s.ID)
		if err != nil || got.Name != s.Name {
			t.Fatalf("LookupSubnet(%s) = %+v, %v", s.ID, got, err)
		}
	}
	mustEqual(t, "list requests for 120 reads", m.Stats().Routes["POST /api/v1/subnet/"], 2)
}

func TestMock_ambiguousCreateIsResolvedByName(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/create_rule/", Status: 503, Count: 1, After: true})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	_, err := c.CreateSubnet(ctx, SubnetInput{Name: "edge", Category: 1, Subnets: []string{"10.2.0.0/16"}})
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want ambiguous", err)
	}
	mustEqual(t, "creates the mock saw", m.Stats().Routes["POST /api/v1/subnet/create_rule/"], 1)
	s, err := c.FindSubnetByName(ctx, "edge")
	if err != nil {
		t.Fatalf("the create happened behind the 503, so the name must be found: %v", err)
	}
	if _, ok := m.Subnet(s.ID); !ok {
		t.Errorf("found %s, which the mock does not hold", s.ID)
	}
}

func TestMock_droppedListIsRetried(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Drop: true, Count: 1})
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Status: 502, Count: 1})
	c, _, _ := mockClient(t, m)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "list requests", m.Stats().Routes["POST /api/v1/subnet/"], 3)
}

func TestMock_throttleIsWaitedOut(t *testing.T) {
	clk := newAutoClock()
	m := startMock(t, mockserver.Options{Rate: 5, Now: clk.Now})
	c, _, _ := mockClient(t, m, func(cfg *Config) { cfg.Clock = clk; cfg.RequestsPerMinute = 100 })
	for i := range 10 {
		if _, err := c.ListSubnets(context.Background(), SubnetQuery{Max: 1}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	mustEqual(t, "429s", m.Stats().Throttled, 1)
	mustEqual(t, "client's count of 429s", c.Stats().Throttled, int64(1))
	mustEqual(t, "time spent", clk.Now().Sub(clockEpoch), time.Minute)
}

func TestMock_limiterAvoidsThrottling(t *testing.T) {
	clk := newAutoClock()
	m := startMock(t, mockserver.Options{Rate: 5, Now: clk.Now})
	c, _, _ := mockClient(t, m, func(cfg *Config) { cfg.Clock = clk; cfg.RequestsPerMinute = 5 })
	for i := range 12 {
		if _, err := c.ListSubnets(context.Background(), SubnetQuery{Max: 1}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	mustEqual(t, "429s", m.Stats().Throttled, 0)
	mustEqual(t, "time spent", clk.Now().Sub(clockEpoch), 2*time.Minute)
}

func TestMock_unknownSubnetIsNotFound(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	if _, err := c.getSubnet(ctx, "000000000000000000000bad"); !IsNotFound(err) {
		t.Errorf("getSubnet: err = %v, want not found", err)
	}
	err := c.UpdateSubnet(ctx, "000000000000000000000bad", SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if !IsNotFound(err) {
		t.Errorf("UpdateSubnet: err = %v, want not found", err)
	}
}

func TestMock_duplicateNameIsAFieldError(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	in := SubnetInput{Name: "dup", Category: 1, Subnets: []string{"10.3.0.0/16"}}
	if _, err := c.CreateSubnet(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Subnets = []string{"10.4.0.0/16"}
	_, err := c.CreateSubnet(ctx, in)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Field != "name" || apiErr.Message == "" {
		t.Fatalf("err = %#v, want a 400 naming the field", err)
	}
	if IsAmbiguous(err) {
		t.Error("a 400 is a clear answer, not an ambiguous one")
	}
}

// An idempotent write or a read meets a transient failure, before or after the mock
// acted, and is repeated until it succeeds: the outcome is as if it had been sent once.
func TestMock_idempotentOperationsAreRetried(t *testing.T) {
	faults := map[string]mockserver.Fault{
		"502":                     {Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"},
		"500 after acting":        {Status: 500, After: true},
		"503 with Retry-After":    {Status: 503, Headers: map[string]string{"Retry-After": "7"}},
		"dropped":                 {Drop: true},
		"dropped after acting":    {Drop: true, After: true},
		"504 after acting, twice": {Status: 504, After: true, Count: 2},
		"429 with Retry-After":    {Status: 429, Headers: map[string]string{"Retry-After": "3"}},
	}
	type op struct {
		match string
		run   func(ctx context.Context, c *Client) error
		check func(t *testing.T) // the mock's state after the operation
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			m := startMock(t, mockserver.Options{})
			ctx := context.Background()
			s, err := m.AddSubnet("keep", 1, []string{"10.9.0.0/16"})
			if err != nil {
				t.Fatal(err)
			}
			gone, err := m.AddSubnet("gone", 1, []string{"10.8.0.0/16"})
			if err != nil {
				t.Fatal(err)
			}
			alert := m.Alerts()[0]
			unread := m.Alerts()[1]
			ops := map[string]op{
				"update": {"POST /api/v1/subnet/" + s.ID + "/update_rule/",
					func(ctx context.Context, c *Client) error {
						return c.UpdateSubnet(ctx, s.ID, SubnetInput{Name: "kept", Category: 1, Subnets: []string{"10.9.0.0/16"}})
					},
					func(t *testing.T) {
						if got, _ := m.Subnet(s.ID); got.Name != "kept" {
							t.Errorf("the mock holds %+v, want it renamed", got)
						}
					}},
				"delete": {"DELETE /api/v1/subnet/" + gone.ID + "/",
					func(ctx context.Context, c *Client) error {
						// A repeated delete that answers a JSON 404 proves an earlier one worked.
						if err := c.DeleteSubnet(ctx, gone.ID); err != nil && !IsNotFound(err) {
							return err
						}
						return nil
					},
					func(t *testing.T) {
						if _, ok := m.Subnet(gone.ID); ok {
							t.Error("the range is still there")
						}
					}},
				"read": {"GET /api/v1/subnet/" + s.ID + "/",
					func(ctx context.Context, c *Client) error { _, err := c.getSubnet(ctx, s.ID); return err },
					func(t *testing.T) {}},
				"list": {"POST /api/v1/subnet/",
					func(ctx context.Context, c *Client) error { _, err := c.LookupSubnet(ctx, s.ID); return err },
					func(t *testing.T) {}},
				"close": {"POST /api/v1/alerts/close_true_positive/",
					func(ctx context.Context, c *Client) error {
						return c.CloseAlert(ctx, CloseTruePositive, alert.ID, CloseOptions{})
					},
					func(t *testing.T) {
						if got, _ := m.Alert(alert.ID); got.Resolution == 0 {
							t.Errorf("the alert is still open: %+v", got)
						}
					}},
				"mark read": {"POST /api/v1/alerts/" + unread.ID + "/read/",
					func(ctx context.Context, c *Client) error { return c.MarkAlertRead(ctx, unread.ID) },
					func(t *testing.T) {
						if got, _ := m.Alert(unread.ID); got.Status != 1 {
							t.Errorf("the alert's status is %d, want 1 (read)", got.Status)
						}
					}},
			}
			for opName, o := range ops {
				c, clk, _ := mockClient(t, m)
				fault := f
				fault.Match = o.match
				m.AddFault(fault)
				if err := o.run(ctx, c); err != nil {
					t.Errorf("%s: %v", opName, err)
					continue
				}
				o.check(t)
				if f.Headers["Retry-After"] != "" {
					want, _ := time.ParseDuration(f.Headers["Retry-After"] + "s")
					if w := clk.Waits(); !slices.Contains(w, want) {
						t.Errorf("%s: waits %v, want the Retry-After %s among them", opName, w, want)
					}
				}
			}
			if left := m.Faults(); len(left) != 0 {
				t.Errorf("faults not spent: %+v", left)
			}
		})
	}
}

// A write that keeps failing after the mock acted is reported as one that may have taken
// effect, with the number of times it was sent, for 5xx answers as for drops.
func TestMock_writeThatFailsAfterActingIsAmbiguous(t *testing.T) {
	for name, f := range map[string]mockserver.Fault{
		"503":     {Status: 503, After: true, Count: 10},
		"dropped": {Drop: true, After: true, Count: 10},
	} {
		t.Run(name, func(t *testing.T) {
			m := startMock(t, mockserver.Options{})
			s, err := m.AddSubnet("before", 1, []string{"10.9.0.0/16"})
			if err != nil {
				t.Fatal(err)
			}
			f.Match = "POST /api/v1/subnet/{id}/update_rule/"
			m.AddFault(f)
			c, _, _ := mockClient(t, m, func(cfg *Config) { cfg.MaxRetries = 2 })
			err = c.UpdateSubnet(context.Background(), s.ID, SubnetInput{Name: "after", Category: 1, Subnets: []string{"10.9.0.0/16"}})
			var amb *AmbiguousError
			if !errors.As(err, &amb) {
				t.Fatalf("err = %v, want an AmbiguousError", err)
			}
			for _, want := range []string{"update IP range may have taken effect", "sent 3 times"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to say %q", err, want)
				}
			}
			mustEqual(t, "update requests", m.Stats().Routes["POST /api/v1/subnet/{id}/update_rule/"], 3)
			if got, _ := m.Subnet(s.ID); got.Name != "after" {
				t.Errorf("the mock holds %q: the fault was meant to come after the update", got.Name)
			}
		})
	}
}

// A create keeps its rule: after a 503 it is not repeated, and the error says it may have
// taken effect.
func TestMock_createIsNotRepeatedAfterA5xx(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/create_rule/", Status: 500, Count: 5})
	c, _, _ := mockClient(t, m)
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "one", Category: 1, Subnets: []string{"10.2.0.0/16"}})
	if !IsAmbiguous(err) || !strings.Contains(err.Error(), "may have taken effect") {
		t.Fatalf("err = %v, want an ambiguous create", err)
	}
	mustEqual(t, "creates sent", m.Stats().Routes["POST /api/v1/subnet/create_rule/"], 1)
}

// A Retry-After past MaxRetryAfter is not waited out: the operation fails at once and
// names the wait MDA asked for.
func TestMock_retryAfterPastTheCapFailsAtOnce(t *testing.T) {
	for _, status := range []int{429, 503} {
		m := startMock(t, mockserver.Options{})
		m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Status: status, Headers: map[string]string{"Retry-After": "900"}})
		c, clk, _ := mockClient(t, m)
		_, err := c.ListSubnets(context.Background(), SubnetQuery{})
		if err == nil || !strings.Contains(err.Error(), "MDA asked to wait 15m0s") || !strings.Contains(err.Error(), "try again later") {
			t.Errorf("%d: err = %v, want it to name the 15m wait", status, err)
		}
		mustEqual(t, "requests", m.Stats().Routes["POST /api/v1/subnet/"], 1)
		for _, w := range clk.Waits() {
			if w > MaxRetryAfter {
				t.Errorf("%d: waited %s", status, w)
			}
		}
	}
}
