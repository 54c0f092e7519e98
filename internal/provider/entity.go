package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// Entity enums (mda-api.md §5): the type codes are [I] (a user carries accounts), the
// statuses are the status filter's table.
var entityTypeCodes = map[string]int{
	"account": mda.EntityTypeAccount,
	"user":    mda.EntityTypeUser,
}

var (
	entityTypeNames = invert(entityTypeCodes)
	entityTypeWords = wordsByCode(entityTypeCodes)
)

var entityStatusCodes = map[string]int{
	"not_applicable": mda.EntityStatusNA,
	"staged":         mda.EntityStatusStaged,
	"active":         mda.EntityStatusActive,
	"suspended":      mda.EntityStatusSuspended,
	"deleted":        mda.EntityStatusDeleted,
}

var (
	entityStatusNames = invert(entityStatusCodes)
	entityStatusWords = wordsByCode(entityStatusCodes)
)

// entityDataModel is one user or account as mda_entity and mda_entities show it.
type entityDataModel struct {
	ID           types.String         `tfsdk:"id"`
	InternalID   types.String         `tfsdk:"internal_id"`
	Key          types.String         `tfsdk:"key"`
	Type         types.String         `tfsdk:"type"`
	DisplayName  types.String         `tfsdk:"display_name"`
	Email        types.String         `tfsdk:"email"`
	Domain       types.String         `tfsdk:"domain"`
	Organization types.String         `tfsdk:"organization"`
	Status       types.String         `tfsdk:"status"`
	IsAdmin      types.Bool           `tfsdk:"is_admin"`
	IsExternal   types.Bool           `tfsdk:"is_external"`
	LastSeen     types.String         `tfsdk:"last_seen"`
	App          *entityAppModel      `tfsdk:"app"`
	UserGroups   []entityGroupModel   `tfsdk:"user_groups"`
	Accounts     []entityAccountModel `tfsdk:"accounts"`
	RawJSON      types.String         `tfsdk:"raw_json"`
}

type entityAppModel struct {
	ID       types.Int64  `tfsdk:"id"`
	Name     types.String `tfsdk:"name"`
	Instance types.Int64  `tfsdk:"instance"`
}

type entityGroupModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

type entityAccountModel struct {
	ID          types.String `tfsdk:"id"`
	AppID       types.Int64  `tfsdk:"app_id"`
	Instance    types.Int64  `tfsdk:"instance"`
	DisplayName types.String `tfsdk:"display_name"`
	IsExternal  types.Bool   `tfsdk:"is_external"`
	Status      types.String `tfsdk:"status"`
}

