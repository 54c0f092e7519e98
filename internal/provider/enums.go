package provider

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// Enums are words in Terraform and numbers in the API (mda-api.md 2.1, 3.1 and 3.3).
// Each table is written once, as name -> code; the reverse tables and the word lists (in
// code order, for validators and messages) are derived from it, so they cannot disagree.

var categoryCodes = map[string]int{
	"corporate":      1,
	"administrative": 2,
	"risky":          3,
	"vpn":            4,
	"cloud_provider": 5,
	"other":          6,
}

var (
	categoryNames = invert(categoryCodes)
	categoryWords = wordsByCode(categoryCodes)
)

var severityCodes = map[string]int{
	"low":           0,
	"medium":        1,
	"high":          2,
	"informational": 3,
}

var (
	severityNames = invert(severityCodes)
	severityWords = wordsByCode(severityCodes)
)

var alertStatusCodes = map[string]int{
	"unread":   0,
	"read":     1,
	"archived": 2,
}

var alertStatusNames = invert(alertStatusCodes)

// resolutionOpen is the resolutionStatusValue of an alert nobody has closed; every other
// value means closed, the legacy dismissed and resolved included. "resolved" (legacy code
// 2) is also the word for a closed alert MDA sends without a code (mda.Alert
// ResolutionInferred): it already means "closed, no classification recorded", it is
// closed for every check here, and no configuration can ask for it (closeKinds), so
// such an alert is never closed twice.
const resolutionOpen = 0

var resolutionCodes = map[string]int{
	"open":           resolutionOpen,
	"dismissed":      1,
	"resolved":       2,
	"false_positive": 3,
	"benign":         4,
	"true_positive":  5,
}

var (
	resolutionNames = invert(resolutionCodes)
	resolutionWords = wordsByCode(resolutionCodes)
)

// closeKinds are the resolutions the provider can set: one close endpoint each. The
// legacy dismissed and resolved are mapped by MDA onto false positive and true positive,
// so they are not offered.
var closeKinds = map[string]mda.CloseKind{
	"benign":         mda.CloseBenign,
	"false_positive": mda.CloseFalsePositive,
	"true_positive":  mda.CloseTruePositive,
}

var closeResolutionWords = slices.Sorted(maps.Keys(closeKinds))

// closeReasonCodes are the reasonId values each close endpoint accepts. The codes are
// shared between endpoints but not their meanings, so a reason is only valid with its
// resolution; true positive takes none.
var closeReasonCodes = map[string]map[string]int{
	"benign": {
		"actual_severity_lower":   2,
		"other":                   4,
		"confirmed_with_end_user": 5,
		"triggered_by_test":       6,
	},
	"false_positive": {
		"not_of_interest":         0,
		"too_many_similar_alerts": 1,
		"alert_not_accurate":      3,
		"other":                   4,
	},
	"true_positive": {},
}

// closeReasonWords lists each resolution's reasons in code order, for messages.
var closeReasonWords = func() map[string][]string {
	out := make(map[string][]string, len(closeReasonCodes))
	for res, codes := range closeReasonCodes {
		out[res] = wordsByCode(codes)
	}
	return out
}()

// allCloseReasonWords is every reason word once, for the attribute's OneOf validator; the
// pairing with the resolution is checked by the resource's ValidateConfig.
var allCloseReasonWords = func() []string {
	var all []string
	for _, res := range closeResolutionWords {
		for _, w := range closeReasonWords[res] {
			if !slices.Contains(all, w) {
				all = append(all, w)
			}
		}
	}
	return all
}()

func invert(m map[string]int) map[int]string {
	out := make(map[int]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// wordsByCode lists a table's words in code order.
func wordsByCode(codes map[string]int) []string {
	return slices.SortedFunc(maps.Keys(codes), func(a, b string) int { return cmp.Compare(codes[a], codes[b]) })
}

// enumWord names a code; a code this provider does not know is shown as "unknown_<n>"
// rather than failing a whole listing, so a value MDA adds later is still visible.
func enumWord(names map[int]string, code int) string {
	if w, ok := names[code]; ok {
		return w
	}
	return fmt.Sprintf("unknown_%d", code)
}
