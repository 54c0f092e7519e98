package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// A large pull says at INFO, before it starts, how many requests it may send and how long
// the rate limit will stretch them; a one-page listing says nothing.
func TestActivitiesDataSource_logsCost(t *testing.T) {
	c, err := mda.New(mda.Config{PortalURL: "https://contoso.us3.portal.cloudappsecurity.com", APIToken: "t", RequestsPerMinute: 30})
	if err != nil {
		t.Fatal(err)
	}
	d := &activitiesDataSource{client: c}
	for _, tc := range []struct {
		max  int
		want []string
	}{
		{100, nil},
		{1000, []string{"up to 1000 activities (skip and limit) takes up to 10 requests"}},
		{5000, []string{"up to 5000 activities (scan mode) takes up to 50 requests", "at 30 requests a minute", "at least 1m0s"}},
		{20000, []string{"200 requests", "at least 6m0s"}},
	} {
		var buf bytes.Buffer
		d.logCost(tflogtest.RootLogger(context.Background(), &buf), tc.max)
		entries, err := tflogtest.MultilineJSONDecode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == nil {
			if len(entries) != 0 {
				t.Errorf("max %d: logged %v, want nothing", tc.max, entries)
			}
			continue
		}
		if len(entries) != 1 || entries[0]["@level"] != "info" {
			t.Fatalf("max %d: got %v, want one INFO entry", tc.max, entries)
		}
		msg, _ := entries[0]["@message"].(string)
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("max %d: message %q lacks %q", tc.max, msg, w)
			}
		}
	}
}
