package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The discovered-apps side of Graph's Cloud Discovery API (graph-discovery.md): the
// stream list and a stream's aggregated apps for a period. Graph marks everything but
// ids as optional and adds categories over time, so decoding keeps what it does not know
// (the raw JSON) and refuses only what it cannot read at all.

const (
	graphDiscoveryBase = "/security/dataDiscovery/cloudAppDiscovery/uploadedStreams"
	// GlobalViewStreamName is the stream MDA aggregates every other into, the default of
	// the discovered-apps data sources.
	GlobalViewStreamName = "Global view"
)

// GraphPeriodDays are the report periods Graph documents, in days (graph-discovery.md 1.3).
var GraphPeriodDays = []int64{7, 30, 90}

// GraphPeriod is the OData duration for a period in days: 7 → "P7D". Any other number of
// days is an error, since Graph refuses them.
func GraphPeriod(days int64) (string, error) {
	for _, d := range GraphPeriodDays {
		if d == days {
			return "P" + strconv.FormatInt(days, 10) + "D", nil
		}
	}
	return "", fmt.Errorf("a Cloud Discovery period of %d days is not one Microsoft Graph serves; use 7, 30 or 90", days)
}

// ParseGraphPeriod reads "P7D", "P30D" or "P90D" back into days.
func ParseGraphPeriod(period string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(period))
	if strings.HasPrefix(s, "P") && strings.HasSuffix(s, "D") {
		if days, err := strconv.ParseInt(s[1:len(s)-1], 10, 64); err == nil {
			if _, err := GraphPeriod(days); err == nil {
				return days, nil
			}
		}
	}
	return 0, fmt.Errorf("%q is not a Cloud Discovery period; use P7D, P30D or P90D", period)
}

// GraphStrings is a list of strings that Graph may also write as one string (dataTypes,
// logonUrls and, defensively, tags and domains: the metadata changed shape before,
// graph-discovery.md 4.5). Null and "" decode to no items.
type GraphStrings []string

// UnmarshalJSON reads an array of strings, one string, or null.
func (l *GraphStrings) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*l = nil
		return nil
	}
	if data[0] == '[' {
		var items []FlexString
		if err := json.Unmarshal(data, &items); err != nil {
			return fmt.Errorf("%.60s is not a list of strings", data)
		}
		out := make([]string, 0, len(items))
		for _, s := range items {
			out = append(out, string(s))
		}
		*l = out
		return nil
	}
	var s FlexString
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%.60s is not a string or a list of strings", data)
	}
	if s == "" {
		*l = nil
		return nil
	}
	*l = []string{string(s)}
	return nil
}

// GraphStream is one uploadedStreams item: a continuous report or snapshot. Only ID and
// Name are always there; Graph leaves the rest out for the Global view and plain uploads.
type GraphStream struct {
	ID, Name, Description string
	LogDataProvider       string
	ReceiverProtocol      string
	IsSnapshotReport      *bool
	LogFileCount          *int64
	Created, LastModified FlexTime
	LastDataReceived      FlexTime
	Raw                   json.RawMessage
}

