package mockserver

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Activity is an activity as tests see it (Server.Activities, AddActivities). The wire
// form (wireActivity) is built from it; the filters read it directly.
type Activity struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"` // ms: when it happened (the date filter)
	Created   int64  `json:"created"`   // ms: when MDA stored it (the created filter)
	AppID     int    `json:"appId"`
	Instance  int    `json:"instance"`
	// ActionType is the app's own operation name (mainInfo.rawOperationName, the actionType
	// filter); EventActionType the portal's activity type word (activity.eventActionType,
	// "login", "assignPrivilege"); EventType MDA's eventTypeValue. Which payload key the
	// eventActionType filter reads is not documented ([I]: these pairings).
	ActionType      string   `json:"actionType"`
	EventActionType string   `json:"eventActionType"`
	EventType       string   `json:"eventType"`
	Description     string   `json:"description"`
	Severity        string   `json:"severity"` // INFO, LOW, MEDIUM, HIGH
	User            string   `json:"user"`     // UPN; "" for an activity without a user
	UserName        string   `json:"userName"` // display name
	IP              string   `json:"ip"`
	IPCategory      int      `json:"ipCategory"` // 0 none, 1 corporate .. 6 other
	IPTags          []string `json:"ipTags"`
	Country         string   `json:"country"` // ISO code
	City            string   `json:"city"`
	Organization    string   `json:"organization"`
	UserAgent       string   `json:"userAgent"`
	DeviceType      string   `json:"deviceType"` // DESKTOP, MOBILE, TABLET, OTHER
	Source          int      `json:"source"`     // 0 access control .. 6 Defender for Endpoint (no 4)
	Admin           bool     `json:"admin"`      // activity.type
	Impersonated    bool     `json:"impersonated"`
	AlertIDs        []string `json:"alertIds"`
	PolicyIDs       []string `json:"policyIds"`
	FileID          string   `json:"fileId"`
	FileName        string   `json:"fileName"`
	// CreatedFloat serves created as a float with a fraction of a millisecond, as MDA
	// writes some timestamps (mda-api.md §1.6).
	CreatedFloat bool `json:"createdFloat,omitempty"`
}

// UserDomain is the domain part of the user's UPN, what the user.domain filter compares.
func (a Activity) UserDomain() string {
	if _, d, ok := strings.Cut(a.User, "@"); ok {
		return strings.ToLower(d)
	}
	return ""
}

var permActivityRead = permission{
	anyOf:    []string{"investigation.read", "investigation.manage"},
	required: []string{"Investigation.read"},
}

func optional(s string) []any {
	if s == "" {
		return nil
	}
	return []any{s}
}

