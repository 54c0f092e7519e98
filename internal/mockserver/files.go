package mockserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The Files API (mda-api.md §6): list and fetch. It answers only legacy API tokens: an
// Entra application token gets 403 "Insufficient role based permissions" whatever roles
// it carries, on the tenant URL as on the generic one (CloudAppSecurityDocs#605; XSOAR
// says the same). The body is the one the other 403s infer ([I]).
var permFileRead = permission{}

// File is a file as tests see it (Server.Files). Type, Sharing and Status are the codes
// of the API's [code, NAME] pairs.
type File struct {
	ID        string `json:"id"`        // _id, an ObjectId
	AppFileID string `json:"appFileId"` // "id": the file's id in its app
	Name      string `json:"name"`
	AppID     int    `json:"appId"`
	Instance  int    `json:"instance"`
	Type      int    `json:"type"`    // 0 other .. 6 folder
	Sharing   int    `json:"sharing"` // 0 private .. 4 public (Internet)
	// Status is 0 EXISTS, 1 TRASHED or 2 DELETED. Only EXISTS appears in recorded
	// payloads; the other codes are the mock's choice ([U]). A deleted file is listed only
	// with allowDeleted.
	Status        int                `json:"status"`
	Quarantined   bool               `json:"quarantined"`
	Size          int64              `json:"size"`
	Created       int64              `json:"created"`  // createdDate, ms
	Modified      int64              `json:"modified"` // modifiedDate, ms
	OwnerName     string             `json:"ownerName"`
	OwnerAddress  string             `json:"ownerAddress"`
	OwnerExternal bool               `json:"ownerExternal"`
	Link          string             `json:"link"`
	ParentID      string             `json:"parentId"`
	MimeType      string             `json:"mimeType"`  // "" for folders: served as null
	Extension     string             `json:"extension"` // "" for folders: served as null
	Domains       []string           `json:"domains"`
	Collaborators []FileCollaborator `json:"collaborators"`
	Labels        []string           `json:"labels"`
	// PolicyIDs are the file policies the file matches (the policy filter).
	PolicyIDs []string `json:"policyIds"`
}

// FileCollaborator is a user or group a file is shared with. Type 2 is a group, as in a
// recorded payload; 1 for a user is the mock's choice ([U]). Email and domain are not in
// any recorded collaborator ([I]): the file's domains and the collaborator filters need
// them from somewhere.
type FileCollaborator struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Domain      string `json:"domain,omitempty"`
	Type        int    `json:"type"`
	AccessLevel int    `json:"accessLevel"`
}

// File codes and names, as the pairs carry them (mda-api.md §6).
const (
	fileTypeFolder = 6
	fileExists     = 0
	fileTrashed    = 1
	fileDeleted    = 2
)

var (
	fileTypeNames   = []string{"OTHER", "DOCUMENT", "SPREADSHEET", "PRESENTATION", "TEXT", "IMAGE", "FOLDER"}
	fileAccessNames = []string{"PRIVATE", "INTERNAL", "EXTERNAL", "PUBLIC", "PUBLIC_INTERNET"}
	fileStatusNames = []string{"EXISTS", "TRASHED", "DELETED"}
)

func codeName(names []string, code int) []any {
	if code >= 0 && code < len(names) {
		return []any{code, names[code]}
	}
	return []any{code, "UNKNOWN"}
}

