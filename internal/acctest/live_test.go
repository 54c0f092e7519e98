package acctest

import (
	"regexp"
	"slices"
	"testing"
)

func TestLiveAlertIDs(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want []string
	}{
		"nothing set":          {env: map[string]string{}},
		"alerts without live":  {env: map[string]string{EnvLiveAlerts: "1", EnvLiveAlertIDs: "a1"}},
		"live only":            {env: map[string]string{EnvLive: "1"}},
		"ids without alerts=1": {env: map[string]string{EnvLive: "1", EnvLiveAlertIDs: "a1"}},
		"alerts=true is not 1": {env: map[string]string{EnvLive: "1", EnvLiveAlerts: "true", EnvLiveAlertIDs: "a1"}},
		"alerts=1 without ids": {env: map[string]string{EnvLive: "1", EnvLiveAlerts: "1"}},
		"ids only commas":      {env: map[string]string{EnvLive: "1", EnvLiveAlerts: "1", EnvLiveAlertIDs: " , ,"}},
		"both set": {
			env:  map[string]string{EnvLive: "1", EnvLiveAlerts: "1", EnvLiveAlertIDs: " a1, b2 ,,"},
			want: []string{"a1", "b2"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ids, skip := LiveAlertIDs(func(k string) string { return tc.env[k] })
			if !slices.Equal(ids, tc.want) {
				t.Errorf("ids = %q, want %q", ids, tc.want)
			}
			if (skip == "") != (tc.want != nil) {
				t.Errorf("skip reason %q with ids %q", skip, ids)
			}
		})
	}
}

func TestLiveSkips(t *testing.T) {
	for _, live := range []string{"", "0", "1"} {
		t.Setenv(EnvLive, live)
		var unless, ifLive bool
		t.Run("unless", func(t *testing.T) { SkipUnlessLive(t); unless = true })
		t.Run("if", func(t *testing.T) { SkipIfLive(t, "needs the mock"); ifLive = true })
		if unless != (live == "1") || ifLive != (live != "1") {
			t.Errorf("MDA_LIVE=%q: SkipUnlessLive ran the test: %v, SkipIfLive ran it: %v", live, unless, ifLive)
		}
	}
}

func TestLivePrefix(t *testing.T) {
	a, b := LivePrefix(), LivePrefix()
	if !regexp.MustCompile(`^tfacc-[a-z0-9]{10}-$`).MatchString(a) || a == b {
		t.Errorf("LivePrefix gave %q and %q; want two different tfacc-<random>- prefixes", a, b)
	}
}
