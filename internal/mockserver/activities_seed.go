package mockserver

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// SeededActivities is how many activities a tenant starts with: enough for scan mode
// (above 1 000) and a pull of 5 000, with every filter value matching many of them.
const SeededActivities = 5000

// activitySpan is how far back the seeded activities go.
const activitySpan = 30 * 24 * time.Hour

// activityStore holds the tenant's activities. Like store, it expects Server.mu held.
type activityStore struct {
	seed    uint64
	counter uint64
	items   []*Activity
	byID    map[string]*Activity
	sorted  []*Activity // newest first; nil after a change

	scanPages  int
	onScanPage func(ActivityScanPage)
}

// activityStore returns the tenant's activities, seeding them on first use: most tests
// never list activities, and seeding is the only cost a mock start would otherwise pay.
// s.mu must be held.
func (s *Server) activityStore() *activityStore {
	if s.store.activities == nil {
		s.store.activities = newActivityStore(s.store, s.now())
	}
	return s.store.activities
}

func (as *activityStore) insert(a *Activity) {
	as.items = append(as.items, a)
	as.byID[a.ID] = a
	as.sorted = nil
}

// newestFirst is the default order: by date, newest first, ties by id.
func (as *activityStore) newestFirst() []*Activity {
	if as.sorted == nil {
		as.sorted = slices.Clone(as.items)
		slices.SortFunc(as.sorted, func(a, b *Activity) int {
			return cmp.Or(cmp.Compare(b.Timestamp, a.Timestamp), strings.Compare(b.ID, a.ID))
		})
	}
	return slices.Clone(as.sorted)
}

// nextID is "<tenant>_<app>_<guid>", one of the two shapes real ids have (mda-api.md §4).
func (as *activityStore) nextID(tid, app int) string {
	as.counter++
	return fmt.Sprintf("%d_%d_%s", tid, app, stableUUID(fmt.Sprintf("activity:%d:%d", as.seed, as.counter)))
}

// activityApp is an app that reports activities, and what it reports.
type activityApp struct {
	id        int
	instances int
	events    []activityEvent
	weight    int
}

// activityEvent is one kind of activity: the app's operation name, the portal's
// activity type word, MDA's event type, and whether it is administrative.
type activityEvent struct {
	action, kind, eventType string
	admin, file             bool
	severity                string
}

var (
	o365Events = []activityEvent{
		{action: "UserLoggedIn", kind: "login", eventType: "EVENT_O365_AAD_LOGIN", severity: "INFO"},
		{action: "UserLoginFailed", kind: "failedLogin", eventType: "EVENT_O365_AAD_LOGIN_FAILED", severity: "LOW"},
		{action: "Add member to role.", kind: "assignPrivilege", eventType: "EVENT_O365_AAD_ADD_ROLE_MEMBER", admin: true, severity: "MEDIUM"},
		{action: "Set-AdminAuditLogConfig", kind: "edit", eventType: "EVENT_O365_EXCHANGE_ADMIN", admin: true, severity: "HIGH"},
	}
	fileEvents = []activityEvent{
		{action: "FilePreviewed", kind: "view", eventType: "EVENT_O365_ONEDRIVE_GENERIC", file: true, severity: "INFO"},
		{action: "FileDownloaded", kind: "download", eventType: "EVENT_O365_ONEDRIVE_DOWNLOAD", file: true, severity: "INFO"},
		{action: "FileUploaded", kind: "upload", eventType: "EVENT_O365_ONEDRIVE_UPLOAD", file: true, severity: "INFO"},
		{action: "SharingSet", kind: "share", eventType: "EVENT_O365_ONEDRIVE_SHARE", file: true, severity: "LOW"},
		{action: "FileDeleted", kind: "delete", eventType: "EVENT_O365_ONEDRIVE_DELETE", file: true, severity: "LOW"},
	}
	mailEvents = []activityEvent{
		{action: "MailItemsAccessed", kind: "view", eventType: "EVENT_O365_EXCHANGE_MAIL_ACCESS", severity: "INFO"},
		{action: "New-InboxRule", kind: "create", eventType: "EVENT_O365_EXCHANGE_INBOX_RULE", severity: "MEDIUM"},
		{action: "Send", kind: "send", eventType: "EVENT_O365_EXCHANGE_SEND", severity: "INFO"},
	}
	saasEvents = []activityEvent{
		{action: "login", kind: "login", eventType: "EVENT_SAAS_LOGIN", severity: "INFO"},
		{action: "login_failure", kind: "failedLogin", eventType: "EVENT_SAAS_LOGIN_FAILED", severity: "LOW"},
		{action: "download", kind: "download", eventType: "EVENT_SAAS_DOWNLOAD", file: true, severity: "INFO"},
		{action: "permission_change", kind: "assignPrivilege", eventType: "EVENT_SAAS_PERMISSION", admin: true, severity: "MEDIUM"},
	}
	activityApps = []activityApp{
		{id: 11161, instances: 1, events: o365Events, weight: 20},
		{id: 15600, instances: 1, events: fileEvents, weight: 18},
		{id: 20892, instances: 1, events: fileEvents, weight: 12},
		{id: 20893, instances: 1, events: mailEvents, weight: 16},
		{id: 11770, instances: 1, events: append(slices.Clone(saasEvents), fileEvents[:2]...), weight: 12},
		{id: 10489, instances: 1, events: saasEvents, weight: 8},
		{id: 11114, instances: 2, events: saasEvents, weight: 8},
		{id: 11599, instances: 1, events: saasEvents[:2], weight: 6},
	}
)