// fileCollection declares the documented file filters (mda-api.md §6) and MCASPS's
// owner.username and collaborators.users.
var fileCollection = newCollection("files", map[string]field[*File]{
	"service":  {typ: intField, ops: []string{"eq", "neq"}, values: func(f *File) []any { return []any{f.AppID} }},
	"instance": {typ: intField, ops: []string{"eq", "neq"}, values: func(f *File) []any { return []any{f.Instance} }},
	"fileType": {typ: intField, ops: []string{"eq", "neq"}, values: func(f *File) []any { return []any{f.Type} }},
	// Which files a listing holds is decided by listFiles from this filter; here it only
	// has to be accepted, whatever its value.
	"allowDeleted": {typ: boolField, ops: []string{"eq"}, values: func(*File) []any { return []any{true, false} }},
	"policy": {typ: stringField, ops: []string{"cabinetmatchedrulesequals", "neq", "isset", "isnotset"}, values: func(f *File) []any {
		return anys(f.PolicyIDs)
	}},
	// MCASPS searches names with text; eq compares exactly ([U]: whether it ignores case).
	"filename":     {typ: stringField, ops: []string{"eq", "neq", "text"}, values: func(f *File) []any { return []any{f.Name} }},
	"modifiedDate": {typ: timestampField, ops: []string{"lte", "gte", "range", "lte_ndays", "gte_ndays"}, values: func(f *File) []any { return []any{f.Modified} }},
	"createdDate":  {typ: timestampField, ops: []string{"lte", "gte", "range"}, values: func(f *File) []any { return []any{f.Created} }},
	"collaborators.entity": {typ: stringField, ops: []string{"eq", "neq", "deq"}, operand: parseEntityPK, values: func(f *File) []any {
		var pks []any
		for _, c := range f.Collaborators {
			if c.Email != "" {
				pks = append(pks, fmt.Sprintf("%s|%d", c.Email, f.Instance), fmt.Sprintf("%s|%d|%d", c.Email, f.Instance, f.AppID))
			}
		}
		return pks
	}},
	// The docs name both domains and withDomain without telling them apart; both compare
	// the file's domains ([I]), lower case.
	"collaborators.domains":    {typ: stringField, ops: []string{"eq", "neq", "deq"}, operand: parseLowerString, values: fileDomains},
	"collaborators.withDomain": {typ: stringField, ops: []string{"eq", "neq", "deq"}, operand: parseLowerString, values: fileDomains},
	"collaborators.groups": {typ: stringField, ops: []string{"eq", "neq", "deq"}, values: func(f *File) []any {
		var groups []any
		for _, c := range f.Collaborators {
			if c.Type == 2 {
				groups = append(groups, c.Name)
			}
		}
		return groups
	}},
	"collaborators.users": {typ: stringField, ops: []string{"eq", "neq"}, operand: parseLowerString, values: func(f *File) []any {
		var users []any
		for _, c := range f.Collaborators {
			if c.Email != "" {
				users = append(users, strings.ToLower(c.Email))
			}
		}
		return users
	}},
	"owner.entity": {typ: stringField, ops: []string{"eq", "neq"}, operand: parseEntityPK, values: func(f *File) []any {
		return []any{fmt.Sprintf("%s|%d", f.OwnerAddress, f.Instance), fmt.Sprintf("%s|%d|%d", f.OwnerAddress, f.Instance, f.AppID)}
	}},
	// MCASPS's owner filter, by UPN; matched ignoring case.
	"owner.username": {typ: stringField, ops: []string{"eq", "neq"}, operand: parseLowerString, values: func(f *File) []any {
		return []any{strings.ToLower(f.OwnerAddress)}
	}},
	"sharing":    {typ: intField, ops: []string{"eq", "neq"}, values: func(f *File) []any { return []any{f.Sharing} }},
	"fileId":     {typ: stringField, ops: []string{"eq"}, values: func(f *File) []any { return []any{f.ID} }},
	"fileLabels": {typ: stringField, ops: []string{"eq", "neq"}, values: func(f *File) []any { return anys(f.Labels) }},
	"extension": {typ: stringField, ops: []string{"eq", "neq"}, values: func(f *File) []any {
		if f.Extension == "" {
			return nil
		}
		return []any{f.Extension}
	}},
	"mimeType": {typ: stringField, ops: []string{"eq", "neq"}, values: func(f *File) []any {
		if f.MimeType == "" {
			return nil
		}
		return []any{f.MimeType}
	}},
	"trashed":      {typ: boolField, ops: []string{"eq"}, values: func(f *File) []any { return []any{f.Status == fileTrashed} }},
	"folder":       {typ: boolField, ops: []string{"eq"}, values: func(f *File) []any { return []any{f.Type == fileTypeFolder} }},
	"quarantined":  {typ: boolField, ops: []string{"eq"}, values: func(f *File) []any { return []any{f.Quarantined} }},
	"parentFolder": {typ: stringField, ops: []string{"eq", "neq"}, values: func(f *File) []any { return []any{f.ParentID} }},
}, map[string]func(a, b *File) int{
	// MCASPS sorts by modifiedDate; the docs list no sort field for files.
	"modifiedDate": func(a, b *File) int { return cmp.Compare(a.Modified, b.Modified) },
	"createdDate":  func(a, b *File) int { return cmp.Compare(a.Created, b.Created) },
})