// UnmarshalJSON reads a stream tolerantly and keeps its raw JSON.
func (s *GraphStream) UnmarshalJSON(data []byte) error {
	var w struct {
		ID               FlexString `json:"id"`
		DisplayName      FlexString `json:"displayName"`
		Description      FlexString `json:"description"`
		LogDataProvider  FlexString `json:"logDataProvider"`
		ReceiverProtocol FlexString `json:"receiverProtocol"`
		IsSnapshotReport *bool      `json:"isSnapshotReport"`
		LogFileCount     *FlexInt   `json:"logFileCount"`
		Created          FlexTime   `json:"createdDateTime"`
		LastModified     FlexTime   `json:"lastModifiedDateTime"`
		LastDataReceived FlexTime   `json:"lastDataReceivedDateTime"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*s = GraphStream{
		ID: string(w.ID), Name: string(w.DisplayName), Description: string(w.Description),
		LogDataProvider: string(w.LogDataProvider), ReceiverProtocol: string(w.ReceiverProtocol),
		IsSnapshotReport: w.IsSnapshotReport, LogFileCount: flexPtr(w.LogFileCount),
		Created: w.Created, LastModified: w.LastModified, LastDataReceived: w.LastDataReceived,
		Raw: append(json.RawMessage(nil), data...),
	}
	return nil
}

// DiscoveredApp is one aggregatedAppsDetails item (discoveredCloudAppDetail or its
// endpoint subtype). Every number is a pointer: Graph documents them all as nullable, and
// an absent count is not a zero count.
type DiscoveredApp struct {
	ID, Name, Category                                                                   string
	RiskScore                                                                            *int64
	Tags, Domains                                                                        []string
	UserCount, IPAddressCount, TransactionCount, UploadBytes, DownloadBytes, DeviceCount *int64 // DeviceCount: endpoint streams only
	LastSeen                                                                             *time.Time
	// Endpoint is the endpoint subtype: from @odata.type, else from the presence of
	// deviceCount.
	Endpoint bool
	Raw      json.RawMessage
}

// DecodeDiscoveredApp reads one app. Unknown fields and categories are kept as they come
// (the raw JSON has them all); ids may be strings or numbers. An app without an id is an
// error: nothing could address it again.
func DecodeDiscoveredApp(raw json.RawMessage) (DiscoveredApp, error) {
	var w struct {
		Type        string       `json:"@odata.type"`
		ID          FlexString   `json:"id"`
		DisplayName FlexString   `json:"displayName"`
		Category    FlexString   `json:"category"`
		RiskScore   *FlexInt     `json:"riskScore"`
		Tags        GraphStrings `json:"tags"`
		Domains     GraphStrings `json:"domains"`
		Users       *FlexInt     `json:"userCount"`
		IPs         *FlexInt     `json:"ipAddressCount"`
		Txns        *FlexInt     `json:"transactionCount"`
		Up          *FlexInt     `json:"uploadNetworkTrafficInBytes"`
		Down        *FlexInt     `json:"downloadNetworkTrafficInBytes"`
		// The 2023 preview spelt traffic with one f (graph-discovery.md 10.4).
		UpOld    *FlexInt `json:"uploadNetworkTraficInBytes"`
		DownOld  *FlexInt `json:"downloadNetworkTraficInBytes"`
		Devices  *FlexInt `json:"deviceCount"`
		LastSeen FlexTime `json:"lastSeenDateTime"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return DiscoveredApp{}, fmt.Errorf("decoding a discovered app: %w", err)
	}
	if w.ID == "" {
		return DiscoveredApp{}, fmt.Errorf("decoding a discovered app: it has no id: %.200s", raw)
	}
	if w.Up == nil {
		w.Up = w.UpOld
	}
	if w.Down == nil {
		w.Down = w.DownOld
	}
	a := DiscoveredApp{
		ID: string(w.ID), Name: string(w.DisplayName), Category: string(w.Category),
		RiskScore: flexPtr(w.RiskScore), Tags: w.Tags, Domains: w.Domains,
		UserCount: flexPtr(w.Users), IPAddressCount: flexPtr(w.IPs), TransactionCount: flexPtr(w.Txns),
		UploadBytes: flexPtr(w.Up), DownloadBytes: flexPtr(w.Down), DeviceCount: flexPtr(w.Devices),
		Raw: append(json.RawMessage(nil), raw...),
	}
	if !w.LastSeen.IsZero() {
		t := w.LastSeen.UTC()
		a.LastSeen = &t
	}
	if w.Type != "" {
		a.Endpoint = strings.Contains(strings.ToLower(w.Type), "endpointdiscoveredcloudappdetail")
	} else {
		a.Endpoint = w.Devices != nil
	}
	return a, nil
}

func flexPtr(n *FlexInt) *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}

