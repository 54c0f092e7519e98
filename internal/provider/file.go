package provider

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// File enums: fileType and sharing codes are documented with the file filters
// (mda-api.md §6). Status codes are not: only 0 EXISTS is in a recorded payload, so a
// status is named by the NAME MDA sends beside its code.
var fileTypeCodes = map[string]int{
	"other":        mda.FileTypeOther,
	"document":     mda.FileTypeDocument,
	"spreadsheet":  mda.FileTypeSpreadsheet,
	"presentation": mda.FileTypePresentation,
	"text":         mda.FileTypeText,
	"image":        mda.FileTypeImage,
	"folder":       mda.FileTypeFolder,
}

var (
	fileTypeNames = invert(fileTypeCodes)
	fileTypeWords = wordsByCode(fileTypeCodes)
)

var sharingCodes = map[string]int{
	"private":         mda.SharingPrivate,
	"internal":        mda.SharingInternal,
	"external":        mda.SharingExternal,
	"public":          mda.SharingPublic,
	"public_internet": mda.SharingPublicInternet,
}

var (
	sharingNames = invert(sharingCodes)
	sharingWords = wordsByCode(sharingCodes)
)

var fileStatusNames = map[int]string{0: "exists"}

// fileDataModel is one file as the mda_file and mda_files data sources show it.
type fileDataModel struct {
	ID            types.String            `tfsdk:"id"`
	AppFileID     types.String            `tfsdk:"app_file_id"`
	Name          types.String            `tfsdk:"name"`
	AppID         types.Int64             `tfsdk:"app_id"`
	AppName       types.String            `tfsdk:"app_name"`
	Instance      types.Int64             `tfsdk:"instance"`
	Type          types.String            `tfsdk:"type"`
	Sharing       types.String            `tfsdk:"sharing"`
	Status        types.String            `tfsdk:"status"`
	IsFolder      types.Bool              `tfsdk:"is_folder"`
	Size          types.Int64             `tfsdk:"size"`
	Created       types.String            `tfsdk:"created"`
	Modified      types.String            `tfsdk:"modified"`
	OwnerName     types.String            `tfsdk:"owner_name"`
	OwnerAddress  types.String            `tfsdk:"owner_address"`
	OwnerExternal types.Bool              `tfsdk:"owner_external"`
	Link          types.String            `tfsdk:"link"`
	ParentID      types.String            `tfsdk:"parent_id"`
	MimeType      types.String            `tfsdk:"mime_type"`
	Extension     types.String            `tfsdk:"extension"`
	Domains       []string                `tfsdk:"domains"`
	Collaborators []fileCollaboratorModel `tfsdk:"collaborators"`
	Labels        []string                `tfsdk:"labels"`
	RawJSON       types.String            `tfsdk:"raw_json"`
}

type fileCollaboratorModel struct {
	ID     types.String `tfsdk:"id"`
	Name   types.String `tfsdk:"name"`
	Email  types.String `tfsdk:"email"`
	Domain types.String `tfsdk:"domain"`
}

// fileDataAttributes describes one file in the data sources; the singular data source
// replaces id with its input.
func fileDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":          computedString("MDA's id of the file: 24 hexadecimal characters, what `mda_file` takes."),
		"app_file_id": computedString("The file's id in its app (the API's `id`), such as SharePoint's `<site id>|<item id>`."),
		"name":        computedString("The file or folder name."),
		"app_id": schema.Int64Attribute{
			MarkdownDescription: "The app the file is in, by MDA app id (such as `15600` for Microsoft OneDrive for Business).",
			Computed:            true,
		},
		"app_name": computedString("The app's name."),
		"instance": schema.Int64Attribute{
			MarkdownDescription: "The app instance, for apps connected more than once; `0` for the first.",
			Computed:            true,
		},
		"type": computedString("`other`, `document`, `spreadsheet`, `presentation`, `text`, `image` or `folder` " +
			"(the API's `fileType` pair); null when MDA sends none."),
		"sharing": computedString("Who the file is shared with: `private`, `internal`, `external`, `public` or " +
			"`public_internet` (the API's `fileAccessLevel` pair); null when MDA sends none."),
		"status": computedString("The file's status as MDA names it, in lower case, such as `exists` for a file in place " +
			"(the API's `fileStatus` pair)."),
		"is_folder":     schema.BoolAttribute{MarkdownDescription: "Whether this is a folder.", Computed: true},
		"size":          schema.Int64Attribute{MarkdownDescription: "The size in bytes; `0` for folders.", Computed: true},
		"created":       computedString("When the file was created in its app, as an RFC 3339 timestamp in UTC; null when MDA sends no time."),
		"modified":      computedString("When the file was last modified in its app, as an RFC 3339 timestamp in UTC; null when MDA sends no time."),
		"owner_name":    computedString("The owner's display name."),
		"owner_address": computedString("The owner's email address or user name."),
		"owner_external": schema.BoolAttribute{
			MarkdownDescription: "Whether the owner is outside the organization.",
			Computed:            true,
		},
		"link":      computedString("The file's address in its app."),
		"parent_id": computedString("The app's id of the folder holding the file."),
		"mime_type": computedString("The MIME type, such as `text/plain`; null for folders."),
		"extension": computedString("The file name extension without the dot, such as `docx`; null for folders."),
		"domains": schema.ListAttribute{
			MarkdownDescription: "The domains of the users who can access the file, the owner's included.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"collaborators": schema.ListNestedAttribute{
			MarkdownDescription: "The users and groups the file is shared with.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":     computedString("The collaborator's id in the app."),
				"name":   computedString("The collaborator's display name."),
				"email":  computedString("The collaborator's email address; null for groups and when MDA sends none."),
				"domain": computedString("The domain of the collaborator's email address, in lower case; null when unknown."),
			}},
		},
		"labels": schema.ListAttribute{
			MarkdownDescription: "The file's labels (the API's `fTags`), by name, or by id when MDA sends no name.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"raw_json": computedString("The file as MDA sent it, as JSON, for fields this provider does not map; read it with `jsondecode`."),
	}
}

