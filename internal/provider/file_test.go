package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// TestFileWords names the [code, NAME] pairs: the type and sharing by code (the filters'
// scale), the status by MDA's own name, and a pair MDA left out as null.
func TestFileWords(t *testing.T) {
	none := mda.CodeName{Code: -1}
	cases := []struct {
		name string
		got  types.String
		want types.String
	}{
		{"type by code", codeWord(mda.CodeName{Code: 2, Name: "SPREADSHEET"}, fileTypeNames), types.StringValue("spreadsheet")},
		{"code wins over name", codeWord(mda.CodeName{Code: 4, Name: "PUBLIC"}, sharingNames), types.StringValue("public_internet")},
		{"name only", codeWord(mda.CodeName{Code: -1, Name: "IMAGE"}, fileTypeNames), types.StringValue("image")},
		{"unknown code", codeWord(mda.CodeName{Code: 9}, sharingNames), types.StringValue("unknown_9")},
		{"absent", codeWord(none, fileTypeNames), types.StringNull()},
		{"status by name", statusWord(mda.CodeName{Code: 1, Name: "TRASHED"}), types.StringValue("trashed")},
		{"status 0 without name", statusWord(mda.CodeName{Code: 0}), types.StringValue("exists")},
		{"status unknown code", statusWord(mda.CodeName{Code: 7}), types.StringValue("unknown_7")},
		{"status absent", statusWord(none), types.StringNull()},
	}
	for _, c := range cases {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
	m := fileDataFromAPI(mda.File{ID: "5f077e6fc3b664209dae1f6b", Type: none, Sharing: none, Status: none})
	if !m.Created.IsNull() || !m.Modified.IsNull() || !m.RawJSON.IsNull() || m.Domains == nil || m.Labels == nil || m.Collaborators == nil {
		t.Errorf("a file with no times, lists or raw JSON: %+v", m)
	}
}
