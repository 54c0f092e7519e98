package mockserver

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Entity types: the docs do not name the codes; a user carries accounts, so 1 is an
// account and 2 a user ([I], mda-api.md §5).
const (
	entityTypeAccount = 1
	entityTypeUser    = 2
)

// EntityRef names an entity the way its key does: its id in its app, the app, and the
// app's instance.
type EntityRef struct {
	ID       string `json:"id"`
	App      int    `json:"saas"`
	Instance int    `json:"inst"`
}

// Key is the entity's key for the fetch and tree routes: base64 of the docs' JSON.
func (r EntityRef) Key() string {
	b, _ := json.Marshal(struct {
		ID   string `json:"id"`
		SaaS int    `json:"saas"`
		Inst int    `json:"inst"`
	}{r.ID, r.App, r.Instance})
	return base64.StdEncoding.EncodeToString(b)
}

func (r EntityRef) index() string { return fmt.Sprintf("%s|%d|%d", r.ID, r.App, r.Instance) }

// Entity is a user or an account as tests see it (Server.Entities).
type Entity struct {
	InternalID   string    `json:"internalId"` // "_id"
	ID           string    `json:"id"`
	Type         int       `json:"type"`   // 1 account, 2 user
	Status       int       `json:"status"` // 0 N/A, 1 staged, 2 active, 3 suspended, 4 deleted
	DisplayName  string    `json:"displayName"`
	Email        string    `json:"email"`        // "" is served as null
	Domain       string    `json:"domain"`       // "" is served as null
	Organization string    `json:"organization"` // "" is served as null
	IsAdmin      bool      `json:"isAdmin"`
	IsExternal   bool      `json:"isExternal"`
	LastSeen     time.Time `json:"lastSeen"`
	App          int       `json:"app"`
	AppName      string    `json:"appName"`
	Instance     int       `json:"instance"`
	UserGroups   []string  `json:"userGroups"` // group ids
	// User is the user an account belongs to; nil for users and for guests.
	User *EntityRef `json:"user,omitempty"`
	// Accounts are a user's accounts, in the order the user lists them.
	Accounts []EntityRef `json:"accounts,omitempty"`
}

// Ref is the entity's key parts.
func (e Entity) Ref() EntityRef { return EntityRef{ID: e.ID, App: e.App, Instance: e.Instance} }

// EntityGroupName names a seeded user group by id ("" when unknown).
func EntityGroupName(id string) string {
	for _, g := range entityGroups {
		if g.id == id {
			return g.name
		}
	}
	return ""
}

// entity is an entity as stored: the tests' view plus serving quirks.
type entity struct {
	Entity
	// legacyID is served as "Id" after "id" (mda-api.md §1.6: MCASPS renames it).
	legacyID string
	// microSeen writes lastSeen with six fractional digits, as MCASPS's example does.
	microSeen bool
}

func (e *entity) ref() EntityRef { return e.Ref() }
func (e *entity) key() string    { return e.ref().index() }

// entityStore holds the tenant's entities in the list's default order: each user
// followed by its accounts, then the guests ([U]: the API's default order is unknown).
type entityStore struct {
	items []*entity
	byKey map[string]*entity
}

func (es *entityStore) insert(e *entity) {
	es.items = append(es.items, e)
	es.byKey[e.key()] = e
}

// Entities returns every entity in the list's default order.
func (s *Server) Entities() []Entity {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entity, 0, len(s.entityStore().items))
	for _, e := range s.entityStore().items {
		out = append(out, cloneEntity(e.Entity))
	}
	return out
}

func cloneEntity(e Entity) Entity {
	e.UserGroups = slices.Clone(e.UserGroups)
	e.Accounts = slices.Clone(e.Accounts)
	if e.User != nil {
		u := *e.User
		e.User = &u
	}
	return e
}

// entityStore returns the tenant's entities, seeding them on first use: most tests never
// touch entities, and seeding costs a few hundred allocations. s.mu must be held.
func (s *Server) entityStore() *entityStore {
	if s.store.entities == nil {
		s.store.entities = newEntityStore(s.store.seed, s.now())
	}
	return s.store.entities
}

