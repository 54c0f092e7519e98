package provider

// Enums are words in Terraform and numbers in the API. Each table is written once, as
// name -> code, and inverted at start-up so the two directions cannot disagree.

var categoryCodes = map[string]int{
	"corporate":      1,
	"administrative": 2,
	"risky":          3,
	"vpn":            4,
	"cloud_provider": 5,
	"other":          6,
}

var categoryNames = invert(categoryCodes)

// categoryWords lists the category names in code order, for validators and docs.
var categoryWords = []string{"corporate", "administrative", "risky", "vpn", "cloud_provider", "other"}

func invert(m map[string]int) map[int]string {
	out := make(map[int]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}
