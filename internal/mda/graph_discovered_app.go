package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// One discovered app over Microsoft Graph beta (graph-discovery.md 3 #3-#7): the app in a
// stream for a period, its catalogue risk attributes (appInfo) and the users, IP
// addresses and devices seen using it. Each list is paged at 100, so the data source
// reads them only when asked.

// discoveredAppPattern addresses one app of a stream for a period. The bare function
// name is what the PM guide, the MDA how-to and most clients send, and what nextLinks
// echo (graph-discovery.md 3.1).
const discoveredAppPattern = graphDiscoveryBase + "/{stream}/aggregatedAppsDetails(period=duration'{period}')/{app}"

// AppInfo is an app's entry in the cloud app catalogue (discoveredCloudAppInfo,
// graph-discovery.md 4.5). Every field is optional: Graph leaves out what the catalogue
// does not know, and "" (or nil) means it sent nothing.
type AppInfo struct {
	ID                     string
	Vendor                 string
	Headquarters           string
	DataCenter             string
	HostingCompany         string
	GDPRReadinessStatement string
	// Founded is the year the vendor was founded.
	Founded *int64
	// LogonURLs and DataTypes are a string in the docs and a collection in Graph's
	// metadata (graph-discovery.md 4.5); both decode to a list, one item for a string.
	LogonURLs []string
	DataTypes []string
	// The enum-typed fields, as Graph spells the values ("continuousMonitoring", "v3_2_1",
	// "rsA"): evolvable enums gain members, so values are not checked.
	CSAStarLevel               string
	DataAtRestEncryptionMethod string
	DataRetentionPolicy        string
	EncryptionProtocol         string
	FedRAMPLevel               string
	Holding                    string
	PCIDSSVersion              string
	DomainRegistration         FlexTime
	LatestBreach               FlexTime
	// Flags are the tri-state catalogue flags ("true", "false", "unknown", or a future
	// value kept as sent), keyed by wire name: every key that starts with "is" followed by
	// an upper-case letter. Keys Graph left out or sent as null are absent. A JSON boolean
	// is kept as its text. See AppInfoFlagKey for how they group.
	Flags map[string]string

	// Raw is appInfo's JSON exactly as Graph sent it.
	Raw json.RawMessage
}

// appInfoWire is the named part of appInfo; the flags are read separately.
type appInfoWire struct {
	ID                         FlexString   `json:"id"`
	Vendor                     *string      `json:"vendor"`
	Headquarters               *string      `json:"headquarters"`
	DataCenter                 *string      `json:"dataCenter"`
	HostingCompany             *string      `json:"hostingCompany"`
	GDPRReadinessStatement     *string      `json:"gdprReadinessStatement"`
	Founded                    *FlexInt     `json:"founded"`
	LogonURLs                  GraphStrings `json:"logonUrls"`
	DataTypes                  GraphStrings `json:"dataTypes"`
	CSAStarLevel               FlexString   `json:"csaStarLevel"`
	DataAtRestEncryptionMethod FlexString   `json:"dataAtRestEncryptionMethod"`
	DataRetentionPolicy        FlexString   `json:"dataRetentionPolicy"`
	EncryptionProtocol         FlexString   `json:"encryptionProtocol"`
	FedRAMPLevel               FlexString   `json:"fedRampLevel"`
	Holding                    FlexString   `json:"holding"`
	PCIDSSVersion              FlexString   `json:"pciDssVersion"`
	DomainRegistration         FlexTime     `json:"domainRegistrationDateTime"`
	LatestBreach               FlexTime     `json:"latestBreachDateTime"`
}

// DecodeAppInfo reads an appInfo object. Unknown fields are ignored and the flags are
// collected generically, so a flag Graph adds later appears without a change here.
func DecodeAppInfo(raw json.RawMessage) (AppInfo, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return AppInfo{}, fmt.Errorf("appInfo is not a JSON object: %.60s", raw)
	}
	var w appInfoWire
	if err := unmarshalExact(raw, &w); err != nil {
		return AppInfo{}, fmt.Errorf("appInfo: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return AppInfo{}, fmt.Errorf("appInfo: %w", err)
	}
	info := AppInfo{
		ID:                         string(w.ID),
		Vendor:                     text(w.Vendor),
		Headquarters:               text(w.Headquarters),
		DataCenter:                 text(w.DataCenter),
		HostingCompany:             text(w.HostingCompany),
		GDPRReadinessStatement:     text(w.GDPRReadinessStatement),
		LogonURLs:                  nonEmpty(w.LogonURLs),
		DataTypes:                  nonEmpty(w.DataTypes),
		CSAStarLevel:               string(w.CSAStarLevel),
		DataAtRestEncryptionMethod: string(w.DataAtRestEncryptionMethod),
		DataRetentionPolicy:        string(w.DataRetentionPolicy),
		EncryptionProtocol:         string(w.EncryptionProtocol),
		FedRAMPLevel:               string(w.FedRAMPLevel),
		Holding:                    string(w.Holding),
		PCIDSSVersion:              string(w.PCIDSSVersion),
		DomainRegistration:         w.DomainRegistration,
		LatestBreach:               w.LatestBreach,
		Flags:                      map[string]string{},
		Raw:                        raw,
	}
	if w.Founded != nil {
		year := int64(*w.Founded)
		info.Founded = &year
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !isFlagKey(k) {
			continue
		}
		v := bytes.TrimSpace(fields[k])
		if string(v) == "null" {
			continue
		}
		var s FlexString
		if err := json.Unmarshal(v, &s); err != nil {
			return AppInfo{}, fmt.Errorf("appInfo: flag %s: %w", k, err)
		}
		info.Flags[k] = string(s)
	}
	return info, nil
}