func fileDomains(f *File) []any {
	out := make([]any, 0, len(f.Domains))
	for _, d := range f.Domains {
		out = append(out, strings.ToLower(d))
	}
	return out
}

// fileStore holds the tenant's files. Like store, it expects Server.mu to be held.
type fileStore struct {
	items []*File
	byID  map[string]*File
}

// newestFirst is the list's default order, most recently modified first ([U]: the docs
// do not say).
func (fs *fileStore) newestFirst() []*File {
	out := slices.Clone(fs.items)
	slices.SortStableFunc(out, func(a, b *File) int {
		return cmp.Or(cmp.Compare(b.Modified, a.Modified), strings.Compare(b.ID, a.ID))
	})
	return out
}

// wireFile is a file as the API sends it: the recorded example's keys (mda-api.md §6),
// with the case-colliding keys MCASPS renames before parsing: "Created" beside
// "created", "ftags" beside "fTags" (§1.6). What the upper-case "Created" and the
// lower-case "ftags" hold is unknown ([U]); here they are a portal timestamp string and
// numeric tag codes, so a decoder that mixes the pairs up gets visibly wrong values.
type wireFile struct {
	ID                       string             `json:"_id"`
	TenantID                 int                `json:"_tid"`
	AppFileID                string             `json:"id"`
	AppID                    int                `json:"appId"`
	SaaSID                   int                `json:"saasId"`
	InstID                   int                `json:"instId"`
	Name                     string             `json:"name"`
	NameLower                string             `json:"name_l"`
	FileSize                 int64              `json:"fileSize"`
	CreatedDate              int64              `json:"createdDate"`
	Created                  int64              `json:"created"`
	CreatedUpper             string             `json:"Created"`
	ModifiedDate             int64              `json:"modifiedDate"`
	FileType                 []any              `json:"fileType"`
	FileAccessLevel          []any              `json:"fileAccessLevel"`
	FileStatus               []any              `json:"fileStatus"`
	FType                    int                `json:"ftype"`
	FACL                     int                `json:"facl"`
	FStat                    int                `json:"fstat"`
	IsFolder                 bool               `json:"isFolder"`
	MimeType                 *string            `json:"mimeType"`
	FileExtension            *string            `json:"fileExtension"`
	OwnerAddress             string             `json:"ownerAddress"`
	OwnerName                string             `json:"ownerName"`
	OwnerExternal            bool               `json:"ownerExternal"`
	AlternateLink            string             `json:"alternateLink"`
	ParentID                 string             `json:"parentId"`
	ParentIDs                []string           `json:"parentIds"`
	Collaborators            []FileCollaborator `json:"collaborators"`
	ExternalShares           []string           `json:"externalShares"`
	Domains                  []string           `json:"domains"`
	Emails                   []string           `json:"emails"`
	Groups                   []string           `json:"groups"`
	FTags                    []string           `json:"fTags"`
	FTagsLower               []int              `json:"ftags"`
	DLPScanResults           []any              `json:"dlpScanResults"`
	SnapshotLastModifiedDate string             `json:"snapshotLastModifiedDate"`
	AppName                  string             `json:"appName"`
}

