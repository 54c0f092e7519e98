package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Cloud Discovery over MDA's own REST API (mda-api.md §7.1-7.3): the continuous reports
// ("streams"), their category totals and block scripts. Listing reports and categories
// needs Discovery.read; a block script needs Discovery.manage.
const (
	permDiscoveryRead   = "Discovery.read"
	permDiscoveryManage = "Discovery.manage"
)

// DiscoveryStream is one Cloud Discovery report: a continuous report fed by a log
// collector or Defender for Endpoint, the built-in Global View, or a snapshot upload.
type DiscoveryStream struct {
	// ID is the stream's _id (an ObjectId), what the categories call and Graph's
	// uploadedStreams take.
	ID   string
	Name string // displayName
	// StreamType is 1 INPUT, 3 VIEW or 5 PREVIEW (0, 2 and 4 are documented too).
	StreamType int
	// ReceiverType is "syslog" or "ftp"; "" for views and uploads.
	ReceiverType string
	Protocol     string
	// LogType is the code of the log format (mda-api.md §7.1's logType table).
	LogType int
	// Created, LastModified and LastDataReceived are zero when MDA sent none.
	Created, LastModified, LastDataReceived FlexTime
	// LogFilesHistoryCount and LogFilesFailsCount are optional in the docs: nil when
	// absent.
	LogFilesHistoryCount, LogFilesFailsCount *int64

	// Raw is the stream's JSON exactly as MDA sent it.
	Raw json.RawMessage
}

// streamWire is a stream as MDA sends it. Keys are matched exactly (unmarshalExact), like
// the other payloads of this API, whose objects carry keys that differ only by case.
type streamWire struct {
	ID                   FlexString `json:"_id"`
	AltID                FlexString `json:"id"`
	DisplayName          *string    `json:"displayName"`
	StreamType           FlexInt    `json:"streamType"`
	ReceiverType         *string    `json:"receiverType"`
	Protocol             *string    `json:"protocol"`
	LogType              FlexInt    `json:"logType"`
	Created              FlexTime   `json:"created"`
	LastModified         FlexTime   `json:"lastModified"`
	LastDataReceived     FlexTime   `json:"lastDataReceived"`
	LogFilesHistoryCount *FlexInt   `json:"logFilesHistoryCount"`
	LogFilesFailsCount   *FlexInt   `json:"logFilesFailsCount"`
}

// UnmarshalJSON decodes a stream with exact key matching and keeps its JSON.
func (s *DiscoveryStream) UnmarshalJSON(data []byte) error {
	var w streamWire
	if err := unmarshalExact(data, &w); err != nil {
		return err
	}
	*s = DiscoveryStream{
		ID:               string(w.ID),
		Name:             text(w.DisplayName),
		StreamType:       int(w.StreamType),
		ReceiverType:     text(w.ReceiverType),
		Protocol:         text(w.Protocol),
		LogType:          int(w.LogType),
		Created:          w.Created,
		LastModified:     w.LastModified,
		LastDataReceived: w.LastDataReceived,
		Raw:              append(json.RawMessage(nil), bytes.TrimSpace(data)...),
	}
	// MCASPS reads _id; a payload that spells it id is read too rather than left blank.
	if s.ID == "" {
		s.ID = string(w.AltID)
	}
	if w.LogFilesHistoryCount != nil {
		n := int64(*w.LogFilesHistoryCount)
		s.LogFilesHistoryCount = &n
	}
	if w.LogFilesFailsCount != nil {
		n := int64(*w.LogFilesFailsCount)
		s.LogFilesFailsCount = &n
	}
	return nil
}

// ListDiscoveryStreams lists the tenant's Cloud Discovery reports in one request (the
// API has no paging for them).
func (c *Client) ListDiscoveryStreams(ctx context.Context) ([]DiscoveryStream, error) {
	op := newOperation("list Cloud Discovery streams", http.MethodGet, "/discovery/streams/", permDiscoveryRead, classRead)
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	streams, err := decodeStreams(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.name, err)
	}
	return streams, nil
}

