package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The Files API (mda-api.md §6) is in no Entra permission scope: MDA answers every
// application token with 403 "Insufficient role based permissions", whatever the app is
// granted (CloudAppSecurityDocs#605; XSOAR documents the same). Only a legacy API token
// reads files, with its owner's MDA role.
const permFileRead = "Investigation.read"

// ErrFilesNeedLegacyToken is returned by the file calls, before any request, when the
// client signs in with Microsoft Entra ID: MDA would refuse the request anyway, and the
// refusal would spend a request of the tenant's budget to say so.
var ErrFilesNeedLegacyToken = errors.New("the MDA Files API accepts only a legacy API token and refuses Microsoft Entra tokens; configure a legacy API token to read files")

// UsesLegacyToken reports whether the client authenticates with a legacy API token
// rather than a Microsoft Entra token. Some MDA APIs (files) accept only the former.
func (c *Client) UsesLegacyToken() bool { return c.auth.legacy() }

// File codes: fileType, fileAccessLevel and fileStatus are [code, NAME] pairs in the API
// (mda-api.md §6). The type and sharing codes are documented with the filters; the
// status codes are not ([U]), so a status is named by the NAME MDA sends with it.
const (
	FileTypeOther        = 0
	FileTypeDocument     = 1
	FileTypeSpreadsheet  = 2
	FileTypePresentation = 3
	FileTypeText         = 4
	FileTypeImage        = 5
	FileTypeFolder       = 6

	SharingPrivate        = 0
	SharingInternal       = 1
	SharingExternal       = 2
	SharingPublic         = 3
	SharingPublicInternet = 4
)

// File is a file or folder MDA found in a connected app.
type File struct {
	// ID is MDA's id of the file (a 24-hex ObjectId), the one GetFile takes.
	ID string
	// AppFileID is the file's id in its app ("id" in the API), e.g. a SharePoint
	// "<site>|<item>" pair.
	AppFileID string
	Name      string
	AppID     int
	AppName   string
	Instance  int
	// Type, Sharing and Status are the API's [code, NAME] pairs. Code is -1 when MDA sent
	// no code, and Name is MDA's own upper-case name, "" when it sent none.
	Type, Sharing, Status CodeName
	IsFolder              bool
	Size                  int64
	// Created and Modified are the file's times in its app; zero when MDA sent none.
	Created, Modified time.Time
	OwnerName         string
	OwnerAddress      string
	OwnerExternal     bool
	Link              string // alternateLink: the file in its app
	ParentID          string
	MimeType          string
	Extension         string
	// Domains are the domains of the users the file is shared with.
	Domains       []string
	Collaborators []FileCollaborator
	// Labels are the file's tags (fTags): sensitivity labels and the like, by name, or by
	// id when MDA sends no name.
	Labels []string

	// Raw is the file's JSON exactly as MDA sent it.
	Raw json.RawMessage
}

func (f *File) setRawJSON(raw json.RawMessage) { f.Raw = raw }

// FileCollaborator is a user or group a file is shared with.
type FileCollaborator struct {
	ID     string
	Name   string
	Email  string
	Domain string
	// Type is MDA's collaborator type code (2 is a group in recorded payloads; the others
	// are not documented).
	Type int
	// AccessLevel is the collaborator's access, on the same scale as the file's sharing.
	AccessLevel int
}

// CodeName is one of the API's [code, "NAME"] pairs, e.g. "fileType": [4, "TEXT"]. MDA,
// or a tool between it and the client, also writes the code alone or the name alone
// (XSOAR's README shows "fileType": "TEXT"); each form is read.
type CodeName struct {
	Code int    // -1 when absent
	Name string // "" when absent
}

// Present reports whether MDA sent the pair in any form.
func (c CodeName) Present() bool { return c.Code >= 0 || c.Name != "" }

// UnmarshalJSON reads [code, "NAME"], [code], code, "NAME" or null.
func (c *CodeName) UnmarshalJSON(data []byte) error {
	*c = CodeName{Code: -1}
	data = bytes.TrimSpace(data)
	if isJSONNothing(data) {
		return nil
	}
	switch data[0] {
	case '[':
		var parts []json.RawMessage
		if err := json.Unmarshal(data, &parts); err != nil {
			return err
		}
		for _, p := range parts {
			if err := c.readPart(p); err != nil {
				return fmt.Errorf("pair %s: %w", data, err)
			}
		}
		return nil
	default:
		return c.readPart(data)
	}
}