// nonEmpty drops the empty strings of a list, so that "", [] and [""] all mean none.
func nonEmpty(l []string) []string {
	l = slices.DeleteFunc(l, func(s string) bool { return strings.TrimSpace(s) == "" })
	if len(l) == 0 {
		return nil
	}
	return l
}

// isFlagKey reports whether an appInfo key is one of the tri-state flags: "is" and then
// an upper-case letter (isHipaaCompliant, isGdprRightToErasure, isSupportsSaml).
func isFlagKey(k string) bool {
	return len(k) > 2 && strings.HasPrefix(k, "is") && unicode.IsUpper(rune(k[2]))
}

// AppInfoFlagGroup is the family a catalogue flag belongs to.
type AppInfoFlagGroup string

const (
	FlagCompliance AppInfoFlagGroup = "compliance"
	FlagGDPR       AppInfoFlagGroup = "gdpr"
	FlagSecurity   AppInfoFlagGroup = "security"
)

// flagKeyFixes corrects wire names whose spelling would otherwise leak into keys users
// write: Graph spells one GDPR flag isGdprRightToDataPortablility (graph-discovery.md 10.3).
var flagKeyFixes = map[string]string{"RightToDataPortablility": "RightToDataPortability"}

// AppInfoFlagKey places a flag's wire name in its group and gives its snake_case key:
// isXCompliant and isDmca are compliance (isIso27001Compliant -> iso27001, isDmca ->
// dmca), isGdprX is GDPR (isGdprRightToErasure -> right_to_erasure; the misspelt
// isGdprRightToDataPortablility -> right_to_data_portability), and every other isX is
// security (isMultiFactorAuthentication -> multi_factor_authentication), including flags
// Graph may add later. ok is false for a key that is not a flag.
func AppInfoFlagKey(wire string) (group AppInfoFlagGroup, key string, ok bool) {
	if !isFlagKey(wire) {
		return "", "", false
	}
	name := wire[2:]
	switch {
	case strings.HasPrefix(name, "Gdpr") && len(name) > 4:
		group, name = FlagGDPR, name[4:]
		if fixed, found := flagKeyFixes[name]; found {
			name = fixed
		}
	case strings.HasSuffix(name, "Compliant") && len(name) > len("Compliant"):
		group, name = FlagCompliance, strings.TrimSuffix(name, "Compliant")
	case name == "Dmca":
		group = FlagCompliance
	default:
		group = FlagSecurity
	}
	return group, snakeCase(name), true
}

// GroupedFlags splits Flags by group, keyed as AppInfoFlagKey says. When Graph sends
// both a misspelt and a corrected wire name, the correctly spelt one wins.
func (a AppInfo) GroupedFlags() map[AppInfoFlagGroup]map[string]string {
	out := map[AppInfoFlagGroup]map[string]string{FlagCompliance: {}, FlagGDPR: {}, FlagSecurity: {}}
	for _, wire := range slices.Sorted(maps.Keys(a.Flags)) {
		group, key, ok := AppInfoFlagKey(wire)
		if !ok {
			continue
		}
		misspelt := false
		for bad := range flagKeyFixes {
			misspelt = misspelt || strings.HasSuffix(wire, bad)
		}
		if _, taken := out[group][key]; taken && misspelt {
			continue
		}
		out[group][key] = a.Flags[wire]
	}
	return out
}

// snakeCase turns a Pascal-case wire name into snake_case: a word starts at an upper-case
// letter after a lower-case letter or digit, and at the last capital of a run followed by
// a lower-case letter (HttpSecurityHeadersXXssProtection -> http_security_headers_x_xss_protection).
// Digits stay with the word before them (Iso27001 -> iso27001).
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// discoveredAppOp addresses one app, or with a suffix one of its parts.
func discoveredAppOp(name, suffix, streamID, period, appID string) operation {
	return newGraphOperation(name, discoveredAppPattern+suffix, streamID, period, appID)
}

