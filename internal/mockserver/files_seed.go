package mockserver

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// seededFiles is how many files and folders a tenant starts with: three pages, and
// enough for every type, sharing level, owner and status to appear many times.
const seededFiles = 260

// fileKinds are the file types with names, extensions and MIME types to draw from.
var fileKinds = []struct {
	typ   int
	bases []string
	exts  [][2]string // extension, MIME type
}{
	{0, []string{"backup", "installer", "archive"}, [][2]string{{"zip", "application/zip"}, {"bin", "application/octet-stream"}}},
	{1, []string{"board-minutes", "contract", "policy", "proposal"}, [][2]string{
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}, {"pdf", "application/pdf"},
	}},
	{2, []string{"Q3-forecast", "payroll", "customer-list", "budget"}, [][2]string{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, {"csv", "text/csv"},
	}},
	{3, []string{"merger-plan", "all-hands", "roadmap"}, [][2]string{
		{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	}},
	{4, []string{"notes", "passwords", "readme"}, [][2]string{{"txt", "text/plain"}, {"md", "text/markdown"}}},
	{5, []string{"whiteboard", "IMG", "screenshot"}, [][2]string{{"jpg", "image/jpeg"}, {"png", "image/png"}}},
	{fileTypeFolder, []string{"Shared", "Projects", "Finance", "Archive"}, nil},
}

// fileApps are the apps files live in; SharePoint has a second instance so the instance
// filter has something to tell apart.
var fileApps = []struct {
	id        int
	instances []int
	link      func(owner, name string) string
}{
	{15600, []int{0}, func(owner, name string) string {
		return "https://contoso-my.sharepoint.com/personal/" + strings.NewReplacer("@", "_", ".", "_").Replace(owner) + "/Documents/" + name
	}},
	{20892, []int{0, 1}, func(_, name string) string {
		return "https://contoso.sharepoint.com/sites/team/Shared%20Documents/" + name
	}},
	{11770, []int{0}, func(_, name string) string { return "https://drive.google.com/file/d/" + stableUUID(name) + "/view" }},
	{10489, []int{0}, func(_, name string) string { return "https://contoso.app.box.com/file/" + fmt.Sprint(len(name)*7919) }},
}

// fileCollaboratorPool is who files are shared with: colleagues, a partner's domain,
// personal mailboxes, and the group SharePoint shares with by default.
var fileCollaboratorPool = []FileCollaborator{
	{Name: "Bob Smith", Email: "bob@contoso.com", Domain: "contoso.com", Type: 1, AccessLevel: 1},
	{Name: "Grace Kim", Email: "grace@contoso.com", Domain: "contoso.com", Type: 1, AccessLevel: 1},
	{Name: "Pat Partner", Email: "pat@fabrikam.com", Domain: "fabrikam.com", Type: 1, AccessLevel: 2},
	{Name: "Sam Supplier", Email: "sam@northwind.example", Domain: "northwind.example", Type: 1, AccessLevel: 2},
	{Name: "alice.home", Email: "alice.home@gmail.com", Domain: "gmail.com", Type: 1, AccessLevel: 2},
	{Name: "carol77", Email: "carol77@outlook.com", Domain: "outlook.com", Type: 1, AccessLevel: 2},
	{Name: "Everyone except external users", Type: 2, AccessLevel: 1},
}

// fileOwners are the seeded users plus an external owner (a partner's file shared into
// the tenant).
var fileOwners = append(slices.Clone(seedUsers), struct{ name, upn string }{"Pat Partner", "pat@fabrikam.com"})

var fileLabelPool = []string{"Confidential", "Highly Confidential", "General", "Public"}

// File policies a file can match: the alert seed's "File shared with a personal email
// address", and one for labelled files shared publicly.
const (
	personalEmailPolicy = "64a1c0ffee5e1ec7ed000a02"
	publicLabelPolicy   = "64a1c0ffee5e1ec7ed000a03"
)

// newFileStore seeds files modified over the year before now. The same seed and the same
// now give the same files, ids included; nothing here draws from the other stores'
// random sources, so their seeds do not move.
func newFileStore(seed uint64, now time.Time) *fileStore {
	fs := &fileStore{byID: map[string]*File{}}
	rng := rand.New(rand.NewPCG(seed, 0x66696c6573))
	year := int64(365 * 24 * time.Hour / time.Millisecond)
	for i := range seededFiles {
		f := generateFile(rng, i, now.UnixMilli(), year)
		f.ID = fmt.Sprintf("%08x%010x%06x", uint32(f.Created/1000), splitmix(seed^uint64(i+1)*0x5851f42d4c957f2d)&0xffffffffff, uint32(i+1)&0xffffff)
		fs.items = append(fs.items, f)
		fs.byID[f.ID] = f
	}
	return fs
}