// GraphStreams lists the tenant's Cloud Discovery streams through Graph (one request:
// the list is not paged).
func (c *Client) GraphStreams(ctx context.Context) ([]GraphStream, error) {
	op := newGraphOperation("list Cloud Discovery streams", graphDiscoveryBase)
	res, err := c.graphList(ctx, op, 0)
	if err != nil {
		return nil, err
	}
	streams := make([]GraphStream, 0, len(res.Items))
	for _, raw := range res.Items {
		var s GraphStream
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: decoding a stream: %w", op.name, err)
		}
		streams = append(streams, s)
	}
	return streams, nil
}

// GlobalViewStreamID finds the stream named "Global view" (case-insensitive), the
// default report of the discovered-apps data sources. It costs one request.
func (c *Client) GlobalViewStreamID(ctx context.Context) (string, error) {
	streams, err := c.GraphStreams(ctx)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(streams))
	for _, s := range streams {
		if strings.EqualFold(strings.TrimSpace(s.Name), GlobalViewStreamName) && s.ID != "" {
			return s.ID, nil
		}
		names = append(names, strconv.Quote(s.Name))
	}
	return "", fmt.Errorf("no Cloud Discovery stream is named %q in Microsoft Graph's list (it holds %d: %s); set stream_id "+
		"to one of the ids mda_discovery_streams returns", GlobalViewStreamName, len(streams), strings.Join(names, ", "))
}

// DiscoveredAppsFilter is what Graph filters server side ($filter): exactly the clauses
// the mock and the documented examples support (graph-discovery.md 3.2).
type DiscoveredAppsFilter struct {
	Category     string
	MinRiskScore *int64
	MaxRiskScore *int64
	MinUsers     *int64
}

// odata is the $filter expression, "" when there is no clause.
func (f DiscoveredAppsFilter) odata() string {
	var clauses []string
	if f.Category != "" {
		clauses = append(clauses, "category eq '"+strings.ReplaceAll(f.Category, "'", "''")+"'")
	}
	if f.MinRiskScore != nil {
		clauses = append(clauses, "riskScore ge "+strconv.FormatInt(*f.MinRiskScore, 10))
	}
	if f.MaxRiskScore != nil {
		clauses = append(clauses, "riskScore le "+strconv.FormatInt(*f.MaxRiskScore, 10))
	}
	if f.MinUsers != nil {
		clauses = append(clauses, "userCount ge "+strconv.FormatInt(*f.MinUsers, 10))
	}
	return strings.Join(clauses, " and ")
}

// DiscoveredAppsResult is one listing of a stream's apps.
type DiscoveredAppsResult struct {
	Apps []DiscoveredApp
	// Truncated is true when Graph had more apps than the maximum asked for.
	Truncated bool
	// Requests is the number of pages read.
	Requests int
}

// ListDiscoveredApps reads the apps of streamID over period ("P30D") that match filter,
// following every page, or up to maxItems apps (<= 0: all). Nothing is returned with an
// error: a half-read report would look like a complete one.
func (c *Client) ListDiscoveredApps(ctx context.Context, streamID, period string, filter DiscoveredAppsFilter, maxItems int) (DiscoveredAppsResult, error) {
	var out DiscoveredAppsResult
	if _, err := ParseGraphPeriod(period); err != nil {
		return out, err
	}
	op := newGraphOperation("list discovered apps",
		graphDiscoveryBase+"/{id}/aggregatedAppsDetails(period=duration'{period}')", streamID, period)
	q := url.Values{}
	if f := filter.odata(); f != "" {
		q.Set("$filter", f)
	}
	res, err := c.graphList(ctx, op.withQuery(q), maxItems)
	if err != nil {
		return out, err
	}
	out.Apps = make([]DiscoveredApp, 0, len(res.Items))
	for _, raw := range res.Items {
		a, err := DecodeDiscoveredApp(raw)
		if err != nil {
			return DiscoveredAppsResult{}, fmt.Errorf("%s: %w", op.name, err)
		}
		out.Apps = append(out.Apps, a)
	}
	out.Truncated, out.Requests = res.Truncated, res.Requests
	return out, nil
}