// decodeStreams reads the streams listing in each shape it is known in (mda-api.md §7.1):
// {"streams": [...]} (what MCASPS and XDRI read), {"data": [...]} (XDRI's second guess),
// a bare array, or the one bare stream object the docs' example shows.
func decodeStreams(raw json.RawMessage) ([]DiscoveryStream, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("MDA answered with an empty body instead of a list of streams")
	}
	items := raw
	switch raw[0] {
	case '[':
	case '{':
		var envelope map[string]json.RawMessage
		if err := json.Unmarshal(raw, &envelope); err != nil {
			return nil, fmt.Errorf("decoding the streams: %w", err)
		}
		list, ok := envelope["streams"]
		if !ok {
			list, ok = envelope["data"]
		}
		if !ok {
			var s DiscoveryStream
			if err := s.UnmarshalJSON(raw); err != nil {
				return nil, fmt.Errorf("decoding the stream: %w", err)
			}
			if s.ID == "" && s.Name == "" {
				return nil, fmt.Errorf("the answer is neither a list of streams nor a stream: %s", truncate(collapseSpace(string(raw)), 100))
			}
			return []DiscoveryStream{s}, nil
		}
		items = bytes.TrimSpace(list)
	default:
		return nil, fmt.Errorf("the answer is not a list of streams: %s", truncate(collapseSpace(string(raw)), 100))
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(items, &elems); err != nil || (len(items) > 0 && items[0] != '[') {
		return nil, fmt.Errorf("the streams are not a JSON array: %s", truncate(collapseSpace(string(items)), 100))
	}
	out := make([]DiscoveryStream, 0, len(elems))
	for i, e := range elems {
		var s DiscoveryStream
		if err := s.UnmarshalJSON(e); err != nil {
			return nil, fmt.Errorf("decoding stream %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// DiscoveryCategory is one app category of a Cloud Discovery report and how many
// discovered apps fall in it.
type DiscoveryCategory struct {
	// ID is MDA's category id, such as SAASDB_CATEGORY_CLOUD_STORAGE.
	ID    string `json:"id"`
	Total int64  `json:"total"`
}

// DiscoveryTimeFrames are the report periods, in days, that the categories call is asked
// for: the same periods as the portal's and MCASPS's discovered-apps timeframe
// (mda-api.md §7.5). The categories page documents timeFrame only as "days" ([I]).
var DiscoveryTimeFrames = []int{7, 30, 90}

// CategoryQuery asks for the categories of one report.
type CategoryQuery struct {
	StreamID string
	// TimeFrameDays is one of DiscoveryTimeFrames, or 0 for MDA's default.
	TimeFrameDays int
}

type categoriesBody struct {
	StreamID  string `json:"streamId"`
	TimeFrame int    `json:"timeFrame,omitempty"`
	Skip      int    `json:"skip"`
	Limit     int    `json:"limit"`
}

// maxCategoryPages bounds the categories walk: MDA documents fewer than fifty categories,
// so a server still saying hasNext after this many pages is looping.
const maxCategoryPages = 20

// ListDiscoveryCategories lists a report's categories with their app totals. The docs show
// a bare array, taken as the whole answer; an answer enveloped as {"data": [...],
// "hasNext": true} is followed with skip/limit like the other listings.
func (c *Client) ListDiscoveryCategories(ctx context.Context, q CategoryQuery) ([]DiscoveryCategory, error) {
	op := newOperation("list Cloud Discovery categories", http.MethodPost, "/v1/discovery/discovered_apps/categories/", permDiscoveryRead, classList)
	if q.StreamID == "" {
		return nil, fmt.Errorf("%s: a stream id is required", op.name)
	}
	if q.TimeFrameDays != 0 && !slices.Contains(DiscoveryTimeFrames, q.TimeFrameDays) {
		return nil, fmt.Errorf("%s: time frame %d days is not one of %v", op.name, q.TimeFrameDays, DiscoveryTimeFrames)
	}
	out := []DiscoveryCategory{}
	var prevFirst json.RawMessage
	for page := 0; ; page++ {
		if page == maxCategoryPages {
			return nil, fmt.Errorf("%s: MDA still reported more categories after %d pages; stopping rather than looping", op.name, page)
		}
		var raw json.RawMessage
		body := categoriesBody{StreamID: q.StreamID, TimeFrame: q.TimeFrameDays, Skip: len(out), Limit: pageSize}
		if err := c.do(ctx, op, body, &raw); err != nil {
			return nil, err
		}
		items, hasNext, err := decodeCategoryPage(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op.name, err)
		}
		if len(items) > 0 {
			if prevFirst != nil && bytes.Equal(prevFirst, items[0]) {
				return nil, fmt.Errorf("%s: MDA returned the same page again at skip %d; stopping rather than looping", op.name, len(out))
			}
			prevFirst = items[0]
		}
		for i, item := range items {
			var cat DiscoveryCategory
			if err := unmarshalExact(item, &cat); err != nil {
				return nil, fmt.Errorf("%s: decoding category %d: %w", op.name, len(out)+i, err)
			}
			if cat.ID == "" {
				return nil, fmt.Errorf("%s: category %d has no id: %s", op.name, len(out)+i, truncate(collapseSpace(string(item)), 100))
			}
			out = append(out, cat)
		}
		if !hasNext || len(items) == 0 {
			return out, nil
		}
	}
}

// decodeCategoryPage reads one categories answer: the documented bare array (the whole
// listing), or {"data": [...], "hasNext": ...}.
func decodeCategoryPage(raw json.RawMessage) (items []json.RawMessage, hasNext bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false, errors.New("MDA answered with an empty body instead of a list of categories")
	}
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false, fmt.Errorf("decoding the categories: %w", err)
		}
		return items, false, nil
	case '{':
		var page struct {
			Data    *json.RawMessage `json:"data"`
			HasNext bool             `json:"hasNext"`
		}
		if err := unmarshalExact(raw, &page); err != nil {
			return nil, false, fmt.Errorf("decoding the categories: %w", err)
		}
		if page.Data == nil || !bytes.HasPrefix(bytes.TrimSpace(*page.Data), []byte("[")) {
			return nil, false, fmt.Errorf("the answer has no list of categories: %s", truncate(collapseSpace(string(raw)), 100))
		}
		if err := json.Unmarshal(*page.Data, &items); err != nil {
			return nil, false, fmt.Errorf("decoding the categories: %w", err)
		}
		return items, page.HasNext, nil
	}
	return nil, false, fmt.Errorf("the answer is not a list of categories: %s", truncate(collapseSpace(string(raw)), 100))
}

