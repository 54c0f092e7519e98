package mda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const permEntityRead = "Investigation.read"

// Entity types (mda-api.md §5: the docs do not name the codes; a user entity carries
// accounts, so [I] 1 is an account and 2 a user).
const (
	EntityTypeAccount = 1
	EntityTypeUser    = 2
)

// Entity statuses (mda-api.md §5, the status filter).
const (
	EntityStatusNA        = 0
	EntityStatusStaged    = 1
	EntityStatusActive    = 2
	EntityStatusSuspended = 3
	EntityStatusDeleted   = 4
)

// Entity is a user or an account as MDA's Entities API shows it.
type Entity struct {
	// InternalID is MDA's record id ("_id", an ObjectId).
	InternalID string
	// ID is the entity's id in its app: an Entra object id, a UPN, an app's user id. With
	// the app and its instance it makes the entity's key (EntityKey).
	ID           string
	Type         int
	Status       int
	DisplayName  string
	Email        string
	Domain       string
	Organization string
	IsAdmin      bool
	// IsExternal is nil when MDA does not know (it sends null; the filter has three
	// values, true, false and null).
	IsExternal *bool
	// LastSeen is zero when MDA sends none.
	LastSeen   time.Time
	App        EntityApp
	UserGroups []EntityGroup
	// Accounts are a user's accounts in its apps, in MDA's short form; empty for accounts.
	Accounts []EntityAccount

	// Raw is the entity's JSON exactly as MDA sent it.
	Raw json.RawMessage
}

// EntityApp is the app an entity belongs to ("appData").
type EntityApp struct {
	ID   int
	Name string
	// SaaS is the app id that keys the entity ("saas"); the same as ID in every example.
	SaaS     int
	Instance int
}

// EntityGroup is one of MDA's user groups.
type EntityGroup struct {
	ID   string // the group id, which the userGroups filter takes (not its "_id")
	Name string
}

// EntityAccount is one account of a user, as the user's "accounts" list writes it with
// one-letter keys.
type EntityAccount struct {
	InternalID  string // "_id", e.g. "fa-<user _id>-12260"
	ID          string // "i"
	AppID       int    // "saas"
	Instance    int    // "inst"
	Type        int    // "t"
	DisplayName string // "dn"
	IsExternal  *bool  // "ext"
	Status      int    // "s"
}

// Key is the entity's key for the fetch and tree routes.
func (e *Entity) Key() string { return EntityKey(e.ID, e.App.keyApp(), e.App.Instance) }

func (a EntityApp) keyApp() int {
	if a.SaaS != 0 {
		return a.SaaS
	}
	return a.ID
}

func (e *Entity) setRawJSON(raw json.RawMessage) { e.Raw = raw }

// entityWire is an entity as MDA sends it. It is decoded with unmarshalExact: MDA sends
// "Id" next to "id" (mda-api.md §1.6), and encoding/json would let the last of the two
// win whatever its case.
type entityWire struct {
	InternalID   FlexString         `json:"_id"`
	ID           FlexString         `json:"id"`
	Type         FlexInt            `json:"type"`
	Status       FlexInt            `json:"status"`
	DisplayName  FlexString         `json:"displayName"`
	Email        FlexString         `json:"email"`
	Domain       FlexString         `json:"domain"`
	Organization FlexString         `json:"organization"`
	IsAdmin      *bool              `json:"isAdmin"`
	IsExternal   *bool              `json:"isExternal"`
	LastSeen     FlexTime           `json:"lastSeen"`
	AppData      *entityAppWire     `json:"appData"`
	UserGroups   []*entityGroupWire `json:"userGroups"`
	Accounts     []*entityAcctWire  `json:"accounts"`
}

type entityAppWire struct {
	AppID    FlexInt    `json:"appId"`
	Name     FlexString `json:"name"`
	SaaS     FlexInt    `json:"saas"`
	Instance FlexInt    `json:"instance"`
}

type entityGroupWire struct {
	ID   FlexString `json:"id"`
	Name FlexString `json:"name"`
}

type entityAcctWire struct {
	InternalID  FlexString `json:"_id"`
	ID          FlexString `json:"i"`
	SaaS        FlexInt    `json:"saas"`
	Inst        FlexInt    `json:"inst"`
	Type        FlexInt    `json:"t"`
	DisplayName FlexString `json:"dn"`
	External    *bool      `json:"ext"`
	Status      FlexInt    `json:"s"`
}