func (s *Server) wireFile(f *File) wireFile {
	w := wireFile{
		ID:              f.ID,
		TenantID:        s.store.tid,
		AppFileID:       f.AppFileID,
		AppID:           f.AppID,
		SaaSID:          f.AppID,
		InstID:          f.Instance,
		Name:            f.Name,
		NameLower:       strings.ToLower(f.Name),
		FileSize:        f.Size,
		CreatedDate:     f.Created,
		Created:         f.Modified + 257_000, // when MDA recorded the file ([U])
		CreatedUpper:    time.UnixMilli(f.Created).UTC().Format(time.RFC1123),
		ModifiedDate:    f.Modified,
		FileType:        codeName(fileTypeNames, f.Type),
		FileAccessLevel: codeName(fileAccessNames, f.Sharing),
		FileStatus:      codeName(fileStatusNames, f.Status),
		FType:           f.Type,
		FACL:            f.Sharing,
		FStat:           f.Status,
		IsFolder:        f.Type == fileTypeFolder,
		OwnerAddress:    f.OwnerAddress,
		OwnerName:       f.OwnerName,
		OwnerExternal:   f.OwnerExternal,
		AlternateLink:   f.Link,
		ParentID:        f.ParentID,
		ParentIDs:       []string{f.ParentID},
		Collaborators:   nonNilSlice(slices.Clone(f.Collaborators)),
		ExternalShares:  []string{},
		Domains:         nonNilSlice(slices.Clone(f.Domains)),
		Emails:          []string{f.OwnerAddress},
		Groups:          []string{},
		FTags:           nonNilSlice(slices.Clone(f.Labels)),
		FTagsLower:      make([]int, len(f.Labels)),
		DLPScanResults:  []any{},
		// An ISO string, not ms (mda-api.md §1.6).
		SnapshotLastModifiedDate: time.UnixMilli(f.Modified + 91_000).UTC().Format(isoMillis),
		AppName:                  serviceName(f.AppID),
	}
	for i := range w.FTagsLower {
		w.FTagsLower[i] = 1000 + i
	}
	for _, c := range f.Collaborators {
		if c.Type == 2 {
			w.Groups = append(w.Groups, c.Name)
		} else if c.Email != "" {
			w.Emails = append(w.Emails, c.Email)
		}
	}
	if f.MimeType != "" {
		w.MimeType = &f.MimeType
	}
	if f.Extension != "" {
		w.FileExtension = &f.Extension
	}
	return w
}

// listFiles serves GET and POST /api/v1/files/. Deleted files are left out unless the
// filters say allowDeleted: true, which is what the filter's name suggests ([I]).
func (s *Server) listFiles(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.store.files.newestFirst()
	if !allowDeleted(req) {
		items = slices.DeleteFunc(items, func(f *File) bool { return f.Status == fileDeleted })
	}
	runList(s, w, req, fileCollection, items, func(f *File) any { return s.wireFile(f) })
}

// allowDeleted reads filters.allowDeleted.eq. A body that does not parse is reported by
// runList; here it reads as false.
func allowDeleted(req *apiRequest) bool {
	fields, err := decodeBody(req.r, req.body)
	if err != nil {
		return false
	}
	var filters map[string]map[string]json.RawMessage
	if json.Unmarshal(fields["filters"], &filters) != nil {
		return false
	}
	raw, ok := filters["allowDeleted"]["eq"]
	if !ok {
		return false
	}
	for _, el := range elements(raw) {
		if b, err := parseBool(el); err == nil && b {
			return true
		}
	}
	return false
}

// getFile serves GET /api/v1/files/<id>/, deleted files included ([I]: a fetch by id
// names the file). The docs' curl example says POST while the HTTP line says GET
// (mda-api.md §8.17): the route table serves both.
func (s *Server) getFile(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !objectIDPattern.MatchString(req.id) {
		var fe formErrors
		fe.add("id", fmt.Sprintf("%s is not valid", req.id), req.id)
		fe.write(w)
		return
	}
	f := s.store.files.byID[strings.ToLower(req.id)]
	if f == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.wireFile(f))
}

// objectIDPattern is a MongoDB ObjectId, the shape of a file's _id.
var objectIDPattern = alertIDPattern

// Files returns every file, deleted ones included, in the list's default order (most
// recently modified first). Tests compute what a filter should return from it.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.store.files.newestFirst()
	out := make([]File, len(items))
	for i, f := range items {
		out[i] = cloneFile(f)
	}
	return out
}

// File returns the file with this id.
func (s *Server) File(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.store.files.byID[strings.ToLower(id)]
	if f == nil {
		return File{}, false
	}
	return cloneFile(f), true
}

func cloneFile(f *File) File {
	c := *f
	c.Domains = slices.Clone(f.Domains)
	c.Collaborators = slices.Clone(f.Collaborators)
	c.Labels = slices.Clone(f.Labels)
	c.PolicyIDs = slices.Clone(f.PolicyIDs)
	return c
}