func (c *CodeName) readPart(p json.RawMessage) error {
	p = bytes.TrimSpace(p)
	if isJSONNothing(p) {
		return nil
	}
	if p[0] == '"' {
		var s string
		if err := json.Unmarshal(p, &s); err != nil {
			return err
		}
		// A numeric string is a code ("4"), anything else a name.
		var n FlexInt
		if err := n.UnmarshalJSON(p); err == nil {
			c.Code = int(n)
			return nil
		}
		c.Name = strings.TrimSpace(s)
		return nil
	}
	var n FlexInt
	if err := n.UnmarshalJSON(p); err != nil {
		return fmt.Errorf("%s is neither a code nor a name", p)
	}
	c.Code = int(n)
	return nil
}

// fileWire is a file as MDA sends it: the keys read, by their exact spelling. The
// payloads carry keys that differ only by case ("Created" beside "created", "ftags"
// beside "fTags", mda-api.md §1.6), so it is decoded with unmarshalExact.
type fileWire struct {
	ID            FlexString `json:"_id"`
	AppFileID     FlexString `json:"id"`
	Name          *string    `json:"name"`
	AppID         *FlexInt   `json:"appId"`
	SaaSID        *FlexInt   `json:"saasId"`
	AppName       *string    `json:"appName"`
	InstID        FlexInt    `json:"instId"`
	FileType      CodeName   `json:"fileType"`
	FType         *FlexInt   `json:"ftype"`
	AccessLevel   CodeName   `json:"fileAccessLevel"`
	FACL          *FlexInt   `json:"facl"`
	Status        CodeName   `json:"fileStatus"`
	FStat         *FlexInt   `json:"fstat"`
	IsFolder      bool       `json:"isFolder"`
	Size          FlexInt    `json:"fileSize"`
	CreatedDate   *FlexTime  `json:"createdDate"`
	Created       *FlexTime  `json:"created"` // not "Created", which is something else
	ModifiedDate  *FlexTime  `json:"modifiedDate"`
	OwnerName     *string    `json:"ownerName"`
	OwnerAddress  *string    `json:"ownerAddress"`
	OwnerExternal bool       `json:"ownerExternal"`
	AlternateLink *string    `json:"alternateLink"`
	ParentID      FlexString `json:"parentId"`
	MimeType      *string    `json:"mimeType"`
	FileExtension *string    `json:"fileExtension"`
	Domains       []*string  `json:"domains"`
	// Collaborators' entries may be null in a list; a pointer keeps them apart.
	Collaborators []*collaboratorWire `json:"collaborators"`
	// fTags, not "ftags": the two arrive together and are different lists.
	FTags []json.RawMessage `json:"fTags"`
}

type collaboratorWire struct {
	ID          FlexString `json:"id"`
	Name        *string    `json:"name"`
	Email       *string    `json:"email"`
	Domain      *string    `json:"domain"`
	Type        FlexInt    `json:"type"`
	AccessLevel FlexInt    `json:"accessLevel"`
}

