package provider

import (
	"context"
	"testing"
)

func TestCanonicalCIDR(t *testing.T) {
	cases := map[string]string{
		"10.0.0.0/8":                    "10.0.0.0/8",
		"10.0.0.1/8":                    "10.0.0.0/8",
		"10.1.2.3":                      "10.1.2.3/32",
		"10.1.2.3/32":                   "10.1.2.3/32",
		"2001:db8::/32":                 "2001:db8::/32",
		"2001:0db8:0000:0000::/32":      "2001:db8::/32",
		"2001:DB8:0:0:0:0:0:1":          "2001:db8::1/128",
		"2001:db8::1":                   "2001:db8::1/128",
		"2001:db8:0:0:0:0:0:1/128":      "2001:db8::1/128",
		"2001:db8:abcd:12::ffff/64":     "2001:db8:abcd:12::/64",
		"0.0.0.0/0":                     "0.0.0.0/0",
		"::/0":                          "::/0",
		"192.168.2.0/16":                "192.168.0.0/16",
		"2001:0db8:85a3::8a2e:370:7334": "2001:db8:85a3::8a2e:370:7334/128",
	}
	for in, want := range cases {
		got, err := canonicalCIDR(in)
		if err != nil {
			t.Errorf("canonicalCIDR(%q): unexpected error %s", in, err)
			continue
		}
		if got != want {
			t.Errorf("canonicalCIDR(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", " 10.0.0.0/8", "10.0.0.0/33", "10.0.0/8", "300.1.1.1", "2001:db8::/129",
		"fe80::1%eth0", "010.0.0.1", "not-an-ip", "10.0.0.0/-1", "10.0.0.0/"} {
		if got, err := canonicalCIDR(bad); err == nil {
			t.Errorf("canonicalCIDR(%q) = %q, want an error", bad, got)
		}
	}
}

func TestCIDRSetSemanticEquals(t *testing.T) {
	ctx := context.Background()
	set := func(elems ...string) cidrSetValue {
		v, diags := newCIDRSetValue(ctx, elems)
		if diags.HasError() {
			t.Fatalf("building set: %v", diags)
		}
		return v
	}
	cases := []struct {
		name  string
		prior cidrSetValue
		new   cidrSetValue
		equal bool
	}{
		{"host bits", set("10.0.0.1/8"), set("10.0.0.0/8"), true},
		{"bare v4", set("10.1.2.3"), set("10.1.2.3/32"), true},
		{"bare v6", set("2001:db8::1"), set("2001:db8::1/128"), true},
		{"expanded v6", set("2001:db8::/32"), set("2001:0db8:0000:0000:0000:0000:0000:0000/32"), true},
		{"order", set("10.0.0.0/8", "192.168.0.0/16"), set("192.168.0.0/16", "10.0.0.0/8"), true},
		{"repeats", set("10.0.0.0/8", "10.0.0.1/8"), set("10.0.0.0/8"), true},
		{"different network", set("10.0.0.0/8"), set("10.0.0.0/16"), false},
		{"extra network", set("10.0.0.0/8"), set("10.0.0.0/8", "10.1.0.0/16"), false},
		{"v4 vs v6", set("10.1.2.3"), set("::ffff:10.1.2.3"), false},
	}
	for _, tc := range cases {
		got, diags := tc.prior.SetSemanticEquals(ctx, tc.new)
		if diags.HasError() {
			t.Fatalf("%s: %v", tc.name, diags)
		}
		if got != tc.equal {
			t.Errorf("%s: SetSemanticEquals = %t, want %t", tc.name, got, tc.equal)
		}
	}
}

func TestDedupeCIDRs(t *testing.T) {
	got := dedupeCIDRs([]string{"10.0.0.1/8", "10.0.0.0/8", "10.1.2.3", "10.1.2.3/32", "2001:db8::/32"})
	want := []string{"10.0.0.1/8", "10.1.2.3", "2001:db8::/32"}
	if len(got) != len(want) {
		t.Fatalf("dedupeCIDRs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("dedupeCIDRs = %v, want %v", got, want)
		}
	}
}
