package mockserver

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestFileSeed checks that the seed holds what the data source's filters need to tell
// apart, and that it is the same for the same seed.
func TestFileSeed(t *testing.T) {
	m := newTestMock(t, Options{})
	files := m.Files()
	if len(files) != seededFiles {
		t.Fatalf("%d files, want %d", len(files), seededFiles)
	}
	types, sharing, status := map[int]int{}, map[int]int{}, map[int]int{}
	apps, instances, domains, labels, policies := map[int]int{}, map[int]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var quarantined, external, folders int
	for _, f := range files {
		types[f.Type]++
		sharing[f.Sharing]++
		status[f.Status]++
		apps[f.AppID]++
		instances[f.Instance]++
		for _, d := range f.Domains {
			domains[d]++
		}
		for _, l := range f.Labels {
			labels[l]++
		}
		for _, p := range f.PolicyIDs {
			policies[p]++
		}
		if f.Quarantined {
			quarantined++
		}
		if f.OwnerExternal {
			external++
		}
		if f.Type == fileTypeFolder {
			folders++
			if f.Extension != "" || f.MimeType != "" {
				t.Errorf("folder %s has extension %q, MIME type %q", f.Name, f.Extension, f.MimeType)
			}
		}
		if f.Modified < f.Created {
			t.Errorf("file %s modified before it was created", f.ID)
		}
	}
	for code := range 7 {
		if types[code] < 5 {
			t.Errorf("type %d: %d files", code, types[code])
		}
	}
	for code := range 5 {
		if sharing[code] < 5 {
			t.Errorf("sharing %d: %d files", code, sharing[code])
		}
	}
	for code := range 3 {
		if status[code] < 5 {
			t.Errorf("status %d: %d files", code, status[code])
		}
	}
	if len(apps) < 4 || instances[1] == 0 || quarantined == 0 || external == 0 || folders == 0 {
		t.Errorf("apps %v, instances %v, quarantined %d, external owners %d, folders %d", apps, instances, quarantined, external, folders)
	}
	for _, d := range []string{"contoso.com", "fabrikam.com", "gmail.com", "outlook.com"} {
		if domains[d] == 0 {
			t.Errorf("no file shared with %s", d)
		}
	}
	if len(labels) < 3 || policies[personalEmailPolicy] == 0 || policies[publicLabelPolicy] == 0 {
		t.Errorf("labels %v, policies %v", labels, policies)
	}
	if again := newTestMock(t, Options{}).Files(); !reflect.DeepEqual(again, files) {
		t.Error("the same seed gave different files")
	}
}

