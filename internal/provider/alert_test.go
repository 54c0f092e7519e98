package provider

import (
	"slices"
	"sort"
	"testing"
)

func TestNormalizeAlertID(t *testing.T) {
	for in, want := range map[string]string{
		"603f704aaf7417985bbf3b22":     "603f704aaf7417985bbf3b22",
		"ca603f704aaf7417985bbf3b22":   "603f704aaf7417985bbf3b22",
		"603F704AAF7417985BBF3B22":     "603f704aaf7417985bbf3b22",
		"caf3704aaf7417985bbf3b22":     "caf3704aaf7417985bbf3b22", // a plain id that begins with "ca"
		" ca603f704aaf7417985bbf3b22 ": "603f704aaf7417985bbf3b22",
	} {
		if got := normalizeAlertID(in); got != want {
			t.Errorf("normalizeAlertID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCloseReasonTables keeps the reason tables, their word lists and the validator's
// list in step.
func TestCloseReasonTables(t *testing.T) {
	var all []string
	for _, res := range closeResolutionWords {
		codes, ok := closeReasonCodes[res]
		if !ok {
			t.Fatalf("no reason table for %s", res)
		}
		words := closeReasonWords[res]
		if len(words) != len(codes) {
			t.Errorf("%s: %d reason words, %d codes", res, len(words), len(codes))
		}
		prev := -1
		for _, w := range words {
			code, ok := codes[w]
			if !ok || code <= prev {
				t.Errorf("%s: reason %q missing or out of code order", res, w)
			}
			prev = code
			if !slices.Contains(all, w) {
				all = append(all, w)
			}
		}
		if _, ok := closeKinds[res]; !ok {
			t.Errorf("no close endpoint for %s", res)
		}
	}
	sort.Strings(all)
	validator := slices.Clone(allCloseReasonWords)
	sort.Strings(validator)
	if !slices.Equal(all, validator) {
		t.Errorf("allCloseReasonWords = %v, want %v", validator, all)
	}
	for _, w := range resolutionWords {
		if _, ok := resolutionCodes[w]; !ok {
			t.Errorf("resolution word %q has no code", w)
		}
	}
	for _, w := range severityWords {
		if _, ok := severityCodes[w]; !ok {
			t.Errorf("severity word %q has no code", w)
		}
	}
}

func compareNames(t *testing.T, what string, schemaNames, modelNames []string) {
	t.Helper()
	sort.Strings(schemaNames)
	sort.Strings(modelNames)
	if !slices.Equal(schemaNames, modelNames) {
		t.Errorf("%s: schema has %v, model has %v", what, schemaNames, modelNames)
	}
}