// torTagID is the built-in Tor IP tag (seed.go).
const torTagID = "2dfa95cd7922d979d66fcff5"

// activityIP is an address activities come from, with what MDA derives from it.
type activityIP struct {
	ip, country, city, org string
	category               int
	tags                   []string
	weight                 int
}

var activityIPs = []activityIP{
	{"203.0.113.10", "US", "Seattle", "Contoso Ltd", 1, []string{"000000310000000000000000"}, 20},
	{"203.0.113.24", "US", "Seattle", "Contoso Ltd", 1, []string{"000000310000000000000000"}, 14},
	{"198.51.100.7", "NL", "Amsterdam", "Contoso Ltd", 1, []string{"000000310000000000000000"}, 10},
	{"192.0.2.55", "GB", "London", "Contoso VPN", 4, nil, 8},
	{"81.2.69.142", "GB", "London", "British Telecom", 0, nil, 7},
	{"175.16.199.3", "CN", "Changchun", "China Unicom", 0, nil, 3},
	{"2.125.160.216", "GB", "Boxford", "Sky Broadband", 0, nil, 5},
	{"89.160.20.112", "SE", "Linköping", "Bredband2 AB", 0, nil, 5},
	{"216.160.83.56", "US", "Milton", "Comcast Cable", 0, nil, 8},
	{"2001:db8:85a3::8a2e:370:7334", "BR", "São Paulo", "Claro S.A.", 6, nil, 4},
	{"41.58.1.9", "NG", "Lagos", "MTN Nigeria", 0, nil, 2},
	{"185.220.101.4", "DE", "Frankfurt", "Tor exit node", 3, []string{torTagID}, 2},
	{"185.220.101.33", "DE", "Frankfurt", "Tor exit node", 3, []string{torTagID}, 1},
	{"13.64.10.1", "US", "San Jose", "Microsoft Corporation", 5, []string{"0000002a0000000000000000"}, 3},
}

// activityUsers are the seeded users plus outsiders, so user.domain has several values.
var activityUsers = append(slices.Clone(seedUsers), []struct{ name, upn string }{
	{"Ivan Petrov", "ivan@fabrikam.com"},
	{"Judy Guest", "judy.guest@fabrikam.com"},
	{"Mallory External", "mallory@outlook.com"},
}...)

