package mockserver

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SubnetCIDR is one entry of a range's "subnets" as the API stores it (mda-api.md 2.1):
// OriginalString is exactly what was sent, Mask and Address are on the IPv6 scale.
type SubnetCIDR struct {
	Mask           int    `json:"mask"`
	Address        string `json:"address"`
	OriginalString string `json:"originalString"`
}

// normalizeSubnet computes the stored form of one subnet string:
//
//	IPv4 a.b.c.d/p -> mask p+96, address ::ffff:a.b.c.d with host bits zeroed, as 8 groups
//	                  of 4 lower-case hex digits (confirmed by the docs and MCASPS)
//	bare IPv4      -> mask 128 (SECOPS)
//	IPv6 x/p       -> mask p, the expanded address with host bits zeroed ([I]: no example)
//	bare IPv6      -> mask 128
//
// It also returns the prefix on the 128-bit scale, for overlap checks. What the server
// rejects is [U]; the mock refuses what is not an address or CIDR, including zones,
// whitespace and prefixes longer than the family allows. Host bits set are fine: the
// docs' own example is 192.168.2.0/16.
func normalizeSubnet(s string) (SubnetCIDR, netip.Prefix, error) {
	bad := fmt.Errorf("%s is not a valid IP address or CIDR", s)
	if s == "" || strings.ContainsAny(s, " \t\r\n%") {
		return SubnetCIDR{}, netip.Prefix{}, bad
	}
	host, bits, hasBits := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return SubnetCIDR{}, netip.Prefix{}, bad
	}
	prefix := addr.BitLen()
	if hasBits {
		n, err := strconv.Atoi(bits)
		if err != nil || bits == "" || bits[0] == '+' || bits[0] == '-' || n > addr.BitLen() {
			return SubnetCIDR{}, netip.Prefix{}, bad
		}
		prefix = n
	}
	mask := prefix
	if addr.Is4() {
		mask += 96
	}
	p := netip.PrefixFrom(netip.AddrFrom16(addr.As16()), mask).Masked()
	return SubnetCIDR{Mask: mask, Address: expandAddress(p.Addr()), OriginalString: s}, p, nil
}

// expandAddress writes a 128-bit address as 8 groups of 4 lower-case hex digits, the
// API's spelling (never "::" compression, never dotted IPv4).
func expandAddress(a netip.Addr) string {
	b := a.As16()
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x%02x", b[i], b[i+1])
	}
	return sb.String()
}

// cidrPrefix rebuilds the 128-bit prefix of a stored entry.
func cidrPrefix(c SubnetCIDR) (netip.Prefix, bool) {
	_, p, err := normalizeSubnet(c.OriginalString)
	return p, err == nil
}