// activityCollection declares the documented activity filters (mda-api.md §4).
var activityCollection = newCollection("activities", map[string]field[*Activity]{
	"service":  {typ: intField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return []any{a.AppID} }},
	"instance": {typ: intField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return []any{a.Instance} }},
	// The mock's users have no organisational unit: the field exists, always unset.
	"user.orgUnit":             {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: func(*Activity) []any { return nil }},
	"actionType":               {typ: stringField, ops: []string{"contains", "eq", "neq", "isset", "isnotset"}, values: func(a *Activity) []any { return optional(a.ActionType) }},
	"activity.eventActionType": {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return optional(a.EventActionType) }},
	"activity.id":              {typ: stringField, ops: []string{"eq"}, values: func(a *Activity) []any { return []any{a.ID} }},
	"activity.impersonated":    {typ: boolField, ops: []string{"eq"}, values: func(a *Activity) []any { return []any{a.Impersonated} }},
	"activity.type":            {typ: boolField, ops: []string{"eq"}, values: func(a *Activity) []any { return []any{a.Admin} }},
	"activity.takenAction":     {typ: stringField, ops: []string{"eq", "neq"}, values: func(*Activity) []any { return nil }},
	"device.type":              {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return optional(a.DeviceType) }},
	"userAgent.userAgent":      {typ: stringField, ops: []string{"contains", "ncontains"}, values: func(a *Activity) []any { return optional(a.UserAgent) }},
	"location.country":         {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: func(a *Activity) []any { return optional(a.Country) }},
	"location.organizations":   {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset", "contains"}, values: func(a *Activity) []any { return optional(a.Organization) }},
	"ip.address":               {typ: stringField, ops: []string{"eq", "startswith", "doesnotstartwith", "isset", "isnotset", "neq"}, values: func(a *Activity) []any { return optional(a.IP) }},
	"ip.category":              {typ: intField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return []any{a.IPCategory} }},
	"ip.tags":                  {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return anys(a.IPTags) }},
	"fileId":                   {typ: stringField, ops: []string{"eq"}, values: func(a *Activity) []any { return optional(a.FileID) }},
	// Free text over what the portal's search box finds: description, user, app, action,
	// IP address and file name ([I]: the docs say only "free text").
	"text": {typ: stringField, ops: []string{"eq", "startswithsingle", "text"}, values: func(a *Activity) []any {
		return anys(slices.DeleteFunc([]string{a.Description, a.User, serviceName(a.AppID), a.ActionType, a.IP, a.FileName}, func(s string) bool { return s == "" }))
	}},
	"date":    {typ: timestampField, ops: []string{"lte", "gte", "range", "lte_ndays", "gte_ndays"}, values: func(a *Activity) []any { return []any{a.Timestamp} }},
	"created": {typ: timestampField, ops: []string{"lte", "gte", "range", "gt", "lt", "eq"}, values: func(a *Activity) []any { return []any{a.Created} }},
	"policy":  {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: func(a *Activity) []any { return anys(a.PolicyIDs) }},
	// The docs type source as a string of a number; numbers and numeric strings both match.
	"source":            {typ: intField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return []any{a.Source} }},
	"activity.alertId":  {typ: stringField, ops: []string{"eq"}, values: func(a *Activity) []any { return anys(a.AlertIDs) }},
	"activityObject":    {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return optional(a.FileID) }},
	"entity":            {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: activityEntityPKs, operand: parseEntityPK},
	"user.username":     {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset", "startswith"}, values: func(a *Activity) []any { return optional(strings.ToLower(a.User)) }, operand: parseLowerString},
	"user.domain":       {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset"}, values: func(a *Activity) []any { return optional(a.UserDomain()) }},
	"user.tags":         {typ: stringField, ops: []string{"eq", "neq", "isset", "isnotset", "startswith"}, values: func(*Activity) []any { return nil }},
	"userAgent.tags":    {typ: stringField, ops: []string{"eq", "neq"}, values: func(*Activity) []any { return nil }},
	"device.tags":       {typ: stringField, ops: []string{"eq", "neq"}, values: func(*Activity) []any { return nil }},
	"office365url":      {typ: stringField, ops: []string{"startswith", "eq", "endswith"}, values: func(*Activity) []any { return nil }},
	"fileSelector":      {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return optional(a.FileID) }},
	"activity.objectId": {typ: stringField, ops: []string{"eq", "neq"}, values: func(a *Activity) []any { return optional(a.FileID) }},
}, map[string]func(a, b *Activity) int{
	"date": func(a, b *Activity) int {
		return cmp.Or(cmp.Compare(a.Timestamp, b.Timestamp), strings.Compare(a.ID, b.ID))
	},
	"created": func(a, b *Activity) int {
		return cmp.Or(cmp.Compare(a.Created, b.Created), strings.Compare(a.ID, b.ID))
	},
})

// activityEntityPKs are the keys the entity filter matches: the user's account in the
// activity's app, with and without the app.
func activityEntityPKs(a *Activity) []any {
	if a.User == "" {
		return nil
	}
	id := stableUUID("account:" + strings.ToLower(a.User))
	return []any{fmt.Sprintf("%s|%d", id, a.Instance), fmt.Sprintf("%s|%d|%d", id, a.Instance, a.AppID)}
}

// activitySortKey is what scan mode pages by: the sort field's value.
func activitySortKey(field string) func(*Activity) int64 {
	switch field {
	case "date":
		return func(a *Activity) int64 { return a.Timestamp }
	case "created":
		return func(a *Activity) int64 { return a.Created }
	}
	return nil
}

// listActivities serves GET and POST /api/v1/activities/: skip and limit, or scan mode
// with "isScan": true (scan.go). Without sortField the newest come first ([U]).
func (s *Server) listActivities(w http.ResponseWriter, req *apiRequest) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	s.mu.Lock()
	if isScan(fields) {
		as := s.activityStore()
		env, fe := runScan(fields, activityCollection, as.newestFirst(), activitySortKey, s.now())
		var hook func(ActivityScanPage)
		var info ActivityScanPage
		if fe == nil {
			as.scanPages++
			hook = as.onScanPage
			info = ActivityScanPage{N: as.scanPages, First: !env.continued, Records: len(env.items), HasNext: env.HasNext}
		}
		s.mu.Unlock()
		if fe != nil {
			fe.write(w)
			return
		}
		// Before the answer goes out, so that what the hook adds is there for the next
		// request, whenever the client sends it.
		if hook != nil {
			hook(info)
		}
		env.Data = renderActivities(s, env.items)
		writeJSON(w, http.StatusOK, env)
		return
	}
	defer s.mu.Unlock()
	runList(s, w, req, activityCollection, s.activityStore().newestFirst(), func(a *Activity) any { return s.wireActivity(a) })
}