func generateFile(rng *rand.Rand, i int, now, span int64) *File {
	// Every type and sharing level in turn first, then at random, so each appears.
	typ := i % len(fileKinds)
	if i >= 2*len(fileKinds) {
		typ = rng.IntN(len(fileKinds))
	}
	kind := fileKinds[typ]
	sharing := i % 5
	if i >= 10 {
		sharing = rng.IntN(5)
	}
	app := fileApps[rng.IntN(len(fileApps))]
	owner := fileOwners[rng.IntN(len(fileOwners))]
	if rng.IntN(4) != 0 {
		owner = fileOwners[rng.IntN(len(seedUsers))] // most files belong to the tenant's users
	}
	f := &File{
		AppID:         app.id,
		Instance:      app.instances[rng.IntN(len(app.instances))],
		Type:          kind.typ,
		Sharing:       sharing,
		OwnerName:     owner.name,
		OwnerAddress:  owner.upn,
		OwnerExternal: !strings.HasSuffix(owner.upn, "@contoso.com"),
	}
	base := kind.bases[rng.IntN(len(kind.bases))]
	if kind.typ == fileTypeFolder {
		f.Name = fmt.Sprintf("%s %03d", base, i)
	} else {
		ext := kind.exts[rng.IntN(len(kind.exts))]
		f.Name = fmt.Sprintf("%s-%03d.%s", base, i, ext[0])
		f.Extension, f.MimeType = ext[0], ext[1]
		f.Size = 100 + rng.Int64N(50<<20)
	}
	f.Created = now - rng.Int64N(span)
	f.Modified = f.Created + rng.Int64N(now-f.Created+1)
	site := stableUUID(fmt.Sprintf("site:%d:%d", app.id, f.Instance))
	f.AppFileID = site + "|" + stableUUID(fmt.Sprintf("file:%d", i))
	f.ParentID = site + "|" + stableUUID("folder:"+owner.upn)
	f.Link = app.link(owner.upn, f.Name)

	// Private files are shared with nobody; the others with one to three collaborators
	// fitting their level: colleagues for internal, outsiders for the rest.
	if sharing > 0 {
		n := 1 + rng.IntN(3)
		for range n {
			var c FileCollaborator
			if sharing == 1 {
				c = pick(rng, []FileCollaborator{fileCollaboratorPool[0], fileCollaboratorPool[1], fileCollaboratorPool[6]})
			} else {
				c = pick(rng, fileCollaboratorPool)
			}
			if slices.ContainsFunc(f.Collaborators, func(x FileCollaborator) bool { return x.Name == c.Name }) {
				continue
			}
			if c.Type == 2 {
				c.ID = "5"
			} else {
				c.ID = stableUUID("collaborator:" + c.Email)
			}
			f.Collaborators = append(f.Collaborators, c)
		}
	}
	f.Domains = []string{ownerDomain(owner.upn)}
	for _, c := range f.Collaborators {
		if c.Domain != "" && !slices.Contains(f.Domains, c.Domain) {
			f.Domains = append(f.Domains, c.Domain)
		}
	}
	for range rng.IntN(3) {
		if l := pick(rng, fileLabelPool); !slices.Contains(f.Labels, l) {
			f.Labels = append(f.Labels, l)
		}
	}
	switch r := rng.IntN(100); {
	case r < 8:
		f.Status = fileTrashed
	case r < 15:
		f.Status = fileDeleted
	}
	f.Quarantined = f.Status == fileExists && rng.IntN(100) < 6
	if slices.ContainsFunc(f.Domains, func(d string) bool { return d == "gmail.com" || d == "outlook.com" }) {
		f.PolicyIDs = append(f.PolicyIDs, personalEmailPolicy)
	}
	if sharing >= 3 && len(f.Labels) > 0 {
		f.PolicyIDs = append(f.PolicyIDs, publicLabelPolicy)
	}
	return f
}

func ownerDomain(upn string) string {
	_, d, _ := strings.Cut(upn, "@")
	return d
}