// permEntityRead: "Entities list, fetch, fetch tree" are in Investigation.read
// (mda-api.md §1.2).
var permEntityRead = permission{
	anyOf:    []string{"investigation.read", "investigation.manage"},
	required: []string{"Investigation.read"},
}

// entityCollection declares the documented entity filters (mda-api.md §5).
var entityCollection = newCollection("entities", map[string]field[*entity]{
	// A string field in the docs; MCASPS sends "User"/"Account". Words in any case and
	// the codes are accepted ([I]).
	"type":    {typ: intField, ops: []string{"eq", "neq"}, values: func(e *entity) []any { return []any{e.Type} }, operand: parseEntityType},
	"isAdmin": {typ: boolField, ops: []string{"eq"}, values: func(e *entity) []any { return []any{e.IsAdmin} }},
	// "a selected user also returns its accounts": an account matches its user's pk too.
	"entity": {typ: stringField, ops: []string{"eq", "neq"}, values: func(e *entity) []any {
		pks := []any{fmt.Sprintf("%s|%d", e.ID, e.Instance), fmt.Sprintf("%s|%d|%d", e.ID, e.Instance, e.App)}
		if u := e.User; u != nil {
			pks = append(pks, fmt.Sprintf("%s|%d", u.ID, u.Instance), fmt.Sprintf("%s|%d|%d", u.ID, u.Instance, u.App))
		}
		return pks
	}, operand: parseEntityPK},
	"userGroups": {typ: stringField, ops: []string{"eq", "neq"}, values: func(e *entity) []any { return anys(e.UserGroups) }},
	"app":        {typ: intField, ops: []string{"eq", "neq"}, values: func(e *entity) []any { return []any{e.App} }},
	"instance":   {typ: intField, ops: []string{"eq", "neq"}, values: func(e *entity) []any { return []any{e.Instance} }},
	"isExternal": {typ: boolField, ops: []string{"eq"}, values: func(e *entity) []any { return []any{e.IsExternal} }},
	"domain":     {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: func(e *entity) []any { return entityOptional(e.Domain) }},
	"organization": {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: func(e *entity) []any {
		return entityOptional(e.Organization)
	}},
	"status": {typ: intField, ops: []string{"eq", "neq"}, values: func(e *entity) []any { return []any{e.Status} }},
}, map[string]func(a, b *entity) int{
	// The docs copy the alert sort fields; clients use lastSeen and username (MCASPS).
	"lastSeen": func(a, b *entity) int { return a.LastSeen.Compare(b.LastSeen) },
	"username": func(a, b *entity) int {
		return cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName))
	},
})

func entityOptional(s string) []any {
	if s == "" {
		return nil
	}
	return []any{s}
}

func parseEntityType(raw json.RawMessage) (any, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "account", "1":
			return float64(entityTypeAccount), nil
		case "user", "2":
			return float64(entityTypeUser), nil
		}
		return nil, fmt.Errorf("not an entity type")
	}
	n, err := parseNumber(raw, false)
	if err != nil || (n != entityTypeAccount && n != entityTypeUser) {
		return nil, fmt.Errorf("not an entity type")
	}
	return n, nil
}