// BlockScriptFormats are the appliances MDA writes block scripts for, by the format code
// the API takes (mda-api.md §7.3; the same numbers as the logType table).
var BlockScriptFormats = map[string]int{
	"bluecoat":    102,
	"cisco_asa":   104,
	"fortigate":   108,
	"palo_alto":   112,
	"zscaler":     120,
	"juniper_srx": 129,
	"websense":    135,
}

// BlockScriptTypes are the script types the API is known to take: the docs' example sends
// type=banned (the unsanctioned apps); no other value is documented ([U]).
var BlockScriptTypes = []string{"banned"}

// GetBlockScript returns the block script for an appliance format exactly as MDA wrote it:
// plain text, not JSON.
func (c *Client) GetBlockScript(ctx context.Context, format int, scriptType string) (string, error) {
	op := newOperation("generate Cloud Discovery block script", http.MethodGet, "/discovery_block_scripts/", permDiscoveryManage, classRead)
	if !slices.Contains(slices.Collect(maps.Values(BlockScriptFormats)), format) {
		return "", fmt.Errorf("%s: format %d is not one MDA documents", op.name, format)
	}
	if !slices.Contains(BlockScriptTypes, scriptType) {
		return "", fmt.Errorf("%s: type %q is not one of %v", op.name, scriptType, BlockScriptTypes)
	}
	op.path += "?" + url.Values{"format": {strconv.Itoa(format)}, "type": {scriptType}}.Encode()
	// DRF-style servers pick the renderer from Accept: asking for JSON alone could be
	// answered 406, or with the script quoted as a JSON string.
	op.accept = "text/plain, */*;q=0.1"
	body, err := c.doRaw(ctx, op)
	if err != nil {
		return "", err
	}
	return string(body), nil
}
