package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

const permActivityRead = "Investigation.read"

// Activity is one activity of the tenant's log (mda-api.md §4). Its JSON is decoded with
// exact key matching (unmarshalExact): activity payloads carry keys that differ only by
// case, such as "EventName" and "Level" inside rawDataJson, and encoding/json would let
// either win.
type Activity struct {
	ID string `json:"_id"`
	// Timestamp is when the activity happened (the date filter), Created when MDA stored
	// it (the created filter).
	Timestamp FlexTime `json:"timestamp"`
	Created   FlexTime `json:"created"`
	AppID     FlexInt  `json:"appId"`
	AppName   string   `json:"appName"`
	// EventType is eventTypeValue, MDA's name for the kind of event, such as
	// EVENT_O365_ONEDRIVE_GENERIC.
	EventType   string `json:"eventTypeValue"`
	Description string `json:"description"`
	Severity    string `json:"severity"` // INFO, LOW, MEDIUM, HIGH
	// Source is how MDA learnt of the activity: 0 access control, 1 session control, 2 app
	// connector, 3 app connector analysis, 5 Discovery, 6 Defender for Endpoint.
	Source        FlexInt                        `json:"source"`
	Device        ActivityDevice                 `json:"device"`
	Location      ActivityLocation               `json:"location"`
	User          ActivityUser                   `json:"user"`
	UserAgent     ActivityUserAgent              `json:"userAgent"`
	MainInfo      ActivityMainInfo               `json:"mainInfo"`
	ResolvedActor *ActivityActor                 `json:"resolvedActor"`
	EntityData    map[string]*ActivityEntityData `json:"entityData"` // values may be null
	// AlertIDs and PolicyIDs name the alerts the activity is part of and the policies it
	// matched. Where MDA puts them is not documented (mda-api.md §4 lists only the
	// activity.alertId and policy filters); these keys are the mock's choice.
	AlertIDs  []string `json:"alertIds"`
	PolicyIDs []string `json:"policyIds"`

	// Raw is the activity's JSON exactly as MDA sent it.
	Raw json.RawMessage `json:"-"`
}

// ActivityDevice is where the activity came from, as the app reported it.
type ActivityDevice struct {
	ClientIP    string `json:"clientIP"`
	CountryCode string `json:"countryCode"`
	UserAgent   string `json:"userAgent"`
}

// ActivityLocation is what MDA derived from the IP address.
type ActivityLocation struct {
	CountryCode  string `json:"countryCode"`
	City         string `json:"city"`
	Organization string `json:"organizationSearchable"` // the ISP or organisation
	// Category is the IP address's category (1 corporate .. 6 other, 0 none); its text
	// form categoryValue is "NONE" or "null" when there is none.
	Category FlexInt `json:"category"`
}

// ActivityUser is who performed the activity.
type ActivityUser struct {
	UserName string   `json:"userName"`
	UserTags []string `json:"userTags"`
}

// ActivityUserAgent is MDA's reading of the user agent.
type ActivityUserAgent struct {
	Family     string `json:"family"`
	Name       string `json:"name"`
	OS         string `json:"os"`
	DeviceType string `json:"deviceType"` // DESKTOP, MOBILE, TABLET, OTHER
}

// ActivityMainInfo is the app's own name for the operation.
type ActivityMainInfo struct {
	RawOperationName    string `json:"rawOperationName"`
	PrettyOperationName string `json:"prettyOperationName"`
	Type                string `json:"type"`
}

// ActivityActor is resolvedActor, whose numbers MDA writes as strings.
type ActivityActor struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	SaaSID     FlexInt `json:"saasId"`
	InstanceID FlexInt `json:"instanceId"`
	ObjType    FlexInt `json:"objType"`
	Role       FlexInt `json:"role"`
}

// ActivityEntityData is one entry of entityData.
type ActivityEntityData struct {
	DisplayName string            `json:"displayName"`
	ID          *ActivityEntityPK `json:"id"`
	Resolved    bool              `json:"resolved"`
}

// ActivityEntityPK is an entity's key as MDA writes it in entityData.
type ActivityEntityPK struct {
	ID   FlexString `json:"id"`
	SaaS FlexInt    `json:"saas"`
	Inst FlexInt    `json:"inst"`
}

func (a *Activity) setRawJSON(raw json.RawMessage) { a.Raw = raw }

// UnmarshalJSON decodes an activity with exact key matching, so that encoding/json (which
// listings and fetches call) cannot take a key that differs from the field's only by case.
func (a *Activity) UnmarshalJSON(data []byte) error {
	type plain Activity // no methods: unmarshalExact walks its fields
	var p plain
	if err := unmarshalExact(data, &p); err != nil {
		return err
	}
	*a = Activity(p)
	return nil
}

// ActivityScanThreshold is the largest Max listed with skip and limit; larger listings
// use the API's scan mode (ScanActivities), which lists every record once even while
// activities arrive.
const ActivityScanThreshold = 1000

// ListActivities lists activities. Up to ActivityScanThreshold items it pages with skip
// and limit, 100 per request; above, or with Max <= 0, it uses scan mode.
func (c *Client) ListActivities(ctx context.Context, q Query) (ListResult[Activity], error) {
	op := newOperation("list activities", http.MethodPost, "/v1/activities/", permActivityRead, classList)
	if err := q.validate(); err != nil {
		return ListResult[Activity]{}, fmt.Errorf("%s: %w", op.name, err)
	}
	if q.Max <= 0 || q.Max > ActivityScanThreshold {
		return scanAll[Activity](ctx, c, op, q.listRequest(), q.Max)
	}
	return listAll[Activity](ctx, c, op, q.listRequest(), q.Max)
}

// GetActivity reads one activity by its _id. An activity that does not exist gives an
// *APIError with IsNotFound.
func (c *Client) GetActivity(ctx context.Context, id string) (*Activity, error) {
	id = strings.TrimSpace(id)
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, fmt.Errorf("activity id %q is not valid: copy the id (_id) of an activity from mda_activities or the portal", id)
	}
	op := newOperation("read activity", http.MethodGet, "/v1/activities/{id}/", permActivityRead, classRead, id)
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	var a Activity
	if err := decodeKeepingRaw(raw, &a); err != nil {
		return nil, fmt.Errorf("%s: decoding the activity: %w", op.name, err)
	}
	return &a, nil
}