// wireEntity is an entity as the API sends it: the XSOAR/SECOPS example of mda-api.md §5.
type wireEntity struct {
	InternalID string `json:"_id"`
	ID         string `json:"id"`
	// LegacyID is written after "id", so a decoder that ignores case takes it for "id".
	LegacyID     string              `json:"Id,omitempty"`
	Type         int                 `json:"type"`
	Status       int                 `json:"status"`
	DisplayName  string              `json:"displayName"`
	IDType       int                 `json:"idType"`
	II           string              `json:"ii"`
	IsAdmin      bool                `json:"isAdmin"`
	IsExternal   bool                `json:"isExternal"`
	IsFake       bool                `json:"isFake"`
	Email        *string             `json:"email"`
	Role         *string             `json:"role"`
	Organization *string             `json:"organization"`
	Domain       *string             `json:"domain"`
	LastSeen     string              `json:"lastSeen"`
	AppData      wireEntityApp       `json:"appData"`
	UserGroups   []wireEntityGroup   `json:"userGroups"`
	Identifiers  []any               `json:"identifiers"`
	SID          *string             `json:"sid"`
	ScoreTrends  any                 `json:"scoreTrends"`
	ThreatScore  *int                `json:"threatScore"`
	SubApps      []any               `json:"subApps"`
	Actions      []any               `json:"actions"`
	SCTime       any                 `json:"sctime"`
	Username     string              `json:"username"`
	Accounts     []wireEntityAccount `json:"accounts,omitempty"`
	// Fetch adds the score history (STAT); the tree adds children ([U]).
	ThreatScoreHistory []any         `json:"threatScoreHistory,omitempty"`
	Children           *[]wireEntity `json:"children,omitempty"`
}

type wireEntityApp struct {
	AppID    int    `json:"appId"`
	Name     string `json:"name"`
	SaaS     int    `json:"saas"`
	Instance int    `json:"instance"`
}

