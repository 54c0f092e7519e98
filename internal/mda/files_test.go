package mda

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// recordedFile is a file shaped like XSOAR's recording (mda-api.md §6), with what MCASPS
// found in real payloads: keys that differ only by case (§1.6), here each pair's wrong
// member last, where encoding/json would let it win. Numbers come as strings, a time as
// a float, null entries in lists, and the pairs in three forms.
const recordedFile = `{
  "_id": "5f077e6fc3b664209dae1f6b", "_tid": 97134000,
  "id": "cac4b654-5fcf-44f0-818e-479cf8ae42ac|56aa5551-0c4c-42d7-93f1-57ccdca766aa",
  "Id": "not-the-id",
  "appId": "15600", "saasId": 15600, "instId": "0",
  "name": "20200325_104025.jpg.txt", "fileSize": "149",
  "createdDate": 1594326579000, "modifiedDate": 1594326594000.5,
  "created": 1594326600000, "Created": "Thu, 09 Jul 2020 20:29:39 UTC",
  "fileType": [4, "TEXT"], "fileAccessLevel": [2, "EXTERNAL"], "fileStatus": [1, "TRASHED"],
  "ftype": 4, "facl": 2, "fstat": 1, "isFolder": false,
  "mimeType": "text/plain", "fileExtension": "txt",
  "ownerAddress": "avishai@demistodev.onmicrosoft.com", "ownerName": "Avi Testman", "ownerExternal": false,
  "alternateLink": "https://demistodev-my.sharepoint.com/personal/x/Documents/20200325_104025.jpg.txt",
  "parentId": "cac4b654-5fcf-44f0-818e-479cf8ae42ac|81bc41b0-926b-4078-88aa-8402f1320762",
  "collaborators": [
    {"accessLevel": 1, "id": "5", "name": "Everyone except external users", "role": 0, "type": 2},
    null,
    {"accessLevel": "2", "id": 7, "name": "Pat", "email": "pat@Fabrikam.com", "type": "1", "Name": "PAT"}
  ],
  "domains": ["demistodev.onmicrosoft.com", null, "fabrikam.com"],
  "fTags": ["Confidential", {"id": "0000aaaa", "name": "Highly Confidential"}, {"id": "0000bbbb"}, null],
  "ftags": [1000, 1001],
  "snapshotLastModifiedDate": "2020-07-09T22:15:39.820Z",
  "appName": "Microsoft OneDrive for Business"
}`

// TestFileDecoding reads the recorded shape exactly. With encoding/json in place of
// unmarshalExact it fails: "Created" (a date string) would fill created, "ftags" (numbers)
// the labels and "Id" the app's file id.
func TestFileDecoding(t *testing.T) {
	var f File
	if err := jsonUnmarshal([]byte(recordedFile), &f); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "ID", f.ID, "5f077e6fc3b664209dae1f6b")
	mustEqual(t, "AppFileID", f.AppFileID, "cac4b654-5fcf-44f0-818e-479cf8ae42ac|56aa5551-0c4c-42d7-93f1-57ccdca766aa")
	mustEqual(t, "AppID", f.AppID, 15600)
	mustEqual(t, "Size", f.Size, 149)
	mustEqual(t, "Type", f.Type, CodeName{Code: FileTypeText, Name: "TEXT"})
	mustEqual(t, "Sharing", f.Sharing, CodeName{Code: SharingExternal, Name: "EXTERNAL"})
	mustEqual(t, "Status", f.Status, CodeName{Code: 1, Name: "TRASHED"})
	mustEqual(t, "Created", f.Created, time.UnixMilli(1594326579000).UTC())
	mustEqual(t, "Modified", f.Modified, time.UnixMilli(1594326594000).Add(500*time.Microsecond).UTC())
	mustEqual(t, "OwnerName", f.OwnerName, "Avi Testman")
	if !slices.Equal(f.Domains, []string{"demistodev.onmicrosoft.com", "fabrikam.com"}) {
		t.Errorf("Domains = %q", f.Domains)
	}
	if !slices.Equal(f.Labels, []string{"Confidential", "Highly Confidential", "0000bbbb"}) {
		t.Errorf("Labels = %q, want the fTags entries, not ftags", f.Labels)
	}
	want := []FileCollaborator{
		{ID: "5", Name: "Everyone except external users", Type: 2, AccessLevel: 1},
		{ID: "7", Name: "Pat", Email: "pat@Fabrikam.com", Domain: "fabrikam.com", Type: 1, AccessLevel: 2},
	}
	if !slices.Equal(f.Collaborators, want) {
		t.Errorf("Collaborators = %+v, want %+v", f.Collaborators, want)
	}

	// Without createdDate the creation time is "created", never "Created".
	var g File
	if err := jsonUnmarshal([]byte(`{"_id": "x", "created": 1594326600000, "Created": "Thu, 09 Jul 2020 20:30:00 UTC"}`), &g); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "Created fallback", g.Created, time.UnixMilli(1594326600000).UTC())
}

