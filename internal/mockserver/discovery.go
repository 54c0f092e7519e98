package mockserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cloud Discovery over the REST API (mda-api.md §7.1-7.3): the streams listing, category
// totals per stream and block scripts. The streams themselves are seeded in
// discovery_streams_seed.go and shared with the Graph surface.

// DiscoveryStream is a Cloud Discovery report as tests see it (Server.DiscoveryStreams).
type DiscoveryStream struct {
	ID         string
	Name       string
	StreamType int // 1 INPUT, 3 VIEW, 5 PREVIEW
	LogType    int
	Snapshot   bool
}

// DiscoveryStreams returns the tenant's streams in listing order.
func (s *Server) DiscoveryStreams() []DiscoveryStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DiscoveryStream, 0, len(s.store.streams))
	for _, st := range s.store.streams {
		out = append(out, DiscoveryStream{ID: st.id, Name: st.name, StreamType: st.streamType, LogType: st.logType, Snapshot: st.snapshot})
	}
	return out
}

// listStreams serves GET /api/discovery/streams/ as {"streams": [...]}: the docs' example
// shows one bare object (not even valid JSON), while MCASPS and XDRI read .streams
// (mda-api.md §7.1, [I strong]). Optional fields are left out where the docs allow it:
// views receive no files and have no receiver, and a stream that never received data
// has lastDataReceived null ([U] whether null or absent).
func (s *Server) listStreams(w http.ResponseWriter, _ *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	streams := make([]map[string]any, 0, len(s.store.streams))
	for _, st := range s.store.streams {
		streams = append(streams, wireStream(st))
	}
	writeJSON(w, http.StatusOK, map[string]any{"streams": streams})
}

func wireStream(st *discoveryStream) map[string]any {
	iso := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	m := map[string]any{
		"_id":                           st.id,
		"anonymizeUsers":                false,
		"displayName":                   st.name,
		"logType":                       st.logType,
		"streamType":                    st.streamType,
		"isManual":                      st.isManual,
		"created":                       iso(st.created),
		"lastModified":                  iso(st.lastModified),
		"lastDataReceived":              iso(st.lastDataReceived),
		"supportedEntityTypes":          nonNilInts(st.entityTypes),
		"supportedTrafficTypes":         nonNilInts(st.trafficTypes),
		"currentServicesCollectionName": "discovery_services",
		"globalAggregated":              st.streamType == 3,
		"readTimeFramesFromSecond":      true,
		"timeFrames":                    map[string]any{},
		"validTimeFrames":               []int{},
		"timeWithoutLogs":               0,
		"sourceStreams":                 []string{},
	}
	if !st.lastDataReceived.IsZero() {
		m["lastAlertProcessingTime"] = st.lastDataReceived.Add(10 * time.Minute).UnixMilli()
	}
	if st.receiverType != "" {
		m["receiverType"] = st.receiverType
	}
	if st.protocol != "" {
		m["protocol"] = st.protocol
	}
	if st.streamType != 3 {
		m["logFilesHistoryCount"] = st.filesHistory
		m["logFilesFailsCount"] = st.filesFails
	}
	if st.snapshot {
		m["snapshotData"] = true
	}
	return m
}

func nonNilInts(xs []int) []int {
	if xs == nil {
		return []int{}
	}
	return xs
}