type wireEntityGroup struct {
	DBID        string `json:"_id"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	UsersCount  int    `json:"usersCount"`
}

// wireEntityAccount is a user's account in the one-letter form of mda-api.md §5.
type wireEntityAccount struct {
	ID      string   `json:"_id"`
	I       string   `json:"i"`
	II      string   `json:"ii"`
	Inst    int      `json:"inst"`
	SaaS    int      `json:"saas"`
	T       int      `json:"t"`
	DN      string   `json:"dn"`
	Ext     bool     `json:"ext"`
	S       int      `json:"s"`
	Aliases []string `json:"aliases"`
}

func entityNullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// wireEntity renders e. es.mu is held by the caller (s.mu).
func (es *entityStore) wire(e *entity) wireEntity {
	seen := e.LastSeen.UTC().Format("2006-01-02T15:04:05Z")
	if e.microSeen {
		seen = e.LastSeen.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	username, _ := json.Marshal(e.ID)
	w := wireEntity{
		InternalID:   e.InternalID,
		ID:           e.ID,
		LegacyID:     e.legacyID,
		Type:         e.Type,
		Status:       e.Status,
		DisplayName:  e.DisplayName,
		IDType:       17,
		II:           fmt.Sprintf("%d|%d|%s", e.App, e.Instance, e.ID),
		IsAdmin:      e.IsAdmin,
		IsExternal:   e.IsExternal,
		Email:        entityNullable(e.Email),
		Organization: entityNullable(e.Organization),
		Domain:       entityNullable(e.Domain),
		LastSeen:     seen,
		AppData:      wireEntityApp{AppID: e.App, Name: e.AppName, SaaS: e.App, Instance: e.Instance},
		UserGroups:   []wireEntityGroup{},
		Identifiers:  []any{},
		SubApps:      []any{},
		Actions:      []any{},
		// A JSON string inside a string, with Python's separators.
		Username: fmt.Sprintf(`{"id": %s, "saas": %d, "inst": %d}`, username, e.App, e.Instance),
	}
	for _, id := range e.UserGroups {
		for _, g := range entityGroups {
			if g.id == id {
				w.UserGroups = append(w.UserGroups, wireEntityGroup{DBID: g.dbID, ID: g.id, Name: g.name, Description: g.description, UsersCount: es.groupSize(g.id)})
			}
		}
	}
	if e.Type == entityTypeUser {
		w.Accounts = []wireEntityAccount{}
		for _, r := range e.Accounts {
			a := es.byKey[r.index()]
			if a == nil {
				continue
			}
			w.Accounts = append(w.Accounts, wireEntityAccount{
				ID: fmt.Sprintf("fa-%s-%d", e.InternalID, a.App), I: a.ID, II: fmt.Sprintf("%d|%d|%s", a.App, a.Instance, a.ID),
				Inst: a.Instance, SaaS: a.App, T: a.Type, DN: a.DisplayName, Ext: a.IsExternal, S: a.Status, Aliases: []string{},
			})
		}
	}
	return w
}

func (es *entityStore) groupSize(id string) int {
	n := 0
	for _, e := range es.items {
		if slices.Contains(e.UserGroups, id) {
			n++
		}
	}
	return n
}

// listEntities serves GET and POST /api/v1/entities/.
func (s *Server) listEntities(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	es := s.entityStore()
	runList(s, w, req, entityCollection, es.items, func(e *entity) any { return es.wire(e) })
}

// getEntity serves GET /api/v1/entities/<pk>/, and POST, which the docs' curl example
// uses (mda-api.md §5).
func (s *Server) getEntity(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entityForPath(w, req)
	if !ok {
		return
	}
	out := s.entityStore().wire(e)
	out.ThreatScoreHistory = []any{}
	writeJSON(w, http.StatusOK, out)
}

// entityTree serves GET and POST /api/v1/entities/<pk>/retrieve_tree/. The docs show
// the response only as "entity tree record" ([U]); the mock answers the user at the
// root with its accounts as children, for a user and for any of its accounts alike, and
// a guest account alone.
func (s *Server) entityTree(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entityForPath(w, req)
	if !ok {
		return
	}
	es := s.entityStore()
	root := e
	if e.User != nil {
		if u := es.byKey[e.User.index()]; u != nil {
			root = u
		}
	}
	out := es.wire(root)
	children := []wireEntity{}
	for _, r := range root.Accounts {
		if a := es.byKey[r.index()]; a != nil {
			children = append(children, es.wire(a))
		}
	}
	out.Children = &children
	writeJSON(w, http.StatusOK, out)
}

// entityForPath decodes the pk of the path: base64 (standard or URL-safe, padded or not,
// [I]) of {"id": ..., "saas": ..., "inst": ...} in any key order. A pk that does not
// decode is a forms-style 400 ([I]); an unknown entity a JSON 404, which STAT reads as
// "not found" ([3P]). s.mu must be held.
func (s *Server) entityForPath(w http.ResponseWriter, req *apiRequest) (*entity, bool) {
	ref, err := parseEntityKey(req.id)
	if err != nil {
		var fe formErrors
		fe.add("pk", fmt.Sprintf("%s is not valid", req.id), req.id)
		fe.write(w)
		return nil, false
	}
	es := s.entityStore()
	if ref.App == nil {
		// Without saas, the first entity with this id and instance ([U]).
		for _, e := range es.items {
			if e.ID == ref.ID && e.Instance == ref.Inst {
				return e, true
			}
		}
		writeNotFound(w)
		return nil, false
	}
	e := es.byKey[EntityRef{ID: ref.ID, App: *ref.App, Instance: ref.Inst}.index()]
	if e == nil {
		writeNotFound(w)
		return nil, false
	}
	return e, true
}

type entityKey struct {
	ID   string
	App  *int
	Inst int
}

func parseEntityKey(pk string) (entityKey, error) {
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(pk); err == nil {
			break
		}
	}
	if err != nil {
		return entityKey{}, err
	}
	var k struct {
		ID   any              `json:"id"`
		SaaS *json.RawMessage `json:"saas"`
		Inst *json.RawMessage `json:"inst"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return entityKey{}, err
	}
	out := entityKey{}
	switch id := k.ID.(type) {
	case string:
		out.ID = id
	case float64:
		out.ID = fmt.Sprint(id)
	default:
		return entityKey{}, fmt.Errorf("no id")
	}
	if out.ID == "" {
		return entityKey{}, fmt.Errorf("no id")
	}
	if k.SaaS != nil && !isNull(*k.SaaS) {
		n, err := parseNumber(*k.SaaS, false)
		if err != nil {
			return entityKey{}, err
		}
		app := int(n)
		out.App = &app
	}
	if k.Inst != nil && !isNull(*k.Inst) {
		n, err := parseNumber(*k.Inst, false)
		if err != nil {
			return entityKey{}, err
		}
		out.Inst = int(n)
	}
	return out, nil
}
