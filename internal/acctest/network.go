package acctest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
)

// ForbidLinkLocal makes http.DefaultTransport refuse connections to link-local addresses,
// such as the instance metadata service at 169.254.169.254, and returns a function that
// counts the attempts. Call it from TestMain before any test runs: the MDA client clones
// http.DefaultTransport, so every client a test builds inherits the refusal, and a
// managed-identity test that fell back to the real endpoint fails instead of hanging on a
// laptop or reaching a real identity on an Azure runner. TestMain should fail the run
// when the count is not zero, so that a test expecting an error cannot pass by hitting
// the refusal.
func ForbidLinkLocal() (attempts func() int64) {
	var n atomic.Int64
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		panic("acctest: http.DefaultTransport is not an *http.Transport")
	}
	dial := t.DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err == nil && ip != nil && ip.IsLinkLocalUnicast() {
			n.Add(1)
			return nil, errors.New("acctest: tests must not reach link-local addresses such as the instance metadata service: " + addr)
		}
		return dial(ctx, network, addr)
	}
	return n.Load
}
