package mockserver

import "testing"

func TestNormalizeSubnet(t *testing.T) {
	tests := []struct {
		in      string
		mask    int
		address string
	}{
		// The docs' and MCASPS's examples (mda-api.md 2.1).
		{"197.198.192.20/16", 112, "0000:0000:0000:0000:0000:ffff:c5c6:0000"},
		{"10.0.0.0/8", 104, "0000:0000:0000:0000:0000:ffff:0a00:0000"},
		{"1.1.1.1/32", 128, "0000:0000:0000:0000:0000:ffff:0101:0101"},
		{"192.168.2.0/16", 112, "0000:0000:0000:0000:0000:ffff:c0a8:0000"}, // host bits set: accepted, zeroed
		{"192.168.1.0/24", 120, "0000:0000:0000:0000:0000:ffff:c0a8:0100"},
		{"192.168.10.77", 128, "0000:0000:0000:0000:0000:ffff:c0a8:0a4d"}, // bare IPv4
		{"0.0.0.0/0", 96, "0000:0000:0000:0000:0000:ffff:0000:0000"},
		{"2001:db8::/32", 32, "2001:0db8:0000:0000:0000:0000:0000:0000"},                              // compressed
		{"2001:0DB8:0000:0000:0000:0000:0000:0000/48", 48, "2001:0db8:0000:0000:0000:0000:0000:0000"}, // expanded, upper case
		{"2001:db8:abcd:1234::1/56", 56, "2001:0db8:abcd:1200:0000:0000:0000:0000"},                   // host bits zeroed
		{"2603:1000::1", 128, "2603:1000:0000:0000:0000:0000:0000:0001"},                              // bare IPv6
		{"::ffff:10.1.2.3/120", 120, "0000:0000:0000:0000:0000:ffff:0a01:0200"},                       // IPv4-mapped given as IPv6
		{"10.0.0.0/08", 104, "0000:0000:0000:0000:0000:ffff:0a00:0000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, _, err := normalizeSubnet(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := SubnetCIDR{Mask: tt.mask, Address: tt.address, OriginalString: tt.in}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestNormalizeSubnetRejects(t *testing.T) {
	for _, in := range []string{
		"", "10.0.0.0/33", "2001:db8::/129", "10.0.0.256", "10.0.0", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8/8", " 10.0.0.0/8", "10.0.0.0/8 ", "fe80::1%eth0", "example.com", "010.0.0.1", "10.0.0.0/abc",
	} {
		if got, _, err := normalizeSubnet(in); err == nil {
			t.Errorf("normalizeSubnet(%q) = %+v, want an error", in, got)
		}
	}
}