// discoveryCategoryIDs are the documented category ids (mda-api.md §7.2), the misspelled
// SUPLLY one included, less SAASDB_CATEGORY_ALL and the insurance subcategory, which name
// groups rather than where an app is filed ([I]).
var discoveryCategoryIDs = []string{
	"SAASDB_CATEGORY_ACCOUNTING_AND_FINANCE", "SAASDB_CATEGORY_ADVERTISING", "SAASDB_CATEGORY_BUSINESS_INTELLIGENCE",
	"SAASDB_CATEGORY_BUSINESS_MANAGEMENT", "SAASDB_CATEGORY_CLOUD_COMPUTING_PLATFORM", "SAASDB_CATEGORY_CLOUD_STORAGE",
	"SAASDB_CATEGORY_CODE_HOSTING", "SAASDB_CATEGORY_COLLABORATION", "SAASDB_CATEGORY_COMMUNICATIONS",
	"SAASDB_CATEGORY_CONSUMER", "SAASDB_CATEGORY_CONTENT_MANAGEMENT", "SAASDB_CATEGORY_CONTENT_SHARING",
	"SAASDB_CATEGORY_CRM", "SAASDB_CATEGORY_CUSTOMER_SUPPORT", "SAASDB_CATEGORY_DATA_ANALYTICS",
	"SAASDB_CATEGORY_DEVELOPMENT_TOOLS", "SAASDB_CATEGORY_ECOMMERCE", "SAASDB_CATEGORY_EDUCATION",
	"SAASDB_CATEGORY_FORUMS", "SAASDB_CATEGORY_HEALTH", "SAASDB_CATEGORY_HOSTING_SERVICES",
	"SAASDB_CATEGORY_HUMAN_RESOURCE_MANAGEMENT", "SAASDB_CATEGORY_INTERNET_OF_THINGS", "SAASDB_CATEGORY_IT_SERVICES",
	"SAASDB_CATEGORY_MARKETING", "SAASDB_CATEGORY_MEDIA", "SAASDB_CATEGORY_NEWS_AND_ENTERTAINMENT",
	"SAASDB_CATEGORY_ONLINE_MEETINGS", "SAASDB_CATEGORY_OPERATIONS_MANAGEMENT", "SAASDB_CATEGORY_PERSONAL_INSTANT_MESSAGING",
	"SAASDB_CATEGORY_PRODUCT_DESIGN", "SAASDB_CATEGORY_PRODUCTIVITY", "SAASDB_CATEGORY_PROJECT_MANAGEMENT",
	"SAASDB_CATEGORY_PROPERTY_MANAGEMENT", "SAASDB_CATEGORY_SALES", "SAASDB_CATEGORY_SECURITY",
	"SAASDB_CATEGORY_SOCIAL_NETWORK", "SAASDB_CATEGORY_SUPLLY_CHAIN_AND_LOGISTICS", "SAASDB_CATEGORY_TIME_TRACKING",
	"SAASDB_CATEGORY_TRANSPORTATION_AND_TRAVEL", "SAASDB_CATEGORY_UNCLASSIFIED", "SAASDB_CATEGORY_VENDOR_MANAGEMENT_SYSTEM",
	"SAASDB_CATEGORY_WEB_ANALYTICS", "SAASDB_CATEGORY_WEBMAIL", "SAASDB_CATEGORY_WEBSITE_MONITORING",
}

// discoveryTimeFrames are the report periods in days the mock accepts as timeFrame. The
// docs say only "the number of days" ([U]); 7, 30 and 90 are the periods of the portal and
// of MCASPS's discovered-apps timeframe (mda-api.md §7.5). Without one the mock reports
// 90 days ([U]).
var discoveryTimeFrames = []int{7, 30, 90}

const defaultTimeFrame = 90

// DiscoveryCategory is one category total as the categories call reports it.
type DiscoveryCategory struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

// DiscoveryCategories returns a stream's categories for a time frame (7, 30 or 90 days),
// in the API's default order (most apps first), or nil for an unknown stream.
func (s *Server) DiscoveryCategories(streamID string, timeFrame int) []DiscoveryCategory {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store.streamByID(streamID)
	if st == nil {
		return nil
	}
	return s.streamCategories(st, timeFrame)
}

