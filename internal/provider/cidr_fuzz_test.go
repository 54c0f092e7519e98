package provider

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// FuzzCIDREquality holds our subnet equality against the mock's normalisation, which is
// written from the API document and shares no code with cidr.go. MDA compares what it
// stores (mask and address), so two spellings are one network for us exactly when the
// mock stores them alike. The two places where we knowingly differ are explained at
// checkCIDRValidity and mappedIPv4Pair; anything else the fuzzer finds is a bug on one side.
func FuzzCIDREquality(f *testing.F) {
	ctx := context.Background()
	mock := newMockNormalizer(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		ca, errA := canonicalCIDR(a)
		cb, errB := canonicalCIDR(b)
		na, okA := mock.normalize(a)
		nb, okB := mock.normalize(b)

		checkCIDRValidity(t, a, ca, errA, na, okA)
		checkCIDRValidity(t, b, cb, errB, nb, okB)
		if errA != nil || errB != nil {
			return
		}

		setA, diags := newCIDRSetValue(ctx, []string{a})
		setB, diagsB := newCIDRSetValue(ctx, []string{b})
		diags.Append(diagsB...)
		if diags.HasError() {
			t.Fatalf("building sets: %v", diags)
		}
		ours, diags := setA.SetSemanticEquals(ctx, setB)
		if diags.HasError() {
			t.Fatalf("SetSemanticEquals(%q, %q): %v", a, b, diags)
		}
		if ours != (ca == cb) {
			t.Fatalf("SetSemanticEquals(%q, %q) = %t, but the canonical forms are %s and %s", a, b, ours, ca, cb)
		}
		if n := len(dedupeCIDRs([]string{a, b})); (n == 1) != ours {
			t.Fatalf("dedupeCIDRs(%q, %q) keeps %d, but SetSemanticEquals = %t", a, b, n, ours)
		}

		theirs := na == nb
		switch {
		case ours && !theirs:
			// The dangerous direction: a real change on the server would be hidden.
			t.Fatalf("we take %q and %q as one network (%s), the mock stores %+v and %+v", a, b, ca, na, nb)
		case theirs && !ours && !mappedIPv4Pair(a, b):
			t.Fatalf("the mock stores %q and %q alike (%+v), we see %s and %s", a, b, na, ca, cb)
		}
	})
}

// checkCIDRValidity asks that we accept what the mock accepts, and nothing more: what we
// accept at plan time must not fail at apply time. The one exception is a prefix length
// with a leading zero (10.0.0.0/08), which the mock reads as a number and netip refuses;
// the validator then asks for the plain spelling, which costs nothing at apply time.
func checkCIDRValidity(t *testing.T, s, ours string, ourErr error, theirs mockserver.SubnetCIDR, theyAccept bool) {
	t.Helper()
	if ourErr == nil && !theyAccept {
		t.Fatalf("we accept %q (as %s), the mock refuses it", s, ours)
	}
	if ourErr != nil && theyAccept && !leadingZeroBits(s) {
		t.Fatalf("the mock accepts %q (as %+v), we refuse it: %v", s, theirs, ourErr)
	}
}

// mappedIPv4Pair is where our equality is deliberately stricter than the mock's: an IPv4
// address and its IPv4-mapped IPv6 spelling (10.1.2.3 and ::ffff:10.1.2.3). MDA stores
// IPv4 on the IPv6 scale, so the mock stores both alike, but whether the API equates
// them is not documented, and a user who switches spelling may mean it: the cost is a
// visible plan diff, never a hidden change.
func mappedIPv4Pair(a, b string) bool {
	return (isIPv4(a) && isMappedIPv4(b)) || (isMappedIPv4(a) && isIPv4(b))
}

func hostPart(s string) (netip.Addr, bool) {
	host, _, _ := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(host)
	return addr, err == nil
}

func isIPv4(s string) bool {
	a, ok := hostPart(s)
	return ok && a.Is4()
}

func isMappedIPv4(s string) bool {
	a, ok := hostPart(s)
	return ok && a.Is4In6()
}

func leadingZeroBits(s string) bool {
	_, bits, ok := strings.Cut(s, "/")
	return ok && len(bits) > 1 && bits[0] == '0'
}

// mockNormalizer reaches the mock's normalisation through its out-of-band edit, which
// derives mask and address from each original string the way create_rule does.
type mockNormalizer struct {
	srv *mockserver.Server
	id  string
}

func newMockNormalizer(tb testing.TB) mockNormalizer {
	srv := mockserver.New(mockserver.Options{})
	sn, err := srv.AddSubnet("fuzz", 1, []string{"192.0.2.0/24"})
	if err != nil {
		tb.Fatal(err)
	}
	return mockNormalizer{srv: srv, id: sn.ID}
}

// normalize returns the mask and address the mock stores for s, with OriginalString
// cleared so that two spellings compare by meaning; false when the mock refuses s.
func (m mockNormalizer) normalize(s string) (mockserver.SubnetCIDR, bool) {
	if err := m.srv.EditSubnet(m.id, func(e *mockserver.Subnet) { e.SetSubnets(s) }); err != nil {
		return mockserver.SubnetCIDR{}, false
	}
	got, _ := m.srv.Subnet(m.id)
	c := got.Subnets[0]
	c.OriginalString = ""
	return c, true
}
