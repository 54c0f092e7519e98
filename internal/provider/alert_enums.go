package provider

import (
	"fmt"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// Alert enums, as words in Terraform and numbers in the API (mda-api.md 3.1 and 3.3).
// Each table is written once, name -> code; the word lists keep code order for
// validators and docs.

var severityCodes = map[string]int{
	"low":           0,
	"medium":        1,
	"high":          2,
	"informational": 3,
}

var (
	severityNames = invert(severityCodes)
	severityWords = []string{"low", "medium", "high", "informational"}
)

var alertStatusCodes = map[string]int{
	"unread":   0,
	"read":     1,
	"archived": 2,
}

var alertStatusNames = invert(alertStatusCodes)

// resolutionOpen is the resolutionStatusValue of an alert nobody has closed; every other
// value means closed, the legacy dismissed and resolved included.
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
	resolutionWords = []string{"open", "dismissed", "resolved", "false_positive", "benign", "true_positive"}
)

// closeKinds are the resolutions the provider can set: one close endpoint each. The
// legacy dismissed and resolved are mapped by MDA onto false positive and true positive,
// so they are not offered.
var closeKinds = map[string]mda.CloseKind{
	"benign":         mda.CloseBenign,
	"false_positive": mda.CloseFalsePositive,
	"true_positive":  mda.CloseTruePositive,
}

var closeResolutionWords = []string{"benign", "false_positive", "true_positive"}

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

// closeReasonWords lists each resolution's reasons in code order, for messages and docs.
var closeReasonWords = map[string][]string{
	"benign":         {"actual_severity_lower", "other", "confirmed_with_end_user", "triggered_by_test"},
	"false_positive": {"not_of_interest", "too_many_similar_alerts", "alert_not_accurate", "other"},
	"true_positive":  nil,
}

// allCloseReasonWords is every reason word once, for the attribute's OneOf validator; the
// pairing with the resolution is checked by the resource's ValidateConfig.
var allCloseReasonWords = []string{
	"actual_severity_lower", "other", "confirmed_with_end_user", "triggered_by_test",
	"not_of_interest", "too_many_similar_alerts", "alert_not_accurate",
}

// enumWord names a code; a code this provider does not know is shown as "unknown_<n>"
// rather than failing a whole listing, so a value MDA adds later is still visible.
func enumWord(names map[int]string, code int) string {
	if w, ok := names[code]; ok {
		return w
	}
	return fmt.Sprintf("unknown_%d", code)
}