// GetDiscoveredApp reads one app of a stream for a period ("P7D", "P30D" or "P90D"). An
// app Graph does not know there (or an unknown stream) gives an *APIError for which
// IsNotFound holds.
func (c *Client) GetDiscoveredApp(ctx context.Context, streamID, period, appID string) (DiscoveredApp, error) {
	op := discoveredAppOp(fmt.Sprintf("read discovered app %s in stream %s", appID, streamID), "", streamID, period, appID)
	var raw json.RawMessage
	if err := c.graphGet(ctx, op, &raw); err != nil {
		return DiscoveredApp{}, err
	}
	app, err := DecodeDiscoveredApp(raw)
	if err != nil {
		return DiscoveredApp{}, fmt.Errorf("%s: Microsoft Graph answered with an app that could not be read: %w", op.name, err)
	}
	return app, nil
}

// GetDiscoveredAppInfo reads an app's catalogue entry.
func (c *Client) GetDiscoveredAppInfo(ctx context.Context, streamID, period, appID string) (AppInfo, error) {
	op := discoveredAppOp(fmt.Sprintf("read the catalogue info of discovered app %s in stream %s", appID, streamID),
		"/appInfo", streamID, period, appID)
	var raw json.RawMessage
	if err := c.graphGet(ctx, op, &raw); err != nil {
		return AppInfo{}, err
	}
	info, err := DecodeAppInfo(raw)
	if err != nil {
		return AppInfo{}, fmt.Errorf("%s: %w", op.name, err)
	}
	return info, nil
}

// AppEntityList is what one of an app's entity lists (users, IP addresses, devices) held.
type AppEntityList struct {
	// Values are in the order Graph sent them, repeats removed: users have been seen
	// twice in one listing (graph-discovery.md 4.6).
	Values []string
	// Requests is the number of pages read.
	Requests int
}

// appEntityKinds are an app's entity lists: the path under the app and the one property
// of each item (graph-discovery.md 4.6).
var appEntityKinds = map[string]struct{ path, field, words string }{
	"users":       {"/users", "userIdentifier", "users"},
	"ipAddresses": {"/ipAddresses", "ipAddress", "IP addresses"},
	"devices":     {"/devices", "name", "devices"},
}

// ListDiscoveredAppUsers lists the users seen using an app: user principal names, or
// anonymised tokens when the stream anonymises users.
func (c *Client) ListDiscoveredAppUsers(ctx context.Context, streamID, period, appID string) (AppEntityList, error) {
	return c.listAppEntities(ctx, "users", streamID, period, appID)
}

// ListDiscoveredAppIPAddresses lists the IP addresses seen using an app.
func (c *Client) ListDiscoveredAppIPAddresses(ctx context.Context, streamID, period, appID string) (AppEntityList, error) {
	return c.listAppEntities(ctx, "ipAddresses", streamID, period, appID)
}

// ListDiscoveredAppDevices lists the devices seen using an app; Graph serves it on
// Defender for Endpoint streams only.
func (c *Client) ListDiscoveredAppDevices(ctx context.Context, streamID, period, appID string) (AppEntityList, error) {
	return c.listAppEntities(ctx, "devices", streamID, period, appID)
}

func (c *Client) listAppEntities(ctx context.Context, kind, streamID, period, appID string) (AppEntityList, error) {
	k := appEntityKinds[kind]
	op := discoveredAppOp(fmt.Sprintf("list the %s of discovered app %s in stream %s", k.words, appID, streamID),
		k.path, streamID, period, appID)
	res, err := c.graphList(ctx, op, 0)
	out := AppEntityList{Requests: res.Requests}
	if err != nil {
		return out, err
	}
	seen := map[string]bool{}
	for i, item := range res.Items {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(item, &obj); err != nil {
			return out, fmt.Errorf("%s: item %d is not a JSON object: %w", op.name, i, err)
		}
		var v FlexString
		if field, found := obj[k.field]; found {
			if err := json.Unmarshal(field, &v); err != nil {
				return out, fmt.Errorf("%s: item %d: %s: %w", op.name, i, k.field, err)
			}
		}
		if v == "" {
			return out, fmt.Errorf("%s: item %d has no %s: %s", op.name, i, k.field, truncate(collapseSpace(string(item)), 100))
		}
		if !seen[string(v)] {
			seen[string(v)] = true
			out.Values = append(out.Values, string(v))
		}
	}
	return out, nil
}