func renderActivities(s *Server, items []*Activity) []any {
	out := make([]any, 0, len(items))
	for _, a := range items {
		out = append(out, s.wireActivity(a))
	}
	return out
}

// getActivity serves GET /api/v1/activities/<id>/. An unknown id is a 404 with a DRF
// detail ([I], as for alerts).
func (s *Server) getActivity(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.activityStore().byID[req.id]
	if a == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.wireActivity(a))
}

// wireActivity is the activity as the API sends it: the shape of the real one in
// mda-api.md §4, with its quirks (numbers as strings in resolvedActor, null entries in
// entityData, keys differing only by case in rawDataJson).
func (s *Server) wireActivity(a *Activity) map[string]any {
	created := any(a.Created)
	if a.CreatedFloat {
		created = float64(a.Created) + 0.25
	}
	// categoryValue is "null" (a string) when the address has no category, as recorded.
	category, categoryValue := a.IPCategory, "null"
	if category != 0 {
		categoryValue = strings.ToUpper(ipCategoryNames[category])
	}
	w := map[string]any{
		"_id":              a.ID,
		"tenantId":         s.store.tid,
		"aadTenantId":      s.tenant,
		"appId":            a.AppID,
		"saasId":           a.AppID,
		"appName":          serviceName(a.AppID),
		"timestamp":        a.Timestamp,
		"timestampRaw":     a.Timestamp,
		"created":          created,
		"createdRaw":       a.Created,
		"instantiation":    a.Created - 2000,
		"eventType":        eventTypeCode(a.EventType),
		"eventTypeValue":   a.EventType,
		"eventTypeName":    "EVENT_CATEGORY_" + strings.ToUpper(a.EventActionType),
		"genericEventType": "ENUM_ACTIVITY_GENERIC_TYPE_BASIC",
		"description":      a.Description,
		"description_id":   "EVENT_DESCRIPTION_BASIC_EVENT",
		"severity":         a.Severity,
		"source":           a.Source,
		"srcAppId":         a.AppID,
		"uid":              a.ID,
		"classifications":  []any{},
		"confidenceLevel":  20,
		// Where MDA lists an activity's alerts and policies is not documented ([U]).
		"alertIds":      nonNilSlice(a.AlertIDs),
		"policyIds":     nonNilSlice(a.PolicyIDs),
		"device":        map[string]any{"clientIP": a.IP, "countryCode": a.Country, "userAgent": a.UserAgent},
		"location":      s.wireLocation(a, category, categoryValue),
		"userAgent":     map[string]any{"family": agentFamily(a.UserAgent), "name": agentFamily(a.UserAgent), "os": "OTHER", "deviceType": a.DeviceType, "tags": []string{"000000000000000000000000"}},
		"mainInfo":      map[string]any{"rawOperationName": a.ActionType, "prettyOperationName": a.ActionType, "type": "basic", "eventObjects": activityObjects(a)},
		"rawDataJson":   rawDataJSON(a),
		"resolvedActor": resolvedActor(a),
		"entityData":    entityData(a),
		"internals":     map[string]any{"otherIPs": []string{}},
		"collected":     map[string]any{"o365": map[string]any{"blobCreated": a.Created, "blobId": a.ID}},
	}
	if a.User != "" {
		w["user"] = map[string]any{"userName": a.User, "userTags": []string{}}
	} else {
		w["user"] = nil
	}
	return w
}

var ipCategoryNames = map[int]string{1: "corporate", 2: "administrative", 3: "risky", 4: "vpn", 5: "cloud_provider", 6: "other"}

func (s *Server) wireLocation(a *Activity, category int, categoryValue string) map[string]any {
	return map[string]any{
		"countryCode": a.Country, "city": a.City, "organizationSearchable": a.Organization,
		"anonymousProxy": slices.Contains(a.IPTags, torTagID), "isSatelliteProvider": false,
		"category": category, "categoryValue": categoryValue,
	}
}

func eventTypeCode(s string) int {
	h := 0
	for _, r := range s {
		h = (h*31 + int(r)) % 900000
	}
	return 100000 + h
}

func agentFamily(ua string) string {
	name, _, _ := strings.Cut(ua, "/")
	return name
}

