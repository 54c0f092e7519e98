package mockserver

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// seededAlerts is how many alerts a tenant starts with: enough for three pages, and for
// every filter value to match several alerts.
const seededAlerts = 300

// alertStore holds the tenant's alerts. Like store, it expects Server.mu to be held.
type alertStore struct {
	seed    uint64
	counter uint64 // feeds newID, apart from store.counter so subnet ids do not move
	idValue int    // the last idValue handed out
	items   []*alert
	byID    map[string]*alert
}

// newAlertStore seeds alerts spread over the 90 days before now. The same seed and the
// same now give the same alerts, ids included.
func newAlertStore(seed uint64, now time.Time) *alertStore {
	as := &alertStore{seed: seed, idValue: 15795000, byID: map[string]*alert{}}
	rng := rand.New(rand.NewPCG(seed, 0x616c65727473))
	stamps := make([]int64, seededAlerts)
	for i := range stamps {
		stamps[i] = now.UnixMilli() - rng.Int64N(int64(90*24*time.Hour/time.Millisecond))
	}
	// Oldest first, so idValue and the time part of the ids grow with time as they do
	// in MDA.
	slices.Sort(stamps)
	for _, ts := range stamps {
		as.insert(generateAlert(rng, as.nextID(ts), ts, now))
	}
	as.recordLegacyClosed()
	return as
}

// legacyClosedAlerts is how many seeded alerts are served as MDA sent a closed alert
// recorded from a real tenant: a resolveTime, no resolutionStatusValue, and "null" for
// the comment and the handling user.
const legacyClosedAlerts = 3

// recordLegacyClosed turns the oldest alerts closed as resolved (legacy code 2, the
// reading clients give a closed alert without a code) into such alerts. It draws nothing
// from the random source and changes no value a filter sees, so every other alert, and
// every count by filter, stays as the seed made it.
func (as *alertStore) recordLegacyClosed() {
	n := 0
	for _, a := range as.items {
		if n == legacyClosedAlerts {
			return
		}
		if a.Resolution == 2 {
			a.OmitResolution, a.NullStrings = true, true
			a.Comment, a.HandledByUser = "", ""
			n++
		}
	}
}

// nextID is ObjectId-shaped: seconds since the epoch, then bits of the seed and a counter,
// so ids sort roughly by creation and never collide.
func (as *alertStore) nextID(ts int64) string {
	as.counter++
	return fmt.Sprintf("%08x%010x%06x", uint32(ts/1000), splitmix(as.seed^as.counter*0x9e3779b97f4a7c15)&0xffffffffff, as.counter&0xffffff)
}

func (as *alertStore) insert(a *alert) {
	as.idValue++
	if a.idValue == 0 {
		a.idValue = as.idValue
	}
	a.index()
	as.items = append(as.items, a)
	as.byID[a.ID] = a
}

func (as *alertStore) remove(id string) bool {
	if _, ok := as.byID[id]; !ok {
		return false
	}
	delete(as.byID, id)
	as.items = slices.DeleteFunc(as.items, func(a *alert) bool { return a.ID == id })
	return true
}

// newestFirst is the default order of the list and of Server.Alerts.
func (as *alertStore) newestFirst() []*alert {
	out := slices.Clone(as.items)
	slices.SortStableFunc(out, func(a, b *alert) int {
		return cmp.Or(cmp.Compare(b.Timestamp, a.Timestamp), strings.Compare(b.ID, a.ID))
	})
	return out
}

// alertTemplate is one policy that raises alerts: Microsoft's anomaly detections, two
// policies the tenant wrote, and a system alert.
type alertTemplate struct {
	title      string
	policyID   string
	policyType string
	source     string
	system     bool
	alertType  int
	severities []int
	services   []int
	ips        []string // pool; nil: no IP entity
	ipCount    int
	countries  int
	file       bool
	device     bool
	noUser     bool
	intent     []int
	stories    []int
	tactic     string
	weight     int
	describe   func(f alertFacts) string
}

// alertFacts are what one generated alert is about, for its description.
type alertFacts struct {
	user, ip, ip2, service, file, device, country, country2, policy string
	n                                                               int
}

var (
	corporateIPs = []string{"203.0.113.10", "203.0.113.24", "198.51.100.7"}
	externalIPs  = []string{"81.2.69.142", "175.16.199.3", "2.125.160.216", "89.160.20.112", "216.160.83.56", "2001:db8:85a3::8a2e:370:7334"}
	torIPs       = []string{"185.220.101.4", "185.220.101.33", "185.220.100.252"}
)

// serviceNames are MDA app ids; 11161, 11770 and 20940 appear in mda-api.md, the others
// are the portal's catalogue ids as third parties use them.
var serviceNames = map[int]string{
	10489: "Box",
	11114: "Salesforce",
	11161: "Office 365",
	11599: "Amazon Web Services",
	11770: "Google Workspace",
	15600: "Microsoft OneDrive for Business",
	20892: "Microsoft SharePoint Online",
	20893: "Microsoft Exchange Online",
	20940: "Active Directory",
}

func serviceName(id int) string {
	if n, ok := serviceNames[id]; ok {
		return n
	}
	return fmt.Sprintf("App %d", id)
}

var seedUsers = []struct{ name, upn string }{
	{"Alice Johnson", "alice@contoso.com"},
	{"Bob Smith", "bob@contoso.com"},
	{"Carol Martinez", "carol@contoso.com"},
	{"Dave Lee", "dave@contoso.com"},
	{"Erin Brown", "erin@contoso.com"},
	{"Frank Wilson", "frank@contoso.com"},
	{"Grace Kim", "grace@contoso.com"},
	{"Heidi Novak", "heidi.admin@contoso.com"},
}

var seedCountries = []struct{ code, name string }{
	{"US", "United States"}, {"NL", "Netherlands"}, {"GB", "United Kingdom"}, {"SE", "Sweden"},
	{"BR", "Brazil"}, {"CN", "China"}, {"NG", "Nigeria"},
}

var seedFiles = []string{
	"Q3-forecast.xlsx", "customer-list.csv", "payroll-2024.xlsx", "board-minutes.docx",
	"source-code.zip", "passwords.txt", "merger-plan.pptx", "invoice-7781.pdf",
}

var seedDevices = []string{"DC3", "LAPTOP-7Q2K1", "DESKTOP-4HJ8C"}

var alertTemplates = []alertTemplate{
	{
		title: "Impossible travel activity", policyID: "5bfd18bfab73c36ba10d3801", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15001, severities: []int{1, 2}, services: []int{11161, 11770, 11114}, ips: externalIPs, ipCount: 2, countries: 2,
		intent: []int{2}, stories: []int{0}, tactic: "Initial access", weight: 14,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s performed activities in %s from %s (%s) and from %s (%s) within %d minutes: faster than anyone can travel between the two locations.",
				f.user, f.service, f.ip, f.country, f.ip2, f.country2, f.n)
		},
	},
	{
		title: "Activity from a Tor IP address", policyID: "5bfd18bfab73c36ba10d3802", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15002, severities: []int{2}, services: []int{11161, 11770, 10489}, ips: torIPs, ipCount: 1,
		intent: []int{2, 5}, stories: []int{0}, tactic: "Defense evasion", weight: 8,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("<p>The user <b>%s</b> performed an activity in __siteIcon__ %s from the Tor IP address %s. Tor hides where traffic comes from. <a href=\"#/subnet\">Review IP ranges</a></p>",
				f.user, f.service, f.ip)
		},
	},
	{
		title: "Mass download by a single user", policyID: "5bfd18bfab73c36ba10d3803", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15003, severities: []int{1, 2}, services: []int{15600, 20892, 10489}, ips: corporateIPs, ipCount: 1, file: true,
		intent: []int{11}, stories: []int{0}, tactic: "Exfiltration", weight: 10,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s downloaded %d files from %s within 15 minutes, including %s. This is far above the user's usual activity.",
				f.user, f.n, f.service, f.file)
		},
	},
	{
		title: "Multiple failed login attempts", policyID: "5bfd18bfab73c36ba10d3804", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15004, severities: []int{0, 1}, services: []int{11161, 11770, 11114}, ips: externalIPs, ipCount: 1,
		intent: []int{6}, stories: []int{0}, tactic: "Credential access", weight: 14,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s failed to sign in to %s %d times in a row from %s.", f.user, f.service, f.n, f.ip)
		},
	},
	{
		title: "Activity from infrequent country", policyID: "5bfd18bfab73c36ba10d3805", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15005, severities: []int{0, 1}, services: []int{11161, 11770}, ips: externalIPs, ipCount: 1, countries: 1,
		intent: []int{2}, stories: []int{0}, tactic: "Initial access", weight: 10,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s performed activities in %s from %s (%s), a country no one in the organization has been active from in the last 180 days.",
				f.user, f.service, f.ip, f.country)
		},
	},
	{
		title: "Ransomware activity", policyID: "5bfd18bfab73c36ba10d3806", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15006, severities: []int{2}, services: []int{15600, 20892, 10489}, ips: corporateIPs, ipCount: 1, file: true,
		intent: []int{13}, stories: []int{0}, tactic: "Impact", weight: 4,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s uploaded %d files to %s, including %s, whose contents look encrypted: a pattern typical of ransomware.",
				f.user, f.n, f.service, f.file)
		},
	},
	{
		title: "Suspicious inbox forwarding", policyID: "5bfd18bfab73c36ba10d3807", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15007, severities: []int{1}, services: []int{20893, 11161}, ips: externalIPs, ipCount: 1,
		intent: []int{10, 11}, stories: []int{0}, tactic: "Collection", weight: 6,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s created an inbox rule in %s, from %s, that forwards every incoming message to an external address.", f.user, f.service, f.ip)
		},
	},
	{
		title: "Unusual file deletion activities", policyID: "5bfd18bfab73c36ba10d3808", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15008, severities: []int{1}, services: []int{15600, 20892, 11770}, ips: corporateIPs, ipCount: 1, file: true,
		intent: []int{13}, stories: []int{0}, tactic: "Impact", weight: 6,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The user %s deleted %d files from %s in one session, among them %s.", f.user, f.n, f.service, f.file)
		},
	},
	{
		title: "Honeytoken activity", policyID: "5bfd18bfab73c36ba10d38ca", policyType: "ANOMALY_DETECTION", source: "built-in",
		alertType: 15009, severities: []int{1}, services: []int{20940}, ips: corporateIPs, ipCount: 1, device: true,
		intent: []int{7}, stories: []int{0}, tactic: "Discovery", weight: 5,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("Contoso user %s performed %d suspicious activities on %s. MITRE Technique used: Valid Accounts (T1078).", f.user, f.n, f.device)
		},
	},
	{
		title: "Administrative activity from a non-corporate IP address", policyID: "64a1c0ffee5e1ec7ed000a01", policyType: "AUDIT", source: "policy",
		alertType: 14001, severities: []int{0, 1}, services: []int{11161, 11599, 11114}, ips: externalIPs, ipCount: 1,
		intent: []int{4}, stories: []int{8}, weight: 10,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The activity policy %q matched: %s performed an administrative activity in %s from %s, which is not a corporate IP address.",
				f.policy, f.user, f.service, f.ip)
		},
	},
	{
		title: "File shared with a personal email address", policyID: "64a1c0ffee5e1ec7ed000a02", policyType: "FILE", source: "policy",
		alertType: 14002, severities: []int{0, 3}, services: []int{15600, 20892, 11770, 10489}, ips: corporateIPs, ipCount: 1, file: true,
		intent: []int{11}, stories: []int{3}, weight: 8,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The file policy %q matched: %s shared %s in %s with a personal email address.", f.policy, f.user, f.file, f.service)
		},
	},
	{
		title: "App connector error", policyID: "5bfd18bfab73c36ba10d3899", policyType: "SYSTEM_ALERT", source: "built-in", system: true,
		alertType: 10001, severities: []int{3}, services: []int{11114, 10489, 11599}, noUser: true,
		stories: []int{8}, weight: 3,
		describe: func(f alertFacts) string {
			return fmt.Sprintf("The app connector for %s could not fetch activities: its credentials expired. Reconnect the app under Settings > Cloud Apps > Connected apps.", f.service)
		},
	},
}

var closeComments = map[int][]string{
	1: {"Dismissed.", "Known behaviour."},
	2: {"Resolved.", "Password reset done."},
	3: {"Not accurate: the user was on a corporate VPN.", "Too many similar alerts from the build agents."},
	4: {"Confirmed with the user: travelling.", "Triggered by the red-team exercise.", "Expected admin work."},
	5: {"Account compromised; credentials reset and sessions revoked.", "Confirmed exfiltration; escalated to IR."},
}

var (
	benignReasons        = []int{2, 4, 5, 6}
	falsePositiveReasons = []int{0, 1, 3, 4}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func pickTemplate(rng *rand.Rand) *alertTemplate {
	total := 0
	for _, t := range alertTemplates {
		total += t.weight
	}
	n := rng.IntN(total)
	for i := range alertTemplates {
		if n -= alertTemplates[i].weight; n < 0 {
			return &alertTemplates[i]
		}
	}
	return &alertTemplates[len(alertTemplates)-1]
}

// generateAlert makes one alert; rng decides everything, in a fixed order, so a seed
// always gives the same tenant.
func generateAlert(rng *rand.Rand, id string, ts int64, now time.Time) *alert {
	t := pickTemplate(rng)
	svc := pick(rng, t.services)
	f := alertFacts{service: serviceName(svc), policy: t.title, n: 5 + rng.IntN(200)}
	a := &alert{
		Alert: Alert{
			ID: id, Title: t.title, Timestamp: ts, Severity: pick(rng, t.severities),
			IsSystemAlert: t.system, PolicyID: t.policyID, PolicyLabel: t.title, Source: t.source, AlertType: t.alertType,
		},
		policyType: t.policyType,
		intent:     slices.Clone(t.intent),
		stories:    slices.Clone(t.stories),
	}
	if t.tactic != "" {
		a.evidence = []any{map[string]any{"title": map[string]any{"template": "ALERTS_MITRE_TACTIC", "parameters": map[string]any{"tactic": t.tactic}}}}
	}
	switch {
	case t.system:
		a.ThreatScore = 0
	case t.source == "policy":
		a.ThreatScore = rng.IntN(40)
	default:
		a.ThreatScore = 10 + rng.IntN(86)
	}

	var es []map[string]any
	if !t.noUser {
		u := pick(rng, seedUsers)
		f.user = u.name
		es = append(es, accountEntity(u.name, u.upn, svc))
	}
	if t.ips != nil {
		ips := slices.Clone(t.ips)
		rng.Shuffle(len(ips), func(i, j int) { ips[i], ips[j] = ips[j], ips[i] })
		for _, ip := range ips[:t.ipCount] {
			es = append(es, ipEntity(ip))
		}
		f.ip = ips[0]
		if t.ipCount > 1 {
			f.ip2 = ips[1]
		}
	}
	if t.countries > 0 {
		cs := slices.Clone(seedCountries)
		rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
		for _, c := range cs[:t.countries] {
			es = append(es, map[string]any{"id": c.code, "label": c.name, "type": "country"})
		}
		f.country = cs[0].name
		if t.countries > 1 {
			f.country2 = cs[1].name
		}
	}
	if t.device {
		f.device = pick(rng, seedDevices)
		es = append(es, map[string]any{"entityRole": "Related", "id": stableUUID("device:" + f.device), "label": f.device, "type": "device"})
	}
	if t.file {
		i := rng.IntN(len(seedFiles))
		f.file = seedFiles[i]
		es = append(es, map[string]any{"id": fileID(i), "label": f.file, "type": "file"})
	}
	es = append(es, serviceEntity(svc))
	es = append(es, policyEntity(t.policyID, t.title, t.policyType))
	a.Entities = es
	a.Description = t.describe(f)

	closeSeeded(rng, a, now)
	return a
}

// closeSeeded gives the alert its handling: most open, the rest closed in each of the
// five ways, so that every resolution value matches several alerts.
func closeSeeded(rng *rand.Rand, a *alert, now time.Time) {
	switch n := rng.IntN(100); {
	case n < 60:
		a.Resolution = 0
	case n < 65:
		a.Resolution = 1
	case n < 70:
		a.Resolution = 2
	case n < 80:
		a.Resolution = 3
	case n < 92:
		a.Resolution = 4
	default:
		a.Resolution = 5
	}
	if a.Resolution == 0 {
		a.Status = rng.IntN(2)
		return
	}
	a.Status = 1
	if rng.IntN(10) < 3 {
		a.Status = 2
	}
	handled := time.UnixMilli(a.Timestamp + int64(10*time.Minute/time.Millisecond) + rng.Int64N(int64(72*time.Hour/time.Millisecond)))
	if handled.After(now) {
		handled = now
	}
	handled = handled.UTC().Truncate(time.Millisecond)
	a.ResolveTime = &handled
	a.Comment = pick(rng, closeComments[a.Resolution])
	a.HandledByUser = pick(rng, []string{"secops@contoso.com", "heidi.admin@contoso.com"})
	var reason int
	switch a.Resolution {
	case 3:
		reason = pick(rng, falsePositiveReasons)
		a.Reason = &reason
	case 4:
		reason = pick(rng, benignReasons)
		a.Reason = &reason
	}
}

func accountEntity(name, upn string, saas int) map[string]any {
	// A second Salesforce org makes entity.instance worth filtering on.
	inst := 0
	if saas == 11114 {
		inst = 1
	}
	return map[string]any{
		"entityRole": "Source", "entityType": 2, "id": stableUUID("account:" + strings.ToLower(upn)), "inst": inst,
		"label": name, "pa": upn, "saas": saas, "type": "account",
	}
}

func ipEntity(ip string) map[string]any {
	return map[string]any{"entityRole": "Related", "id": ip, "label": ip, "type": "ip"}
}

func serviceEntity(id int) map[string]any {
	return map[string]any{"id": id, "label": serviceName(id), "type": "service"}
}

func policyEntity(id, label, policyType string) map[string]any {
	return map[string]any{"id": id, "label": label, "policyType": policyType, "type": "policyRule"}
}

func fileID(i int) string {
	return fmt.Sprintf("%016x%08x", splitmix(0xf11e^uint64(i)), uint32(i+1))
}

// stableUUID gives a fixed object (a user, a device) the same GUID in every tenant and
// every run.
func stableUUID(s string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	hi := splitmix(h.Sum64())
	lo := splitmix(hi)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(hi>>32), uint16(hi>>16), uint16(hi)&0xfff, uint16(lo>>48)&0x3fff|0x8000, lo&0xffffffffffff)
}