var activityDevices = []struct {
	typ, agent string
	weight     int
}{
	{"DESKTOP", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", 50},
	{"DESKTOP", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Safari/605.1.15", 10},
	{"MOBILE", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) Mobile/15E148", 18},
	{"TABLET", "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) Mobile/15E148", 8},
	{"OTHER", "OneDriveMpc-Transform_Thumbnail/1.0", 14},
}

// activitySources are the source codes (no 4), weighted: most activities come from app
// connectors.
var activitySources = []struct{ code, weight int }{{0, 8}, {1, 10}, {2, 60}, {3, 10}, {5, 7}, {6, 5}}

func weighted[T any](rng *rand.Rand, xs []T, weight func(T) int) T {
	total := 0
	for _, x := range xs {
		total += weight(x)
	}
	n := rng.IntN(total)
	for _, x := range xs {
		if n -= weight(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// newActivityStore seeds SeededActivities activities over the activitySpan before now.
// Their times are distinct to the millisecond (one per slot of the span), so a scan page
// never has to drop records that share a time with the next page, and a scan of the
// seed costs exactly one request per 100. Alerts' ids and policies come from the
// seeded alerts, so the alert and policy filters match real alerts.
func newActivityStore(st *store, now time.Time) *activityStore {
	as := &activityStore{seed: st.seed, byID: make(map[string]*Activity, SeededActivities)}
	rng := rand.New(rand.NewPCG(st.seed, 0x61637469766974))
	slot := int64(activitySpan/time.Millisecond) / SeededActivities
	end := now.UnixMilli() - 60_000 // a minute before now: what arrives later is newer
	var alerts []*alert
	if st.alerts != nil {
		for _, a := range st.alerts.items {
			if !a.IsSystemAlert {
				alerts = append(alerts, a)
			}
		}
	}
	for i := range SeededActivities {
		ts := end - int64(i)*slot - rng.Int64N(slot)
		app := weighted(rng, activityApps, func(a activityApp) int { return a.weight })
		ev := app.events[rng.IntN(len(app.events))]
		u := activityUsers[rng.IntN(len(activityUsers))]
		ip := weighted(rng, activityIPs, func(x activityIP) int { return x.weight })
		dev := weighted(rng, activityDevices, func(d struct {
			typ, agent string
			weight     int
		}) int {
			return d.weight
		})
		src := weighted(rng, activitySources, func(s struct{ code, weight int }) int { return s.weight }).code
		a := &Activity{
			Timestamp: ts, Created: ts + 30_000 + rng.Int64N(int64(10*time.Minute/time.Millisecond)),
			AppID: app.id, Instance: rng.IntN(app.instances),
			ActionType: ev.action, EventActionType: ev.kind, EventType: ev.eventType,
			Severity: ev.severity, Admin: ev.admin,
			User: u.upn, UserName: u.name,
			IP: ip.ip, IPCategory: ip.category, IPTags: slices.Clone(ip.tags),
			Country: ip.country, City: ip.city, Organization: ip.org,
			UserAgent: dev.agent, DeviceType: dev.typ, Source: src,
			Impersonated: rng.IntN(40) == 0,
			CreatedFloat: rng.IntN(10) == 0,
		}
		if ev.file {
			f := rng.IntN(len(seedFiles))
			a.FileID, a.FileName = fileID(f), seedFiles[f]
		}
		// One in 25 is part of an alert, and so matched the alert's policy.
		if len(alerts) > 0 && rng.IntN(25) == 0 {
			al := alerts[rng.IntN(len(alerts))]
			a.AlertIDs = []string{al.ID}
			if al.PolicyID != "" {
				a.PolicyIDs = []string{al.PolicyID}
			}
		}
		a.Description = describeActivity(a)
		a.ID = as.nextID(st.tid, a.AppID)
		as.insert(a)
	}
	return as
}

func describeActivity(a *Activity) string {
	switch {
	case a.FileName != "":
		return fmt.Sprintf("%s: %s by %s", a.ActionType, a.FileName, a.User)
	case a.User != "":
		return fmt.Sprintf("%s by %s from %s", a.ActionType, a.User, a.IP)
	}
	return a.ActionType
}