// TestFileDecoding_pairForms reads the pairs as [code, NAME], code alone, NAME alone (as
// XSOAR's README shows them), absent with the flat ftype/facl/fstat beside them, and a
// folder without a type, as a recorded listing has one.
func TestFileDecoding_pairForms(t *testing.T) {
	cases := map[string]struct {
		json                 string
		typ, sharing, status CodeName
		folder               bool
	}{
		"pairs":      {`{"fileType": [5, "IMAGE"], "fileAccessLevel": [3, "PUBLIC"], "fileStatus": [0, "EXISTS"]}`, CodeName{5, "IMAGE"}, CodeName{3, "PUBLIC"}, CodeName{0, "EXISTS"}, false},
		"codes":      {`{"fileType": 2, "fileAccessLevel": "1", "fileStatus": [0]}`, CodeName{2, ""}, CodeName{1, ""}, CodeName{0, ""}, false},
		"names":      {`{"fileType": "TEXT", "fileAccessLevel": "PRIVATE", "fileStatus": "EXISTS"}`, CodeName{-1, "TEXT"}, CodeName{-1, "PRIVATE"}, CodeName{-1, "EXISTS"}, false},
		"flat codes": {`{"ftype": 1, "facl": 4, "fstat": 2, "fileStatus": null}`, CodeName{1, ""}, CodeName{4, ""}, CodeName{2, ""}, false},
		"absent":     {`{}`, CodeName{-1, ""}, CodeName{-1, ""}, CodeName{-1, ""}, false},
		"folder":     {`{"isFolder": true, "fileAccessLevel": [1, "INTERNAL"]}`, CodeName{6, "FOLDER"}, CodeName{1, "INTERNAL"}, CodeName{-1, ""}, true},
		"type 6":     {`{"fileType": [6, "FOLDER"]}`, CodeName{6, "FOLDER"}, CodeName{-1, ""}, CodeName{-1, ""}, true},
	}
	for name, c := range cases {
		var f File
		if err := jsonUnmarshal([]byte(c.json), &f); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.Type != c.typ || f.Sharing != c.sharing || f.Status != c.status || f.IsFolder != c.folder {
			t.Errorf("%s: type %+v sharing %+v status %+v folder %v; want %+v %+v %+v %v",
				name, f.Type, f.Sharing, f.Status, f.IsFolder, c.typ, c.sharing, c.status, c.folder)
		}
	}
	for _, bad := range []string{`{"fileType": [1.5, "X"]}`, `{"fileType": {"code": 1}}`, `{"createdDate": "yesterday"}`} {
		var f File
		if err := jsonUnmarshal([]byte(bad), &f); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}

// TestMock_files lists every file the mock serves, 100 per request, and reads one by id.
func TestMock_files(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	var want []mockserver.File
	for _, f := range m.Files() {
		if f.Status != 2 { // deleted files are listed only with allowDeleted
			want = append(want, f)
		}
	}
	res, err := c.ListFiles(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != len(want) || res.Total != len(want) || res.Truncated || res.Requests != (len(want)+99)/100 {
		t.Fatalf("listed %d of total %d in %d requests (truncated %v); want %d in %d", len(res.Items), res.Total, res.Requests, res.Truncated, len(want), (len(want)+99)/100)
	}
	for i, f := range res.Items {
		w := want[i]
		if f.ID != w.ID || f.Name != w.Name || f.AppID != w.AppID || f.Type.Code != w.Type || f.Sharing.Code != w.Sharing ||
			f.Status.Code != w.Status || !f.Modified.Equal(time.UnixMilli(w.Modified)) || !f.Created.Equal(time.UnixMilli(w.Created)) ||
			!slices.Equal(f.Labels, w.Labels) || !slices.Equal(f.Domains, w.Domains) || len(f.Collaborators) != len(w.Collaborators) {
			t.Fatalf("item %d: got %+v, want %+v", i, f, w)
		}
	}

	if !strings.Contains(string(res.Items[0].Raw), `"ftags":[`) {
		t.Errorf("Raw lacks what MDA sent: %s", res.Items[0].Raw)
	}

	got, err := c.GetFile(ctx, want[3].ID)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "GetFile name", got.Name, want[3].Name)
	_, err = c.GetFile(ctx, "0123456789abcdef01234567")
	if !IsNotFound(err) {
		t.Errorf("unknown file: %v, want not found", err)
	}
	if _, err := c.GetFile(ctx, "../alerts"); err == nil {
		t.Error("a malformed id was sent")
	}
}

// TestMock_filesRefuseEntra: with an Entra credential the file calls fail before any
// request, since MDA refuses every application token there.
func TestMock_filesRefuseEntra(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c, _, _ := mockClient(t, m, mockEntra(m, mockApp, mockSecret))
	if c.UsesLegacyToken() {
		t.Fatal("an Entra client reports a legacy token")
	}
	ctx := context.Background()
	if _, err := c.ListFiles(ctx, Query{}); !errors.Is(err, ErrFilesNeedLegacyToken) {
		t.Errorf("ListFiles: %v", err)
	}
	if _, err := c.GetFile(ctx, m.Files()[0].ID); !errors.Is(err, ErrFilesNeedLegacyToken) {
		t.Errorf("GetFile: %v", err)
	}
	if st := m.Stats(); st.Total != 0 {
		t.Errorf("requests were sent: %v", st.Routes)
	}
	legacy, _, _ := mockClient(t, m)
	if !legacy.UsesLegacyToken() {
		t.Error("a legacy client reports an Entra token")
	}
}

// TestFileDecoding_collidingKeys takes each case collision alone, so that each one fails
// on its own under a case-insensitive decoder.
func TestFileDecoding_collidingKeys(t *testing.T) {
	cases := map[string]struct {
		json  string
		check func(File) bool
	}{
		"created/Created": {`{"created": 1594326600000, "Created": 1}`, func(f File) bool { return f.Created.Equal(time.UnixMilli(1594326600000)) }},
		"fTags/ftags":     {`{"fTags": ["Confidential"], "ftags": ["1000"]}`, func(f File) bool { return slices.Equal(f.Labels, []string{"Confidential"}) }},
		"id/Id":           {`{"id": "site|item", "Id": "other"}`, func(f File) bool { return f.AppFileID == "site|item" }},
		"nested name/Name": {`{"collaborators": [{"name": "Pat", "Name": "PAT"}]}`, func(f File) bool {
			return len(f.Collaborators) == 1 && f.Collaborators[0].Name == "Pat"
		}},
	}
	for name, c := range cases {
		var f File
		if err := jsonUnmarshal([]byte(c.json), &f); err != nil || !c.check(f) {
			t.Errorf("%s: decoded %+v (error %v)", name, f, err)
		}
	}
}