// entityDataAttributes describes one entity in the data sources; mda_entity replaces
// id and app's inputs with its own.
func entityDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The entity's id in its app: an Entra object id for a user, a UPN or the app's own user id for an account.",
			Computed:            true,
		},
		"internal_id": schema.StringAttribute{
			MarkdownDescription: "MDA's record id for the entity (`_id` in the API).",
			Computed:            true,
		},
		"key": schema.StringAttribute{
			MarkdownDescription: "The entity's key in MDA's API: the base64 of `{\"id\":...,\"saas\":...,\"inst\":...}`, as the " +
				"fetch and tree requests take it.",
			Computed: true,
		},
		"type": schema.StringAttribute{
			MarkdownDescription: "`user` (a person, with `accounts`) or `account` (an identity in one app).",
			Computed:            true,
		},
		"display_name": schema.StringAttribute{MarkdownDescription: "The entity's display name.", Computed: true},
		"email":        schema.StringAttribute{MarkdownDescription: "The entity's email address; null when MDA has none.", Computed: true},
		"domain":       schema.StringAttribute{MarkdownDescription: "The entity's domain; null when MDA has none.", Computed: true},
		"organization": schema.StringAttribute{MarkdownDescription: "The entity's organization; null when MDA has none.", Computed: true},
		"status": schema.StringAttribute{
			MarkdownDescription: "`not_applicable`, `staged`, `active`, `suspended` or `deleted`.",
			Computed:            true,
		},
		"is_admin": schema.BoolAttribute{MarkdownDescription: "Whether MDA counts the entity as an administrator.", Computed: true},
		"is_external": schema.BoolAttribute{
			MarkdownDescription: "Whether the entity is outside the tenant's domains; null when MDA does not know.",
			Computed:            true,
		},
		"last_seen": schema.StringAttribute{
			MarkdownDescription: "When MDA last saw the entity active, as an RFC 3339 timestamp in UTC; null when never.",
			Computed:            true,
		},
		"app": schema.SingleNestedAttribute{
			MarkdownDescription: "The app the entity belongs to.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"id":       schema.Int64Attribute{MarkdownDescription: "The app's MDA id, such as `11161` for Office 365.", Computed: true},
				"name":     schema.StringAttribute{MarkdownDescription: "The app's name.", Computed: true},
				"instance": schema.Int64Attribute{MarkdownDescription: "The app instance (0 unless the tenant connects the app more than once).", Computed: true},
			},
		},
		"user_groups": schema.ListNestedAttribute{
			MarkdownDescription: "The MDA user groups the entity is in.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":   schema.StringAttribute{MarkdownDescription: "The group's id, as the `user_groups` filter takes it.", Computed: true},
				"name": schema.StringAttribute{MarkdownDescription: "The group's name.", Computed: true},
			}},
		},
		"accounts": schema.ListNestedAttribute{
			MarkdownDescription: "A user's accounts in its apps, as the user's record lists them; empty for an account.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":           schema.StringAttribute{MarkdownDescription: "The account's id in its app.", Computed: true},
				"app_id":       schema.Int64Attribute{MarkdownDescription: "The account's app.", Computed: true},
				"instance":     schema.Int64Attribute{MarkdownDescription: "The account's app instance.", Computed: true},
				"display_name": schema.StringAttribute{MarkdownDescription: "The account's display name.", Computed: true},
				"is_external": schema.BoolAttribute{
					MarkdownDescription: "Whether the account is external; null when MDA does not say.",
					Computed:            true,
				},
				"status": schema.StringAttribute{MarkdownDescription: "The account's status, in the words of `status`.", Computed: true},
			}},
		},
		"raw_json": schema.StringAttribute{
			MarkdownDescription: "The entity as MDA sent it, as JSON, for fields this provider does not map; read it with `jsondecode`.",
			Computed:            true,
		},
	}
}

// entityDataFromAPI maps an API entity for the data sources.
func entityDataFromAPI(e mda.Entity) entityDataModel {
	m := entityDataModel{
		ID:           types.StringValue(e.ID),
		InternalID:   stringOrNull(e.InternalID),
		Key:          types.StringValue(e.Key()),
		Type:         types.StringValue(enumWord(entityTypeNames, e.Type)),
		DisplayName:  stringOrNull(e.DisplayName),
		Email:        stringOrNull(e.Email),
		Domain:       stringOrNull(e.Domain),
		Organization: stringOrNull(e.Organization),
		Status:       types.StringValue(enumWord(entityStatusNames, e.Status)),
		IsAdmin:      types.BoolValue(e.IsAdmin),
		IsExternal:   types.BoolPointerValue(e.IsExternal),
		LastSeen:     types.StringNull(),
		App: &entityAppModel{
			ID:       types.Int64Value(int64(e.App.ID)),
			Name:     stringOrNull(e.App.Name),
			Instance: types.Int64Value(int64(e.App.Instance)),
		},
		UserGroups: make([]entityGroupModel, 0, len(e.UserGroups)),
		Accounts:   make([]entityAccountModel, 0, len(e.Accounts)),
		RawJSON:    types.StringValue(string(e.Raw)),
	}
	if !e.LastSeen.IsZero() {
		m.LastSeen = types.StringValue(formatTime(e.LastSeen))
	}
	for _, g := range e.UserGroups {
		m.UserGroups = append(m.UserGroups, entityGroupModel{ID: types.StringValue(g.ID), Name: stringOrNull(g.Name)})
	}
	for _, a := range e.Accounts {
		m.Accounts = append(m.Accounts, entityAccountModel{
			ID:          types.StringValue(a.ID),
			AppID:       types.Int64Value(int64(a.AppID)),
			Instance:    types.Int64Value(int64(a.Instance)),
			DisplayName: stringOrNull(a.DisplayName),
			IsExternal:  types.BoolPointerValue(a.IsExternal),
			Status:      types.StringValue(enumWord(entityStatusNames, a.Status)),
		})
	}
	if len(e.Raw) == 0 {
		m.RawJSON = types.StringNull()
	}
	return m
}