// TestFileList pages through the files, leaving deleted ones out unless allowDeleted
// says otherwise, and applies filters through the shared engine.
func TestFileList(t *testing.T) {
	m := newTestMock(t, Options{})
	all := m.Files()
	count := func(keep func(File) bool) int {
		n := 0
		for _, f := range all {
			if keep(f) {
				n++
			}
		}
		return n
	}
	list := func(filters map[string]any, skip int) envelope {
		t.Helper()
		var env envelope
		m.mustStatus(m.api("POST", "/api/v1/files/", map[string]any{"filters": filters, "skip": skip, "limit": 100}), 200).json(t, &env)
		return env
	}
	notDeleted := count(func(f File) bool { return f.Status != fileDeleted })
	var ids []string
	for skip := 0; ; skip += 100 {
		env := list(nil, skip)
		for _, d := range env.Data {
			ids = append(ids, str(d["_id"]))
		}
		if env.Total != notDeleted {
			t.Fatalf("total %d, want %d files that are not deleted", env.Total, notDeleted)
		}
		if !env.HasNext {
			break
		}
	}
	var want []string
	for _, f := range all {
		if f.Status != fileDeleted {
			want = append(want, f.ID)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("paged ids differ from Files() without deleted ones")
	}
	if env := list(map[string]any{"allowDeleted": map[string]any{"eq": true}}, 0); env.Total != len(all) {
		t.Errorf("allowDeleted: total %d, want %d", env.Total, len(all))
	}

	cases := []struct {
		name    string
		filters map[string]any
		keep    func(File) bool
	}{
		{"type", map[string]any{"fileType": map[string]any{"eq": []int{2, 6}}}, func(f File) bool { return f.Type == 2 || f.Type == 6 }},
		{"sharing", map[string]any{"sharing": map[string]any{"neq": []int{0}}}, func(f File) bool { return f.Sharing != 0 }},
		{"policy", map[string]any{"policy": map[string]any{"cabinetmatchedrulesequals": []string{personalEmailPolicy}}},
			func(f File) bool { return slices.Contains(f.PolicyIDs, personalEmailPolicy) }},
		{"owner ignores case", map[string]any{"owner.username": map[string]any{"eq": []string{"BOB@contoso.com"}}},
			func(f File) bool { return f.OwnerAddress == "bob@contoso.com" }},
		{"owner entity", map[string]any{"owner.entity": map[string]any{"eq": []map[string]any{{"id": "bob@contoso.com", "inst": 0, "saas": 15600}}}},
			func(f File) bool { return f.OwnerAddress == "bob@contoso.com" && f.Instance == 0 && f.AppID == 15600 }},
		{"domains", map[string]any{"collaborators.domains": map[string]any{"eq": []string{"gmail.com", "outlook.com"}}},
			func(f File) bool {
				return slices.Contains(f.Domains, "gmail.com") || slices.Contains(f.Domains, "outlook.com")
			}},
		{"trashed", map[string]any{"trashed": map[string]any{"eq": true}}, func(f File) bool { return f.Status == fileTrashed }},
		{"folder", map[string]any{"folder": map[string]any{"eq": "true"}}, func(f File) bool { return f.Type == fileTypeFolder }},
		{"quarantined", map[string]any{"quarantined": map[string]any{"eq": true}}, func(f File) bool { return f.Quarantined }},
		{"name text", map[string]any{"filename": map[string]any{"text": "PAYROLL"}}, func(f File) bool { return strings.Contains(f.Name, "payroll") }},
		{"modified", map[string]any{"modifiedDate": map[string]any{"gte": all[50].Modified}}, func(f File) bool { return f.Modified >= all[50].Modified }},
	}
	for _, c := range cases {
		want := count(func(f File) bool { return f.Status != fileDeleted && c.keep(f) })
		if want == 0 || want == notDeleted {
			t.Fatalf("%s: %d of %d files match, which proves nothing", c.name, want, notDeleted)
		}
		if env := list(c.filters, 0); env.Total != want {
			t.Errorf("%s: total %d, want %d", c.name, env.Total, want)
		}
	}
	r := m.api("POST", "/api/v1/files/", map[string]any{"filters": map[string]any{"policy": map[string]any{"eq": []string{"x"}}}})
	if errs := formErrorsOf(t, r, "filters"); !strings.Contains(errs[0].Error, "eq is not a valid operator for filter policy") {
		t.Errorf("policy eq: %+v", errs)
	}
}

// TestFileWire checks a file's JSON: [code, NAME] pairs, the keys that differ only by
// case, and null for a folder's MIME type and extension.
func TestFileWire(t *testing.T) {
	m := newTestMock(t, Options{})
	var folder, labelled File
	for _, f := range m.Files() {
		if f.Type == fileTypeFolder && folder.ID == "" {
			folder = f
		}
		if len(f.Labels) > 0 && f.Type != fileTypeFolder && labelled.ID == "" {
			labelled = f
		}
	}
	r := m.mustStatus(m.api("GET", "/api/v1/files/"+labelled.ID+"/", nil), 200)
	var raw map[string]json.RawMessage
	r.json(t, &raw)
	for key, want := range map[string]string{
		"fileType":        `[` + itoa(labelled.Type) + `,"` + fileTypeNames[labelled.Type] + `"]`,
		"fileAccessLevel": `[` + itoa(labelled.Sharing) + `,"` + fileAccessNames[labelled.Sharing] + `"]`,
		"fileStatus":      `[` + itoa(labelled.Status) + `,"` + fileStatusNames[labelled.Status] + `"]`,
		"createdDate":     itoa64(labelled.Created),
	} {
		if string(raw[key]) != want {
			t.Errorf("%s = %s, want %s", key, raw[key], want)
		}
	}
	for _, pair := range [][2]string{{"created", "Created"}, {"fTags", "ftags"}} {
		if raw[pair[0]] == nil || raw[pair[1]] == nil || string(raw[pair[0]]) == string(raw[pair[1]]) {
			t.Errorf("%s = %s and %s = %s: want both, different", pair[0], raw[pair[0]], pair[1], raw[pair[1]])
		}
	}
	var tags []string
	if err := json.Unmarshal(raw["fTags"], &tags); err != nil || !slices.Equal(tags, labelled.Labels) {
		t.Errorf("fTags = %s, want %v", raw["fTags"], labelled.Labels)
	}
	r = m.mustStatus(m.api("GET", "/cas/api/v1/files/"+strings.ToUpper(folder.ID), nil), 200)
	raw = nil
	r.json(t, &raw)
	if string(raw["mimeType"]) != "null" || string(raw["fileExtension"]) != "null" || string(raw["isFolder"]) != "true" {
		t.Errorf("folder: mimeType %s, fileExtension %s, isFolder %s", raw["mimeType"], raw["fileExtension"], raw["isFolder"])
	}
	m.mustStatus(m.api("POST", "/api/v1/files/"+folder.ID+"/", nil), 200)

	if r := m.mustStatus(m.api("GET", "/api/v1/files/0123456789abcdef01234567/", nil), 404); str(r.object(t)["detail"]) != "Not found." {
		t.Errorf("unknown file: %s", r.body)
	}
	formErrorsOf(t, m.api("GET", "/api/v1/files/not-an-id/", nil), "id")
}

// TestFileBearerRefused: the Files API answers an Entra application 403, whatever roles
// it holds, and a legacy token 200 (CloudAppSecurityDocs#605).
func TestFileBearerRefused(t *testing.T) {
	const app = "77777777-7777-7777-7777-777777777777"
	m := newTestMock(t, Options{Clients: []ClientCredential{{ID: app, Secret: clientSecret, Roles: []string{
		"Investigation.manage", "Discovery.manage", "Settings.manage",
	}}}})
	id := m.Files()[0].ID
	bearer := "Bearer " + m.token(app)
	for _, path := range []string{"/api/v1/files/", "/cas/api/v1/files", "/api/v1/files/" + id + "/"} {
		for _, method := range []string{"GET", "POST"} {
			r := m.mustStatus(m.call(method, path, bearer, nil), 403)
			if str(r.object(t)["detail"]) != "Insufficient role based permissions" {
				t.Errorf("%s %s: %s", method, path, r.body)
			}
			m.mustStatus(m.api(method, path, nil), 200)
		}
	}
	// The same application reads alerts: it is the route, not the token, that refuses.
	m.mustStatus(m.call("POST", "/api/v1/alerts/", bearer, nil), 200)
}

func itoa(n int) string     { return itoa64(int64(n)) }
func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }
