package mockserver

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The discovered apps behind the Graph surface. Nothing is stored: every answer is
// derived from the seed, the stream's id and the period, so the same request gives the
// same apps on every run and every mock instance, and a reseed changes nothing here.
// lastSeenDateTime counts back from the mock's clock (today, midnight UTC).

// catalogApp is an app of the catalogue (SaaSDB): the same id, name, risk and tags in
// every stream. knownApps are real services so that examples read naturally; the rest of
// the catalogue is generated from the seed.
type catalogApp struct {
	id, name, category string
	domains            []string
	vendor, hq         string
	founded            int
	risk               int    // 1 (very risky) .. 10 (secure)
	tag                string // "" none, else Sanctioned / Unsanctioned / Monitored
	known              bool
	hash               uint64 // per-app randomness for counts and appInfo
}

// knownApps: id, name, category, domains, vendor, headquarters, founded, risk score, tag
// ("?" draws one from the seed). The ids are made up except GitHub's (graph-discovery.md
// 5.2).
var knownApps = []struct {
	id, name, category, domains, vendor, hq string
	founded, risk                           int
	tag                                     string
}{
	{"11760", "GitHub", "codeHosting", "github.com,github.dev,githubusercontent.com", "GitHub, Inc.", "United States", 2008, 10, "Sanctioned"},
	{"11599", "Slack", "collaboration", "slack.com,slack-edge.com", "Salesforce, Inc.", "United States", 2009, 9, "Sanctioned"},
	{"31013", "ChatGPT", "generativeAi", "chatgpt.com,chat.openai.com,oaiusercontent.com", "OpenAI", "United States", 2015, 8, "Monitored"},
	{"31014", "OpenAI API", "aiModelProvider", "api.openai.com,platform.openai.com", "OpenAI", "United States", 2015, 8, "?"},
	{"11627", "Dropbox", "cloudStorage", "dropbox.com,dropboxapi.com,dropboxusercontent.com", "Dropbox, Inc.", "United States", 2007, 9, "Unsanctioned"},
	{"12005", "Box", "cloudStorage", "box.com,boxcdn.net", "Box, Inc.", "United States", 2005, 10, "?"},
	{"11161", "Microsoft OneDrive for Business", "cloudStorage", "onedrive.com,sharepoint.com", "Microsoft Corporation", "United States", 1975, 10, "Sanctioned"},
	{"11114", "Google Drive", "cloudStorage", "drive.google.com,docs.google.com", "Google LLC", "United States", 1998, 9, "?"},
	{"20893", "Microsoft Teams", "communications", "teams.microsoft.com,teams.live.com", "Microsoft Corporation", "United States", 1975, 10, "Sanctioned"},
	{"10921", "Zoom", "onlineMeetings", "zoom.us,zoom.com", "Zoom Video Communications, Inc.", "United States", 2011, 9, "?"},
	{"11394", "Salesforce", "crm", "salesforce.com,force.com", "Salesforce, Inc.", "United States", 1999, 10, "Sanctioned"},
	{"11770", "Atlassian Jira", "projectManagement", "atlassian.net,atlassian.com", "Atlassian Corporation", "Australia", 2002, 9, "?"},
	{"13008", "Trello", "projectManagement", "trello.com", "Atlassian Corporation", "Australia", 2011, 8, "?"},
	{"11522", "Gmail", "webemail", "mail.google.com,gmail.com", "Google LLC", "United States", 1998, 8, "?"},
	{"11984", "Outlook.com", "webemail", "outlook.live.com,outlook.com", "Microsoft Corporation", "United States", 1975, 9, "?"},
	{"12118", "WhatsApp", "personalInstantMessaging", "whatsapp.com,web.whatsapp.com", "Meta Platforms, Inc.", "United States", 2009, 6, "?"},
	{"10874", "Facebook", "socialNetwork", "facebook.com,fbcdn.net", "Meta Platforms, Inc.", "United States", 2004, 6, "?"},
	{"11042", "LinkedIn", "socialNetwork", "linkedin.com,licdn.com", "Microsoft Corporation", "United States", 2002, 8, "?"},
	{"10971", "X (formerly Twitter)", "socialNetwork", "x.com,twitter.com,twimg.com", "X Corp.", "United States", 2006, 5, "?"},
	{"11251", "YouTube", "newsAndEntertainment", "youtube.com,ytimg.com,googlevideo.com", "Google LLC", "United States", 2005, 7, "?"},
	{"12880", "Netflix", "newsAndEntertainment", "netflix.com,nflxvideo.net", "Netflix, Inc.", "United States", 1997, 6, "?"},
	{"25436", "Claude", "generativeAi", "claude.ai", "Anthropic PBC", "United States", 2021, 8, "?"},
	{"25437", "Anthropic API", "aiModelProvider", "api.anthropic.com,console.anthropic.com", "Anthropic PBC", "United States", 2021, 8, "?"},
	{"25912", "Google Gemini", "generativeAi", "gemini.google.com", "Google LLC", "United States", 1998, 8, "?"},
	{"26101", "Microsoft Copilot", "generativeAi", "copilot.microsoft.com", "Microsoft Corporation", "United States", 1975, 10, "Sanctioned"},
	{"26500", "Perplexity", "generativeAi", "perplexity.ai", "Perplexity AI, Inc.", "United States", 2022, 6, "?"},
	{"26711", "Mistral AI", "aiModelProvider", "mistral.ai,api.mistral.ai", "Mistral AI SAS", "France", 2023, 7, "?"},
	{"26802", "Hugging Face", "aiModelProvider", "huggingface.co,hf.co", "Hugging Face, Inc.", "United States", 2016, 6, "?"},
	{"26903", "DeepSeek", "generativeAi", "deepseek.com,chat.deepseek.com", "Hangzhou DeepSeek AI", "China", 2023, 2, "Unsanctioned"},
	{"27004", "GitHub Copilot", "generativeAi", "githubcopilot.com,copilot-proxy.githubusercontent.com", "GitHub, Inc.", "United States", 2008, 9, "Sanctioned"},
	{"27105", "Cursor", "developmentTools", "cursor.com,cursor.sh", "Anysphere, Inc.", "United States", 2022, 6, "?"},
	{"27206", "Smithery", "mcpServer", "smithery.ai", "Smithery", "United States", 2024, 3, "?"},
	{"27307", "LM Studio", "clientAiApp", "lmstudio.ai", "Element Labs, Inc.", "United States", 2023, 5, "?"},
	{"12710", "Amazon Web Services", "cloudComputingPlatform", "aws.amazon.com,amazonaws.com", "Amazon.com, Inc.", "United States", 1994, 10, "?"},
	{"12711", "Microsoft Azure", "cloudComputingPlatform", "azure.com,windows.net", "Microsoft Corporation", "United States", 1975, 10, "Sanctioned"},
	{"12712", "Google Cloud Platform", "cloudComputingPlatform", "cloud.google.com,googleapis.com", "Google LLC", "United States", 1998, 10, "?"},
	{"13250", "Workday", "humanResourceManagement", "workday.com,myworkday.com", "Workday, Inc.", "United States", 2005, 10, "?"},
	{"13251", "ServiceNow", "itServices", "service-now.com,servicenow.com", "ServiceNow, Inc.", "United States", 2004, 10, "?"},
	{"13252", "Zendesk", "customerSupport", "zendesk.com,zdassets.com", "Zendesk, Inc.", "United States", 2007, 9, "?"},
	{"13253", "HubSpot", "marketing", "hubspot.com,hs-scripts.com", "HubSpot, Inc.", "United States", 2006, 8, "?"},
	{"13254", "Mailchimp", "marketing", "mailchimp.com,list-manage.com", "Intuit Inc.", "United States", 2001, 7, "?"},
	{"13255", "Google Analytics", "webAnalytics", "google-analytics.com,analytics.google.com", "Google LLC", "United States", 1998, 8, "?"},
	{"13256", "Tableau Cloud", "businessIntelligence", "online.tableau.com", "Salesforce, Inc.", "United States", 2003, 9, "?"},
	{"13257", "Figma", "productDesign", "figma.com", "Figma, Inc.", "United States", 2012, 8, "?"},
	{"13258", "Canva", "productDesign", "canva.com", "Canva Pty Ltd", "Australia", 2012, 7, "?"},
	{"13259", "Notion", "productivity", "notion.so,notion.site", "Notion Labs, Inc.", "United States", 2013, 7, "?"},
	{"13260", "Evernote", "productivity", "evernote.com", "Bending Spoons S.p.A.", "Italy", 2000, 6, "?"},
	{"13261", "WeTransfer", "contentSharing", "wetransfer.com,we.tl", "WeTransfer B.V.", "Netherlands", 2009, 5, "Unsanctioned"},
	{"13262", "Pastebin", "contentSharing", "pastebin.com", "Pastebin LLC", "United States", 2002, 3, "Unsanctioned"},
	{"13263", "Telegram", "personalInstantMessaging", "telegram.org,t.me", "Telegram Messenger Inc.", "United Arab Emirates", 2013, 4, "?"},
	{"13264", "Expensify", "accountingAndFinance", "expensify.com", "Expensify, Inc.", "United States", 2008, 8, "?"},
	{"13265", "DocuSign", "businessManagement", "docusign.com,docusign.net", "DocuSign, Inc.", "United States", 2003, 10, "?"},
	{"13266", "Stack Overflow", "forums", "stackoverflow.com,sstatic.net", "Stack Exchange, Inc.", "United States", 2008, 7, "?"},
	{"13267", "Reddit", "forums", "reddit.com,redditmedia.com", "Reddit, Inc.", "United States", 2005, 5, "?"},
	{"13268", "Booking.com", "transportationAndTravel", "booking.com", "Booking Holdings Inc.", "Netherlands", 1996, 7, "?"},
	{"13269", "Amazon", "eCommerce", "amazon.com,media-amazon.com", "Amazon.com, Inc.", "United States", 1994, 7, "?"},
	{"13270", "Coursera", "education", "coursera.org", "Coursera, Inc.", "United States", 2012, 7, "?"},
	{"13271", "Datadog", "operationsManagement", "datadoghq.com", "Datadog, Inc.", "United States", 2010, 9, "?"},
	{"13272", "Okta", "security", "okta.com,oktacdn.com", "Okta, Inc.", "United States", 2009, 10, "?"},
	{"13273", "1Password", "security", "1password.com", "AgileBits Inc.", "Canada", 2005, 9, "?"},
	{"13274", "Docker Hub", "developmentTools", "hub.docker.com,docker.io", "Docker, Inc.", "United States", 2013, 7, "?"},
}

// graphCategories are the documented appCategory members (graph-discovery.md 4.7) the
// generated apps draw from, bar unknown and unknownFutureValue.
var graphCategories = []string{
	"security", "collaboration", "hostingServices", "onlineMeetings", "newsAndEntertainment", "eCommerce", "education",
	"cloudStorage", "marketing", "operationsManagement", "health", "advertising", "productivity", "accountingAndFinance",
	"contentManagement", "contentSharing", "businessManagement", "communications", "dataAnalytics", "businessIntelligence",
	"webemail", "codeHosting", "webAnalytics", "socialNetwork", "crm", "forums", "humanResourceManagement",
	"transportationAndTravel", "productDesign", "sales", "cloudComputingPlatform", "projectManagement",
	"personalInstantMessaging", "developmentTools", "itServices", "supplyChainAndLogistics", "propertyManagement",
	"customerSupport", "internetOfThings", "vendorManagementSystems", "websiteMonitoring", "generativeAi",
	"aiModelProvider", "mcpServer", "clientAiApp",
}

var (
	genNameFirst = []string{"Nimbus", "Quantum", "Blue", "Bright", "Cobalt", "Falcon", "Harbor", "Iris", "Juniper", "Kite",
		"Lumen", "Maple", "Nova", "Orbit", "Pixel", "Quill", "Radiant", "Summit", "Tidal", "Umbra",
		"Vertex", "Willow", "Zephyr", "Atlas", "Beacon", "Cedar", "Delta", "Ember", "Granite", "Helix"}
	genNameSecond = []string{"Notes", "Ledger", "Desk", "Flow", "Hub", "Sync", "Share", "Chat", "Drive", "Forms",
		"Board", "Mail", "Meet", "Docs", "Vault", "Metrics", "Pay", "Track", "Learn", "CRM",
		"Sign", "Cloud", "Base", "Pilot", "Studio", "Lens", "Post", "Scan", "Mind AI", "Stack"}
	genHeadquarters = []string{"United States", "United Kingdom", "Germany", "France", "Israel", "India", "Canada",
		"Netherlands", "Ireland", "Singapore", "Japan", "Australia", "Sweden", "Brazil", "China", "Russia"}
	genDataCenters = []string{"United States", "Multiple Locations", "Ireland, Netherlands", "Germany", "United States, Ireland",
		"Canada", "Singapore", "Japan", "Australia", "India"}
	genHosting = []string{"Amazon.com, Inc.", "Microsoft Corporation", "Google LLC", "Cloudflare, Inc.", "Akamai Technologies, Inc.",
		"OVH SAS", "DigitalOcean, LLC", "Hetzner Online GmbH", "Fastly, Inc."}
	genVendorSuffixes = []string{", Inc.", " Ltd.", " GmbH", " LLC", " B.V.", " SAS"}
	genTLDs           = []string{".com", ".io", ".ai", ".app", ".net"}
)

// graphCatalogSize is how many apps the catalogue holds: more than any stream shows.
const graphCatalogSize = 320

// discoveryCatalog is the catalogue for the server's seed, in id order.
func (s *Server) discoveryCatalog() []*catalogApp {
	seed := uint64(s.opts.Seed)
	rng := rand.New(rand.NewPCG(seed, 0x6772617068))
	out := make([]*catalogApp, 0, graphCatalogSize)
	for _, k := range knownApps {
		tag := k.tag
		if tag == "?" {
			tag = drawTag(rng.Float64())
		}
		out = append(out, &catalogApp{
			id: k.id, name: k.name, category: k.category, domains: strings.Split(k.domains, ","),
			vendor: k.vendor, hq: k.hq, founded: k.founded, risk: k.risk, tag: tag, known: true,
		})
	}
	names := make([]int, len(genNameFirst)*len(genNameSecond))
	for i := range names {
		names[i] = i
	}
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for i := 0; len(out) < graphCatalogSize; i++ {
		first, second := genNameFirst[names[i]/len(genNameSecond)], genNameSecond[names[i]%len(genNameSecond)]
		name := first + " " + second
		stem := strings.ToLower(strings.ReplaceAll(name, " ", ""))
		domains := []string{stem + genTLDs[rng.IntN(len(genTLDs))]}
		if rng.IntN(3) == 0 {
			domains = append(domains, "cdn."+stem+".net")
		}
		if rng.IntN(6) == 0 {
			domains = append(domains, "api."+domains[0])
		}
		out = append(out, &catalogApp{
			// Ids of generated apps sit above the known ones and stay distinct: one slot of
			// 13 per app.
			id:       strconv.Itoa(40000 + i*13 + rng.IntN(13)),
			name:     name,
			category: graphCategories[rng.IntN(len(graphCategories))],
			domains:  domains,
			vendor:   first + " " + strings.Fields(second)[0] + genVendorSuffixes[rng.IntN(len(genVendorSuffixes))],
			hq:       genHeadquarters[rng.IntN(len(genHeadquarters))],
			founded:  1995 + rng.IntN(30),
			risk:     1 + rng.IntN(10),
			tag:      drawTag(rng.Float64()),
		})
	}
	for _, a := range out {
		a.hash = splitmix(seed ^ hashString(a.id))
	}
	slices.SortFunc(out, func(a, b *catalogApp) int { return cmp.Compare(atoiOrZero(a.id), atoiOrZero(b.id)) })
	return out
}

// drawTag: most apps carry no tag, as in live data.
func drawTag(u float64) string {
	switch {
	case u < 0.6:
		return ""
	case u < 0.75:
		return "Sanctioned"
	case u < 0.9:
		return "Unsanctioned"
	}
	return "Monitored"
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func atoiOrZero(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// unitAt is a uniform float in [0, 1) from h and a salt.
func unitAt(h uint64, salt uint64) float64 {
	return float64(splitmix(h^salt*0x9e3779b97f4a7c15)>>11) / (1 << 53)
}

// streamProfile is how many apps a stream shows per period and how many users its
// busiest app has.
type streamProfile struct {
	apps90, apps30, apps7 int
	maxUsers              float64
	// partial streams omit the optional fields live data omits (tags, domains, user and
	// traffic counts), like an IP-only firewall stream.
	partial bool
}

// profileFor: the Global View has 250 apps at P90D, so a full listing takes three pages
// (100 + 100 + 50); snapshot reports (the Checkpoint upload, and those done_upload adds)
// have none, as no log has been processed. The Palo Alto stream is the one whose items
// lack the optional fields.
func profileFor(ds *discoveryStream) streamProfile {
	switch {
	case ds.snapshot:
		return streamProfile{}
	case ds.streamType == 3:
		return streamProfile{apps90: 250, apps30: 180, apps7: 120, maxUsers: 350}
	case ds.endpoint:
		return streamProfile{apps90: 140, apps30: 100, apps7: 70, maxUsers: 300}
	case strings.EqualFold(ds.name, "Palo Alto firewall"):
		return streamProfile{apps90: 60, apps30: 40, apps7: 25, maxUsers: 60, partial: true}
	}
	return streamProfile{apps90: 110, apps30: 80, apps7: 50, maxUsers: 150}
}

// graphApp is one app of a stream for a period.
type graphApp struct {
	*catalogApp
	endpoint, partial bool
	users, ips        int64
	devices           int64
	transactions      int64
	upload, download  int64
	lastSeen          time.Time
	// seq orders the app's users, IP addresses and devices within the stream.
	seq uint64
}

// discoveredApps returns the stream's apps seen in the period, in id order.
func (s *Server) discoveredApps(ds *discoveryStream, period string) []*graphApp {
	prof := profileFor(ds)
	if prof.apps90 == 0 {
		return []*graphApp{}
	}
	streamHash := hashString(ds.id)
	catalog := s.discoveryCatalog()
	// Rank the catalogue for this stream; known apps rank high, so GitHub, Slack and
	// ChatGPT show in the busy streams.
	type ranked struct {
		app  *catalogApp
		rank float64
	}
	ranks := make([]ranked, len(catalog))
	for i, a := range catalog {
		r := unitAt(a.hash^streamHash, 1)
		if a.known {
			r /= 4
		}
		ranks[i] = ranked{a, r}
	}
	slices.SortFunc(ranks, func(a, b ranked) int { return cmp.Compare(a.rank, b.rank) })
	days := periodDays(period)
	today := s.now().UTC().Truncate(24 * time.Hour)
	var out []*graphApp
	for i, rk := range ranks[:min(prof.apps90, len(ranks))] {
		h := rk.app.hash ^ streamHash
		// The first apps7 were seen in the last week, the next up to apps30 in the last
		// month, the rest earlier: so P7D < P30D < P90D, each a subset of the next.
		var ago int
		switch {
		case i < prof.apps7:
			ago = int(unitAt(h, 2) * 7)
		case i < prof.apps30:
			ago = 7 + int(unitAt(h, 2)*23)
		default:
			ago = 30 + int(unitAt(h, 2)*60)
		}
		if ago >= days {
			continue
		}
		out = append(out, newGraphApp(rk.app, ds, prof, h, days, today.AddDate(0, 0, -ago)))
	}
	slices.SortFunc(out, func(a, b *graphApp) int { return cmp.Compare(atoiOrZero(a.id), atoiOrZero(b.id)) })
	return out
}

func newGraphApp(a *catalogApp, ds *discoveryStream, prof streamProfile, h uint64, days int, lastSeen time.Time) *graphApp {
	u := unitAt(h, 3)
	if a.known {
		u = math.Sqrt(u)
	}
	users := math.Exp(u * math.Log(prof.maxUsers))
	switch days {
	case 30:
		users *= 0.5 + 0.4*unitAt(h, 4)
	case 7:
		users *= 0.2 + 0.4*unitAt(h, 5)
	}
	g := &graphApp{
		catalogApp: a, endpoint: ds.endpoint, partial: prof.partial,
		users: max(1, int64(users)), lastSeen: lastSeen, seq: h,
	}
	perUser := 0.3 + 1.2*unitAt(h, 6)
	if prof.partial {
		// An IP-only stream sees addresses, not people: more of them per app.
		perUser = 1 + 2*unitAt(h, 6)
	}
	g.ips = min(300, max(1, int64(float64(g.users)*perUser)))
	g.transactions = g.users * int64(20+unitAt(h, 7)*3000) * int64(days) / 30
	g.transactions = max(g.transactions, 1)
	// Byte counts reach past 2^31 for busy apps, as live data does (graph-discovery.md 4.3).
	g.upload = g.transactions * int64(2_000+unitAt(h, 8)*400_000)
	g.download = g.transactions * int64(5_000+unitAt(h, 9)*1_500_000)
	if ds.endpoint {
		g.devices = min(400, max(1, int64(float64(g.users)*(0.8+0.7*unitAt(h, 10)))))
	}
	return g
}

// evolvableCategories are appCategory members after unknownFutureValue: Graph returns
// them only to clients that send "Prefer: include-unknown-enum-members".
var evolvableCategories = []string{"aiModelProvider", "mcpServer", "clientAiApp"}

// json is the app as Graph serves it. Numbers are int64 so $filter compares them.
func (g *graphApp) json(evolvable bool) map[string]any {
	category := g.category
	if !evolvable && slices.Contains(evolvableCategories, category) {
		category = "unknownFutureValue"
	}
	m := map[string]any{
		"id":               g.id,
		"displayName":      g.name,
		"category":         category,
		"riskScore":        int64(g.risk),
		"ipAddressCount":   g.ips,
		"transactionCount": g.transactions,
		"lastSeenDateTime": g.lastSeen.Format("2006-01-02T15:04:05Z"),
	}
	if !g.partial {
		tags := []string{}
		if g.tag != "" {
			tags = append(tags, g.tag)
		}
		m["tags"] = tags
		m["domains"] = g.domains
		m["userCount"] = g.users
		m["uploadNetworkTrafficInBytes"] = g.upload
		m["downloadNetworkTrafficInBytes"] = g.download
	}
	if g.endpoint {
		m["@odata.type"] = "#microsoft.graph.security.endpointDiscoveredCloudAppDetail"
		m["deviceCount"] = g.devices
	}
	return m
}

var (
	userFirstNames = []string{"adele", "alex", "allan", "bianca", "cameron", "christie", "debra", "diego", "emily", "enrico",
		"grady", "henrietta", "irvin", "isaiah", "johanna", "joni", "lee", "lidia", "lynne", "megan"}
	userLastNames = []string{"vance", "wilber", "deyoung", "pisani", "white", "cline", "berger", "siciliani", "braun", "cattaneo",
		"archie", "mueller", "sayers", "langer", "lorenz", "sherman", "gu", "holloway", "robbins", "bowen"}
	// coprimeSteps are steps through a pool of 400 that visit every member once.
	coprimeSteps = []uint64{1, 3, 7, 9, 11, 13, 17, 19, 21, 23, 27, 29, 31, 33, 37, 39}
)

const identityPool = 400

// poolOrder is the app's walk through a pool of 400: the first n of it are distinct.
func (g *graphApp) poolOrder(n int64) []int {
	out := make([]int, n)
	start, step := g.seq%identityPool, coprimeSteps[(g.seq>>20)%uint64(len(coprimeSteps))]
	for i := range out {
		out[i] = int((start + uint64(i)*step) % identityPool)
	}
	return out
}

func poolUser(i int) (first, last string) {
	return userFirstNames[i/len(userLastNames)], userLastNames[i%len(userLastNames)]
}

// appUsers are the users behind userCount; none when the stream omits it.
func (s *Server) appUsers(g *graphApp) []string {
	if g.partial {
		return []string{}
	}
	out := make([]string, 0, g.users)
	for _, i := range g.poolOrder(g.users) {
		first, last := poolUser(i)
		out = append(out, first+"."+last+"@contoso.com")
	}
	return out
}

// appIPAddresses are the addresses behind ipAddressCount.
func (s *Server) appIPAddresses(g *graphApp) []string {
	out := make([]string, 0, g.ips)
	second := 1 + g.seq%200
	for i := range g.ips {
		out = append(out, fmt.Sprintf("10.%d.%d.%d", second, i/250, i%250+1))
	}
	return out
}

// appDevices are the devices behind deviceCount (endpoint streams).
func (s *Server) appDevices(g *graphApp) []string {
	out := make([]string, 0, g.devices)
	for _, i := range g.poolOrder(g.devices) {
		if i%3 == 0 {
			first, last := poolUser(i)
			out = append(out, fmt.Sprintf("%s %s's MacBook Pro", titleCase(first), titleCase(last)))
			continue
		}
		out = append(out, fmt.Sprintf("DESKTOP-%03X%04X", i, uint16(splitmix(uint64(i)))))
	}
	return out
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// appInfo enum members (graph-discovery.md 4.5); the evolvable ones (after
// unknownFutureValue) go out only to clients that prefer them.
var appInfoEnums = []struct {
	name       string
	values     []string
	evolvables []string
}{
	{"csaStarLevel", []string{"selfAssessment", "certification", "attestation", "cStarAssessment", "continuousMonitoring", "unknown"}, nil},
	{"dataAtRestEncryptionMethod", []string{"aes", "bitLocker", "blowfish", "des3", "des", "rc4", "rsA", "notSupported", "unknown"}, nil},
	{"dataRetentionPolicy", []string{"dataRetained", "deletedImmediately", "deletedWithinTwoWeeks", "deletedWithinOneMonth",
		"deletedWithinThreeMonths", "deletedWithinMoreThanThreeMonths", "unknown"}, nil},
	{"encryptionProtocol", []string{"tls1_0", "tls1_1", "tls1_2", "tls1_3", "notApplicable", "notSupported", "unknown"}, []string{"ssl3"}},
	{"fedRampLevel", []string{"high", "moderate", "low", "liSaaS", "unknown"}, []string{"notSupported"}},
	{"holding", []string{"private", "public", "unknown"}, nil},
	{"pciDssVersion", []string{"v1", "v2", "v3", "v3_1", "v3_2", "v3_2_1", "notSupported", "unknown"}, []string{"v4"}},
}

var appInfoDataTypes = []string{"documents", "mediaFiles", "codingFiles", "creditCards", "databaseFiles", "none", "unknown"}

// appInfoFlags are the 66 tri-state flags (cloudAppInfoState: "true", "false",
// "unknown"), with their wire spelling, misspelt isGdprRightToDataPortablility included.
var appInfoFlags = []string{
	// compliance
	"isCobitCompliant", "isCoppaCompliant", "isFerpaCompliant", "isFfiecCompliant", "isFinraCompliant", "isFismaCompliant",
	"isGaapCompliant", "isGlbaCompliant", "isHipaaCompliant", "isHitrustCsfCompliant", "isIsae3402Compliant",
	"isIso27001Compliant", "isIso27017Compliant", "isIso27018Compliant", "isItarCompliant", "isPrivacyShieldCompliant",
	"isSoc1Compliant", "isSoc2Compliant", "isSoc3Compliant", "isSoxCompliant", "isSp80053Compliant", "isSsae16Compliant", "isDmca",
	// GDPR
	"isGdprDataProtectionImpactAssessment", "isGdprDataProtectionOfficer", "isGdprDataProtectionSecureCrossBorderDataTransfer",
	"isGdprImpactAssessment", "isGdprLawfulBasisForProcessing", "isGdprReportDataBreaches",
	"isGdprRightsRelatedToAutomatedDecisionMaking", "isGdprRightToAccess", "isGdprRightToBeInformed",
	"isGdprRightToDataPortablility", "isGdprRightToErasure", "isGdprRightToObject", "isGdprRightToRectification",
	"isGdprRightToRestrictionOfProcessing", "isGdprSecureCrossBorderDataControl",
	// security
	"isAdminAuditTrail", "isDataAuditTrail", "isUserAuditTrail", "isDataClassification", "isDataOwnership",
	"isDisasterRecoveryPlan", "isFileSharing", "isIpAddressRestriction", "isMultiFactorAuthentication", "isPasswordPolicy",
	"isPasswordPolicyChangePasswordPeriod", "isPasswordPolicyCharacterCombination", "isPasswordPolicyPasswordHistoryAndReuse",
	"isPasswordPolicyPasswordLengthLimit", "isPasswordPolicyPersonalInformationUse", "isPenetrationTesting",
	"isRememberPassword", "isRequiresUserAuthentication", "isSupportsSaml", "isTrustedCertificate", "isValidCertificateName",
	"isUserCanUploadData", "isUserRolesSupport", "isHttpSecurityHeadersContentSecurityPolicy",
	"isHttpSecurityHeadersStrictTransportSecurity", "isHttpSecurityHeadersXContentTypeOptions",
	"isHttpSecurityHeadersXFrameOptions", "isHttpSecurityHeadersXXssProtection",
}

// appInfo is the app's catalogue risk record (discoveredCloudAppInfo). It depends on the
// app only, not on the stream or period. dataTypes and logonUrls are a string for some
// apps and an array for others: the metadata changed shape (graph-discovery.md 4.5).
func (s *Server) appInfo(g *graphApp, evolvable bool) map[string]any {
	h := g.hash
	m := map[string]any{
		"id":             g.id,
		"vendor":         g.vendor,
		"headquarters":   g.hq,
		"dataCenter":     genDataCenters[int(unitAt(h, 20)*float64(len(genDataCenters)))],
		"hostingCompany": genHosting[int(unitAt(h, 21)*float64(len(genHosting)))],
		"founded":        g.founded,
		"domainRegistrationDateTime": time.Date(g.founded, time.Month(1+int(unitAt(h, 22)*12)), 1+int(unitAt(h, 23)*28),
			0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05Z"),
	}
	if unitAt(h, 24) < 0.2 {
		m["latestBreachDateTime"] = time.Date(2018+int(unitAt(h, 25)*8), time.Month(1+int(unitAt(h, 26)*12)), 15, 13, 45, 30, 0, time.UTC).Format("2006-01-02T15:04:05Z")
	}
	if unitAt(h, 27) < 0.6 {
		m["gdprReadinessStatement"] = "https://" + g.domains[0] + "/legal/gdpr"
	}
	if unitAt(h, 28) < 0.5 {
		m["logonUrls"] = "https://login." + g.domains[0]
	} else {
		m["logonUrls"] = []string{"https://" + g.domains[0] + "/login", "https://accounts." + g.domains[0]}
	}
	first := int(unitAt(h, 29) * float64(len(appInfoDataTypes)))
	if unitAt(h, 30) < 0.5 {
		m["dataTypes"] = appInfoDataTypes[first]
	} else {
		n := 1 + int(unitAt(h, 31)*3)
		var types []string
		for i := range n {
			types = append(types, appInfoDataTypes[(first+i)%len(appInfoDataTypes)])
		}
		m["dataTypes"] = types
	}
	for i, e := range appInfoEnums {
		values := append(slices.Clone(e.values), e.evolvables...)
		v := values[int(unitAt(h, uint64(40+i))*float64(len(values)))]
		if !evolvable && slices.Contains(e.evolvables, v) {
			v = "unknownFutureValue"
		}
		m[e.name] = v
	}
	// Well-known services document more of their controls.
	pTrue := 0.35
	if g.known {
		pTrue = 0.65
	}
	for i, f := range appInfoFlags {
		switch u := unitAt(h, uint64(100+i)); {
		case u < pTrue:
			m[f] = "true"
		case u < 0.85:
			m[f] = "false"
		default:
			m[f] = "unknown"
		}
	}
	return m
}