// fileDataFromAPI maps an API file for the data sources.
func fileDataFromAPI(f mda.File) fileDataModel {
	m := fileDataModel{
		ID:            types.StringValue(f.ID),
		AppFileID:     stringOrNull(f.AppFileID),
		Name:          stringOrNull(f.Name),
		AppID:         types.Int64Value(int64(f.AppID)),
		AppName:       stringOrNull(f.AppName),
		Instance:      types.Int64Value(int64(f.Instance)),
		Type:          codeWord(f.Type, fileTypeNames),
		Sharing:       codeWord(f.Sharing, sharingNames),
		Status:        statusWord(f.Status),
		IsFolder:      types.BoolValue(f.IsFolder),
		Size:          types.Int64Value(f.Size),
		Created:       types.StringNull(),
		Modified:      types.StringNull(),
		OwnerName:     stringOrNull(f.OwnerName),
		OwnerAddress:  stringOrNull(f.OwnerAddress),
		OwnerExternal: types.BoolValue(f.OwnerExternal),
		Link:          stringOrNull(f.Link),
		ParentID:      stringOrNull(f.ParentID),
		MimeType:      stringOrNull(f.MimeType),
		Extension:     stringOrNull(f.Extension),
		Domains:       append([]string{}, f.Domains...),
		Collaborators: make([]fileCollaboratorModel, 0, len(f.Collaborators)),
		Labels:        append([]string{}, f.Labels...),
		RawJSON:       types.StringNull(),
	}
	if !f.Created.IsZero() {
		m.Created = types.StringValue(formatTime(f.Created))
	}
	if !f.Modified.IsZero() {
		m.Modified = types.StringValue(formatTime(f.Modified))
	}
	for _, c := range f.Collaborators {
		m.Collaborators = append(m.Collaborators, fileCollaboratorModel{
			ID: stringOrNull(c.ID), Name: stringOrNull(c.Name), Email: stringOrNull(c.Email), Domain: stringOrNull(c.Domain),
		})
	}
	if len(f.Raw) > 0 {
		m.RawJSON = types.StringValue(string(f.Raw))
	}
	return m
}

// codeWord names a [code, NAME] pair by its code, the scale the filters use; a pair
// that came without a code is named by its NAME, and one that did not come at all is null.
func codeWord(c mda.CodeName, names map[int]string) types.String {
	switch {
	case c.Code >= 0:
		return types.StringValue(enumWord(names, c.Code))
	case c.Name != "":
		return types.StringValue(strings.ToLower(c.Name))
	}
	return types.StringNull()
}

// statusWord names a file status by MDA's own NAME, since only one status code is known.
func statusWord(c mda.CodeName) types.String {
	if c.Name != "" {
		return types.StringValue(strings.ToLower(c.Name))
	}
	return codeWord(c, fileStatusNames)
}

// fileIDPattern is a file's id in MDA, an ObjectId.
var fileIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// fileIDValidator checks an mda_file id at plan time.
func fileIDValidator() validator.String {
	return stringvalidator.RegexMatches(fileIDPattern, "must be an MDA file id: 24 hexadecimal characters, as in mda_files' files[*].id")
}

// addFilesNeedLegacyToken reports, before any request, that the files data sources
// cannot work with the provider's Entra credential.
func addFilesNeedLegacyToken(diags *diag.Diagnostics, typeName string) {
	diags.AddError("The Files API needs a legacy API token", fmt.Sprintf(
		"%s reads MDA's Files API, which accepts only a legacy API token: MDA refuses every Microsoft Entra token there "+
			"(403 \"Insufficient role based permissions\"), whatever permissions the application is granted. This provider "+
			"signs in with an Entra credential (a client secret, a client certificate, OIDC, a managed identity or the Azure "+
			"CLI), so no request was sent. Set api_token in the provider block, or MDA_API_TOKEN, to a legacy API token "+
			"created in the Microsoft Defender portal under Settings → Cloud Apps → API tokens. To keep the Entra credential "+
			"for everything else, add a second provider block with an alias and api_token, and set provider = mda.<alias> "+
			"on the file data sources.", typeName))
}