// UnmarshalJSON decodes a file with exact key matching (see fileWire).
func (f *File) UnmarshalJSON(data []byte) error {
	// An absent pair must not read as code 0 (other, private, exists).
	w := fileWire{FileType: CodeName{Code: -1}, AccessLevel: CodeName{Code: -1}, Status: CodeName{Code: -1}}
	if err := unmarshalExact(data, &w); err != nil {
		return err
	}
	*f = File{
		ID:            string(w.ID),
		AppFileID:     string(w.AppFileID),
		Name:          text(w.Name),
		AppName:       text(w.AppName),
		Instance:      int(w.InstID),
		Type:          withCode(w.FileType, w.FType),
		Sharing:       withCode(w.AccessLevel, w.FACL),
		Status:        withCode(w.Status, w.FStat),
		IsFolder:      w.IsFolder,
		Size:          int64(w.Size),
		OwnerName:     text(w.OwnerName),
		OwnerAddress:  text(w.OwnerAddress),
		OwnerExternal: w.OwnerExternal,
		Link:          text(w.AlternateLink),
		ParentID:      string(w.ParentID),
		MimeType:      text(w.MimeType),
		Extension:     text(w.FileExtension),
	}
	switch {
	case w.AppID != nil:
		f.AppID = int(*w.AppID)
	case w.SaaSID != nil:
		f.AppID = int(*w.SaaSID)
	}
	// createdDate is the file's creation in its app. A payload without it falls back
	// to created, which MCASPS found next to an unrelated "Created".
	switch {
	case w.CreatedDate != nil && !w.CreatedDate.IsZero():
		f.Created = w.CreatedDate.Time
	case w.Created != nil:
		f.Created = w.Created.Time
	}
	if w.ModifiedDate != nil {
		f.Modified = w.ModifiedDate.Time
	}
	// A folder may come without a type (as in a recorded listing); the type filter calls
	// folders 6.
	switch {
	case !f.IsFolder && f.Type.Code == FileTypeFolder:
		f.IsFolder = true
	case f.IsFolder && !f.Type.Present():
		f.Type = CodeName{Code: FileTypeFolder, Name: "FOLDER"}
	}
	for _, d := range w.Domains {
		if s := text(d); s != "" {
			f.Domains = append(f.Domains, s)
		}
	}
	for _, c := range w.Collaborators {
		if c == nil {
			continue
		}
		fc := FileCollaborator{
			ID: string(c.ID), Name: text(c.Name), Email: text(c.Email), Domain: text(c.Domain),
			Type: int(c.Type), AccessLevel: int(c.AccessLevel),
		}
		if fc.Domain == "" {
			if _, domain, ok := strings.Cut(fc.Email, "@"); ok {
				fc.Domain = strings.ToLower(domain)
			}
		}
		f.Collaborators = append(f.Collaborators, fc)
	}
	for _, raw := range w.FTags {
		if l := labelName(raw); l != "" {
			f.Labels = append(f.Labels, l)
		}
	}
	return nil
}

// withCode completes a pair with the flat code MDA sends beside it (ftype, facl, fstat)
// when the pair itself has none.
func withCode(c CodeName, flat *FlexInt) CodeName {
	if c.Code < 0 && flat != nil {
		c.Code = int(*flat)
	}
	return c
}

// text is a string field: null, absent and the string "null" are all no value.
func text(s *string) string {
	if s == nil || *s == "null" {
		return ""
	}
	return *s
}

// labelName reads one entry of fTags: a string, or an object named by "name" (else
// "id"); the shape is not documented ([U]), and an entry of neither form is skipped
// rather than failing the listing.
func labelName(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if isJSONNothing(raw) {
		return ""
	}
	var s FlexString
	if raw[0] != '{' && s.UnmarshalJSON(raw) == nil {
		return string(s)
	}
	var obj struct {
		Name *string    `json:"name"`
		ID   FlexString `json:"id"`
	}
	if unmarshalExact(raw, &obj) != nil {
		return ""
	}
	if n := text(obj.Name); n != "" {
		return n
	}
	return string(obj.ID)
}

// fileIDPattern is a file's _id, a MongoDB ObjectId.
var fileIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// ValidFileID reports whether id has the shape of an MDA file id.
func ValidFileID(id string) bool { return fileIDPattern.MatchString(id) }

// ListFiles lists files, 100 per request. With an Entra credential it returns
// ErrFilesNeedLegacyToken without sending anything.
func (c *Client) ListFiles(ctx context.Context, q Query) (ListResult[File], error) {
	op := newOperation("list files", http.MethodPost, "/v1/files/", permFileRead, classList)
	if !c.UsesLegacyToken() {
		return ListResult[File]{}, fmt.Errorf("%s: %w", op.name, ErrFilesNeedLegacyToken)
	}
	if err := q.validate(); err != nil {
		return ListResult[File]{}, fmt.Errorf("%s: %w", op.name, err)
	}
	return listAll[File](ctx, c, op, q.listRequest(), q.Max)
}

// GetFile reads one file by MDA's id. A file that does not exist gives an *APIError
// with IsNotFound; with an Entra credential it returns ErrFilesNeedLegacyToken without
// sending anything.
func (c *Client) GetFile(ctx context.Context, id string) (*File, error) {
	if !ValidFileID(id) {
		return nil, fmt.Errorf("file id %q is not valid: MDA file ids are 24 hexadecimal characters", id)
	}
	id = strings.ToLower(id)
	op := newOperation("read file "+id, http.MethodGet, "/v1/files/{id}/", permFileRead, classRead, id)
	if !c.UsesLegacyToken() {
		return nil, fmt.Errorf("%s: %w", op.name, ErrFilesNeedLegacyToken)
	}
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	var f File
	if err := decodeKeepingRaw(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: decoding the file: %w", op.name, err)
	}
	return &f, nil
}