// UnmarshalJSON decodes an entity with exact key matching. A list element that is null
// (a group or an account) is skipped rather than failing the listing.
func (e *Entity) UnmarshalJSON(data []byte) error {
	var w entityWire
	if err := unmarshalExact(data, &w); err != nil {
		return err
	}
	*e = Entity{
		InternalID:   entityText(w.InternalID),
		ID:           entityText(w.ID),
		Type:         int(w.Type),
		Status:       int(w.Status),
		DisplayName:  entityText(w.DisplayName),
		Email:        entityText(w.Email),
		Domain:       entityText(w.Domain),
		Organization: entityText(w.Organization),
		IsExternal:   w.IsExternal,
		LastSeen:     w.LastSeen.Time,
	}
	if w.IsAdmin != nil {
		e.IsAdmin = *w.IsAdmin
	}
	if a := w.AppData; a != nil {
		e.App = EntityApp{ID: int(a.AppID), Name: entityText(a.Name), SaaS: int(a.SaaS), Instance: int(a.Instance)}
		if e.App.ID == 0 {
			e.App.ID = e.App.SaaS
		}
	}
	for _, g := range w.UserGroups {
		if g != nil {
			e.UserGroups = append(e.UserGroups, EntityGroup{ID: entityText(g.ID), Name: entityText(g.Name)})
		}
	}
	for _, a := range w.Accounts {
		if a != nil {
			e.Accounts = append(e.Accounts, EntityAccount{
				InternalID:  entityText(a.InternalID),
				ID:          entityText(a.ID),
				AppID:       int(a.SaaS),
				Instance:    int(a.Inst),
				Type:        int(a.Type),
				DisplayName: entityText(a.DisplayName),
				IsExternal:  a.External,
				Status:      int(a.Status),
			})
		}
	}
	return nil
}

// entityText reads a FlexString as the alerts read their strings: the string "null" is no
// value (dropNullText).
func entityText(s FlexString) string {
	if s == "null" {
		return ""
	}
	return string(s)
}

// EntityKey is the key MDA's fetch and tree routes take: the base64 of the JSON
// {"id":"<id>","saas":<app>,"inst":<instance>}, keys in the docs' order (mda-api.md §5,
// api-entities-fetch.md). Standard base64 with padding, as STAT sends it; an id of plain
// letters, digits and @.-_ never yields "/" or "+" in it.
func EntityKey(id string, app, instance int) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the docs' JSON, byte for byte, for ids with & < >
	_ = enc.Encode(struct {
		ID   string `json:"id"`
		SaaS int    `json:"saas"`
		Inst int    `json:"inst"`
	}{id, app, instance})
	return base64.StdEncoding.EncodeToString(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// ListEntities lists users and accounts, 100 per request.
func (c *Client) ListEntities(ctx context.Context, q Query) (ListResult[Entity], error) {
	op := newOperation("list entities", http.MethodPost, "/v1/entities/", permEntityRead, classList)
	if err := q.validate(); err != nil {
		return ListResult[Entity]{}, fmt.Errorf("%s: %w", op.name, err)
	}
	return listAll[Entity](ctx, c, op, q.listRequest(), q.Max)
}

// GetEntity reads one user or account by its id, app and app instance. An entity that
// does not exist gives an *APIError with IsNotFound.
func (c *Client) GetEntity(ctx context.Context, id string, app, instance int) (*Entity, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("entity id is empty")
	}
	op := newOperation(fmt.Sprintf("read entity %q of app %d", id, app), http.MethodGet, "/v1/entities/{id}/",
		permEntityRead, classRead, EntityKey(id, app, instance))
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	var e Entity
	if err := decodeKeepingRaw(raw, &e); err != nil {
		return nil, fmt.Errorf("%s: decoding the entity: %w", op.name, err)
	}
	return &e, nil
}

// RelatedEntities is one retrieve_tree request: for a user, its accounts; for an
// account, its user and the user's other accounts. The entity itself is left out.
func (c *Client) RelatedEntities(ctx context.Context, id string, app, instance int) ([]Entity, error) {
	op := newOperation(fmt.Sprintf("read related entities of %q of app %d", id, app), http.MethodGet,
		"/v1/entities/{id}/retrieve_tree/", permEntityRead, classRead, EntityKey(id, app, instance))
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	tree, err := decodeEntityTree(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: decoding the tree: %w", op.name, err)
	}
	out := make([]Entity, 0, len(tree))
	for _, e := range tree {
		if e.ID == id && e.App.keyApp() == app && e.App.Instance == instance {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// decodeEntityTree reads retrieve_tree's answer, whose shape the docs leave as "entity
// tree record" ([U], mda-api.md §5). Accepted: a root entity with its "children" (the
// mock's form: a user and its accounts), a list envelope {"data": [...]}, or a bare
// array. The result is flat, root first.
func decodeEntityTree(raw json.RawMessage) ([]Entity, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	switch {
	case len(raw) > 0 && raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
	default:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, err
		}
		if data, ok := obj["data"]; ok {
			if err := json.Unmarshal(data, &items); err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
			break
		}
		items = append(items, raw)
		if children, ok := obj["children"]; ok && !isJSONNothing(bytes.TrimSpace(children)) {
			var kids []json.RawMessage
			if err := json.Unmarshal(children, &kids); err != nil {
				return nil, fmt.Errorf("children: %w", err)
			}
			items = append(items, kids...)
		}
	}
	out := make([]Entity, 0, len(items))
	for i, item := range items {
		if isJSONNothing(bytes.TrimSpace(item)) {
			continue
		}
		var e Entity
		if err := decodeKeepingRaw(item, &e); err != nil {
			return nil, fmt.Errorf("entity %d: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}