func activityObjects(a *Activity) []map[string]any {
	var out []map[string]any
	if a.User != "" {
		out = append(out, map[string]any{"objType": 23, "role": 4, "id": stableUUID("account:" + strings.ToLower(a.User)), "name": a.UserName, "saasId": a.AppID, "instanceId": a.Instance, "tags": []string{}})
	}
	if a.FileID != "" {
		out = append(out, map[string]any{"objType": 21, "role": 5, "id": a.FileID, "name": a.FileName, "saasId": a.AppID, "instanceId": a.Instance, "tags": []string{}})
	}
	return nonNilSlice(out)
}

// rawDataJSON is the app's own record. Its "Level" and "EventName" sit beside "level" and
// "eventName", as MCASPS found in real payloads (mda-api.md §1.6), with other values.
func rawDataJSON(a *Activity) map[string]any {
	return map[string]any{
		"Operation": a.ActionType, "Workload": serviceName(a.AppID), "ClientIP": a.IP, "UserId": a.User,
		"CreationTime": a.Timestamp, "EventName": a.ActionType, "eventName": strings.ToLower(a.EventActionType),
		"Level": 2, "level": "info", "Id": a.ID, "id": strings.ToLower(a.ID),
	}
}

// resolvedActor writes its numbers as strings, as MDA does.
func resolvedActor(a *Activity) any {
	if a.User == "" {
		return nil
	}
	return map[string]any{
		"id": stableUUID("account:" + strings.ToLower(a.User)), "saasId": fmt.Sprint(a.AppID), "instanceId": fmt.Sprint(a.Instance),
		"objType": "23", "name": a.UserName, "role": "4",
	}
}

// entityData is keyed "0", "1", "2" with null for an empty slot.
func entityData(a *Activity) map[string]any {
	out := map[string]any{"0": nil, "1": nil, "2": nil}
	if a.User != "" {
		out["0"] = map[string]any{"displayName": a.UserName, "id": map[string]any{"id": a.User, "saas": a.AppID, "inst": a.Instance}, "resolved": true}
	}
	if a.FileID != "" {
		out["2"] = map[string]any{"displayName": a.FileName, "id": map[string]any{"id": a.FileID, "saas": a.AppID, "inst": a.Instance}, "resolved": true}
	}
	return out
}

// Activities returns every activity, newest first.
func (s *Server) Activities() []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.activityStore().newestFirst()
	out := make([]Activity, len(items))
	for i, a := range items {
		out[i] = cloneActivity(a)
	}
	return out
}

// AddActivities stores activities, as if they had just arrived, and returns them as
// stored. An empty ID gets a new one; a zero Timestamp or Created is now.
func (s *Server) AddActivities(in ...Activity) []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.activityStore()
	now := s.now().UnixMilli()
	out := make([]Activity, 0, len(in))
	for _, a := range in {
		a := cloneActivity(&a)
		if a.Timestamp == 0 {
			a.Timestamp = now
		}
		if a.Created == 0 {
			a.Created = now
		}
		if a.ID == "" {
			a.ID = as.nextID(s.store.tid, a.AppID)
		}
		as.insert(&a)
		out = append(out, cloneActivity(&a))
	}
	return out
}

// DeleteActivities removes activities by id and returns how many there were, as MDA's
// retention would.
func (s *Server) DeleteActivities(ids ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.activityStore()
	n := 0
	for _, id := range ids {
		if as.byID[id] == nil {
			continue
		}
		delete(as.byID, id)
		as.items = slices.DeleteFunc(as.items, func(a *Activity) bool { return a.ID == id })
		as.sorted = nil
		n++
	}
	return n
}

// ActivityScanPage describes a scan page of activities as it is served.
type ActivityScanPage struct {
	// N counts the scan pages served so far, 1 for the first.
	N int
	// First is true when the request's filters put no bound of the scan's own on its sort
	// field: the first page of a scan (unless the client bounded the field itself, with
	// an lte on date in a newest-first scan, say).
	First   bool
	Records int
	HasNext bool
}

// OnActivityScanPage sets f to run each time a scan page of activities is served. It runs
// after the page is made and before it is sent, without the server's lock, so f may call
// AddActivities: the next request sees what it added. A Reset that reseeds drops it.
func (s *Server) OnActivityScanPage(f func(ActivityScanPage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.activityStore().onScanPage = f
}

func cloneActivity(a *Activity) Activity {
	c := *a
	c.IPTags = slices.Clone(a.IPTags)
	c.AlertIDs = slices.Clone(a.AlertIDs)
	c.PolicyIDs = slices.Clone(a.PolicyIDs)
	return c
}