// streamCategories derives a stream's category totals from the seed and its id, so every
// run and every mock instance agree. Snapshot reports (one uploaded file) have none, the
// Global View the most; a shorter time frame has fewer apps, and drops the categories
// left with none.
func (s *Server) streamCategories(st *discoveryStream, timeFrame int) []DiscoveryCategory {
	if st.snapshot {
		return []DiscoveryCategory{}
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(st.id))
	rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), h.Sum64()))
	n := 8 + rng.IntN(8)
	if st.streamType == 3 {
		n = 30 + rng.IntN(10)
	}
	ids := slices.Clone(discoveryCategoryIDs)
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	out := make([]DiscoveryCategory, 0, n)
	for _, id := range ids[:n] {
		total90 := 1 + rng.IntN(40)
		total := total90
		switch timeFrame {
		case 30:
			total = total90 * 2 / 3
		case 7:
			total = total90 / 4
		}
		if total > 0 {
			out = append(out, DiscoveryCategory{ID: id, Total: total})
		}
	}
	slices.SortFunc(out, func(a, b DiscoveryCategory) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// listCategories serves POST /api/v1/discovery/discovered_apps/categories/ with the
// documented bare array (mda-api.md §7.2; [U] whether the real answer is enveloped). It
// honours skip, limit (clamped to 100 like every listing), sortField score (the default)
// and sortDirection. The category-id filter is accepted and not applied ([U] its shape).
// A missing or unknown streamId and a time frame other than 7, 30 or 90 are refused with
// the forms-style 400 (mda-api.md 1.8; [I] for this route).
func (s *Server) listCategories(w http.ResponseWriter, req *apiRequest) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, fe := parseListRequest(fields)
	var streamID string
	if raw, ok := fields["streamId"]; !ok || json.Unmarshal(raw, &streamID) != nil || streamID == "" {
		fe.add("streamId", "This field is required.", operandText(raw))
	}
	timeFrame := defaultTimeFrame
	if raw, ok := fields["timeFrame"]; ok && !isNull(raw) {
		n, err := parseNumber(raw, false)
		if err != nil || !slices.Contains(discoveryTimeFrames, int(n)) || n != float64(int(n)) {
			fe.invalid("timeFrame", raw)
		}
		timeFrame = int(n)
	}
	st := s.store.streamByID(streamID)
	if fe == nil && st == nil {
		fe.add("streamId", fmt.Sprintf("%s is not a valid continuous report", streamID), streamID)
	}
	if fe != nil {
		fe.write(w)
		return
	}
	cats := s.streamCategories(st, timeFrame)
	if strings.EqualFold(q.sortDirection, "asc") {
		slices.Reverse(cats)
	}
	start := min(q.skip, len(cats))
	end := min(start+q.limit, len(cats))
	writeJSON(w, http.StatusOK, cats[start:end])
}

// bannedDomains are the domains of the tenant's unsanctioned apps that block scripts
// list: MCASPS's help examples (mda-api.md §7.3).
var bannedDomains = []string{
	"lawyerstravel.com", "wellsfargo.com", "usbank.com", "care2.com", "careerbuilder.com",
	"abcnews.go.com", "accuweather.com", "zoovy.com", "cars.com",
}

// blockScriptLine writes one banned domain for each documented format (mda-api.md §7.3).
// BlueCoat's url.domain line is the docs' example for format 102 and MCASPS's for
// BlueCoat; Websense's dest_host line is MCASPS's. What the other appliances get is not
// shown anywhere ([U]): the mock writes the docs' url.domain line for them.
var blockScriptLine = map[int]func(domain string) string{
	102: urlDomainLine,
	104: urlDomainLine,
	108: urlDomainLine,
	112: urlDomainLine,
	120: urlDomainLine,
	129: urlDomainLine,
	135: func(d string) string { return "dest_host=" + d + " action=deny" },
}

func urlDomainLine(d string) string { return "url.domain=" + d + " deny" }

// BlockScript is the script the mock serves for a format code, "" for an unknown one.
func (s *Server) BlockScript(format int) string {
	line, ok := blockScriptLine[format]
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, d := range bannedDomains {
		b.WriteString(line(d))
		b.WriteString("\n")
	}
	return b.String()
}

// blockScript serves GET /api/discovery_block_scripts/?format=<code>&type=banned as
// text/plain. MCASPS sends no type, so none means banned; any other type and a format
// missing or not documented get a 400 {"detail"} ([U]: the real errors are unknown). A
// client that accepts only JSON gets DRF's 406, as a view whose only renderer is plain
// text would answer it ([I]).
func (s *Server) blockScript(w http.ResponseWriter, req *apiRequest) {
	q := req.r.URL.Query()
	if t := q.Get("type"); t != "" && t != "banned" {
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Unsupported block script type %q.", t))
		return
	}
	format, err := strconv.Atoi(q.Get("format"))
	script := s.BlockScript(format)
	if err != nil || script == "" {
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Unsupported block script format %q.", q.Get("format")))
		return
	}
	if !acceptsPlainText(req.r.Header.Get("Accept")) {
		writeDetail(w, http.StatusNotAcceptable, "Could not satisfy the request Accept header.")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(script))
}

// acceptsPlainText reports whether an Accept header allows text/plain; no header allows
// anything.
func acceptsPlainText(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		media, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(media)) {
		case "text/plain", "text/*", "*/*":
			return true
		}
	}
	return false
}
