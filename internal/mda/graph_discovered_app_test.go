package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestDecodeAppInfo_documentedExample(t *testing.T) {
	// graph-discovery.md 5.4, the documented (trimmed) example: scalars for dataTypes and
	// logonUrls, the misspelt GDPR flag.
	info, err := DecodeAppInfo(json.RawMessage(`{
	  "@odata.type": "#microsoft.graph.security.discoveredCloudAppInfo", "id": "93b60b3e",
	  "isHipaaCompliant": "unknown", "isSoc2Compliant": "true", "isGdprRightToDataPortablility": "false",
	  "dataTypes": "documents", "csaStarLevel": "continuousMonitoring", "fedRampLevel": "moderate",
	  "pciDssVersion": "v3_2_1", "dataAtRestEncryptionMethod": "rsA", "holding": "public", "encryptionProtocol": "tls1_0",
	  "dataCenter": "Multiple Locations", "headquarters": "United States", "founded": 2001,
	  "dataRetentionPolicy": "dataRetained", "latestBreachDateTime": "2023-09-15T13:45:30Z",
	  "domainRegistrationDateTime": "2020-01-01T00:00:00Z", "hostingCompany": "Contoso Hosting Services",
	  "logonUrls": "https://login.contosoapp.com", "vendor": "Contoso Ltd.", "gdprReadinessStatement": null,
	  "isSupportsSaml": "unknownFutureValue", "isDmca": "true", "isMultiFactorAuthentication": null}`))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "vendor", info.Vendor, "Contoso Ltd.")
	mustEqual(t, "headquarters", info.Headquarters, "United States")
	mustEqual(t, "data centre", info.DataCenter, "Multiple Locations")
	mustEqual(t, "hosting", info.HostingCompany, "Contoso Hosting Services")
	mustEqual(t, "gdpr statement", info.GDPRReadinessStatement, "")
	mustEqual(t, "founded", *info.Founded, int64(2001))
	mustEqual(t, "data types", strings.Join(info.DataTypes, ","), "documents")
	mustEqual(t, "logon urls", strings.Join(info.LogonURLs, ","), "https://login.contosoapp.com")
	mustEqual(t, "csa", info.CSAStarLevel, "continuousMonitoring")
	mustEqual(t, "encryption at rest", info.DataAtRestEncryptionMethod, "rsA")
	mustEqual(t, "pci", info.PCIDSSVersion, "v3_2_1")
	mustEqual(t, "fedramp", info.FedRAMPLevel, "moderate")
	mustEqual(t, "holding", info.Holding, "public")
	mustEqual(t, "tls", info.EncryptionProtocol, "tls1_0")
	mustEqual(t, "retention", info.DataRetentionPolicy, "dataRetained")
	mustEqual(t, "breach", info.LatestBreach.RFC3339(), "2023-09-15T13:45:30Z")
	mustEqual(t, "domain registration", info.DomainRegistration.RFC3339(), "2020-01-01T00:00:00Z")
	// null flags are absent, not "unknown": the catalogue said nothing.
	mustEqual(t, "flag count", len(info.Flags), 5)

	g := info.GroupedFlags()
	mustEqual(t, "hipaa", g[FlagCompliance]["hipaa"], "unknown")
	mustEqual(t, "soc2", g[FlagCompliance]["soc2"], "true")
	mustEqual(t, "dmca", g[FlagCompliance]["dmca"], "true")
	mustEqual(t, "portability (wire name misspelt)", g[FlagGDPR]["right_to_data_portability"], "false")
	mustEqual(t, "future value kept", g[FlagSecurity]["supports_saml"], "unknownFutureValue")
	mustEqual(t, "group sizes", fmt.Sprint(len(g[FlagCompliance]), len(g[FlagGDPR]), len(g[FlagSecurity])), "3 1 1")
}

func TestDecodeAppInfo_listShapesAndOddValues(t *testing.T) {
	info, err := DecodeAppInfo(json.RawMessage(`{"dataTypes": ["documents", "", "mediaFiles"],
	  "logonUrls": ["https://a.example/login", null], "founded": "1998", "isSoc1Compliant": false,
	  "island": "x", "is": "y", "isGdprRightToErasure": "true"}`))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "data types", strings.Join(info.DataTypes, ","), "documents,mediaFiles")
	mustEqual(t, "logon urls", strings.Join(info.LogonURLs, ","), "https://a.example/login")
	mustEqual(t, "founded from a string", *info.Founded, int64(1998))
	// A JSON boolean is kept as its text; "island" and "is" are not flags.
	mustEqual(t, "flags", fmt.Sprint(info.Flags), "map[isGdprRightToErasure:true isSoc1Compliant:false]")

	empty, err := DecodeAppInfo(json.RawMessage(`{"dataTypes": "", "logonUrls": []}`))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "no data types", len(empty.DataTypes), 0)
	mustEqual(t, "no logon urls", len(empty.LogonURLs), 0)
	mustEqual(t, "no founded", empty.Founded == nil, true)

	for _, bad := range []string{`[]`, `null`, ``, `{"dataTypes": {"a": 1}}`, `{"dataTypes": [{}]}`, `{"isHipaaCompliant": {}}`} {
		if _, err := DecodeAppInfo(json.RawMessage(bad)); err == nil {
			t.Errorf("DecodeAppInfo(%s): want an error", bad)
		}
	}
}

func TestAppInfoFlagKey(t *testing.T) {
	for wire, want := range map[string]string{
		"isHipaaCompliant":                                  "compliance hipaa",
		"isIso27001Compliant":                               "compliance iso27001",
		"isHitrustCsfCompliant":                             "compliance hitrust_csf",
		"isSp80053Compliant":                                "compliance sp80053",
		"isPrivacyShieldCompliant":                          "compliance privacy_shield",
		"isDmca":                                            "compliance dmca",
		"isGdprRightToErasure":                              "gdpr right_to_erasure",
		"isGdprRightToDataPortablility":                     "gdpr right_to_data_portability",
		"isGdprRightToDataPortability":                      "gdpr right_to_data_portability",
		"isGdprRightsRelatedToAutomatedDecisionMaking":      "gdpr rights_related_to_automated_decision_making",
		"isGdprDataProtectionSecureCrossBorderDataTransfer": "gdpr data_protection_secure_cross_border_data_transfer",
		"isMultiFactorAuthentication":                       "security multi_factor_authentication",
		"isSupportsSaml":                                    "security supports_saml",
		"isIpAddressRestriction":                            "security ip_address_restriction",
		"isHttpSecurityHeadersXXssProtection":               "security http_security_headers_x_xss_protection",
		"isHttpSecurityHeadersXContentTypeOptions":          "security http_security_headers_x_content_type_options",
		"isPasswordPolicyPasswordHistoryAndReuse":           "security password_policy_password_history_and_reuse",
		"isSomethingGraphAddsLater":                         "security something_graph_adds_later",
	} {
		group, key, ok := AppInfoFlagKey(wire)
		if !ok || string(group)+" "+key != want {
			t.Errorf("AppInfoFlagKey(%s) = %s %s %v, want %s", wire, group, key, ok, want)
		}
	}
	for _, notFlag := range []string{"id", "is", "island", "vendor", "Is"} {
		if _, _, ok := AppInfoFlagKey(notFlag); ok {
			t.Errorf("AppInfoFlagKey(%s): want not a flag", notFlag)
		}
	}
}

func TestAppInfo_correctSpellingWinsOverMisspelt(t *testing.T) {
	for _, flags := range []map[string]string{
		{"isGdprRightToDataPortablility": "false", "isGdprRightToDataPortability": "true"},
	} {
		g := AppInfo{Flags: flags}.GroupedFlags()
		mustEqual(t, "portability", g[FlagGDPR]["right_to_data_portability"], "true")
	}
}

// appServer serves one app and its appInfo; every other path is a Graph 404.
func appServer(t *testing.T) *graphServer {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		p := r.URL.EscapedPath()
		switch {
		case strings.HasSuffix(p, "/appInfo"):
			writeJSON(w, http.StatusOK, map[string]any{"vendor": "Contoso", "dataTypes": []string{"documents"}, "isSoc2Compliant": "true"})
		case strings.HasSuffix(p, "/aggregatedAppsDetails(period=duration'P7D')/11599"):
			writeJSON(w, http.StatusOK, map[string]any{"id": "11599", "displayName": "GitHub", "riskScore": 9})
		default:
			writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": "itemNotFound", "message": "no such app"}})
		}
		return true
	}
	return g
}

func TestGetDiscoveredApp_andAppInfo(t *testing.T) {
	g := appServer(t)
	c, _, _ := graphClient(t, g)
	ctx := context.Background()
	app, err := c.GetDiscoveredApp(ctx, "57869acdb4b3d5154f095af7", "P7D", "11599")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "name", app.Name, "GitHub")
	mustEqual(t, "path", g.requests[0].URL.EscapedPath(),
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/57869acdb4b3d5154f095af7/aggregatedAppsDetails(period=duration'P7D')/11599")
	info, err := c.GetDiscoveredAppInfo(ctx, "57869acdb4b3d5154f095af7", "P7D", "11599")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "vendor", info.Vendor, "Contoso")
	mustEqual(t, "appInfo path", g.requests[1].URL.EscapedPath(),
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/57869acdb4b3d5154f095af7/aggregatedAppsDetails(period=duration'P7D')/11599/appInfo")

	_, err = c.GetDiscoveredApp(ctx, "57869acdb4b3d5154f095af7", "P7D", "404")
	if !IsNotFound(err) {
		t.Fatalf("unknown app: want IsNotFound, got %v", err)
	}
	// An app id with a slash stays one path segment.
	_, _ = c.GetDiscoveredApp(ctx, "s", "P7D", "a/b")
	mustEqual(t, "escaped id", g.requests[len(g.requests)-1].URL.EscapedPath(),
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/s/aggregatedAppsDetails(period=duration'P7D')/a%2Fb")
}

func TestGetDiscoveredApp_answerWithoutIDIsAnError(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{})
		return true
	}
	c, _, _ := graphClient(t, g)
	if _, err := c.GetDiscoveredApp(context.Background(), "s", "P30D", "1"); err == nil || !strings.Contains(err.Error(), "has no id") {
		t.Fatalf("want an error about the missing id, got %v", err)
	}
}

func TestListDiscoveredAppEntities_pagesAndRepeats(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		// 230 users in pages of 100, user 5 repeated on the last page.
		skip := 0
		_, _ = fmt.Sscan(r.URL.Query().Get("$skip"), &skip)
		var value []map[string]any
		for i := skip; i < min(230, skip+100); i++ {
			value = append(value, map[string]any{"userIdentifier": fmt.Sprintf("user%d@contoso.com", i)})
		}
		body := map[string]any{"value": value}
		if skip == 200 {
			value = append(value, map[string]any{"userIdentifier": "user5@contoso.com"})
			body["value"] = value
		} else {
			body["@odata.nextLink"] = fmt.Sprintf("http://%s%s?$skip=%d", r.Host, r.URL.Path, skip+100)
		}
		writeJSON(w, http.StatusOK, body)
		return true
	}
	c, _, _ := graphClient(t, g)
	res, err := c.ListDiscoveredAppUsers(context.Background(), "s", "P30D", "11599")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "users", len(res.Values), 230)
	mustEqual(t, "first", res.Values[0], "user0@contoso.com")
	mustEqual(t, "pages", res.Requests, 3)
	mustEqual(t, "users path", g.requests[0].URL.EscapedPath(),
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/s/aggregatedAppsDetails(period=duration'P30D')/11599/users")
}

func TestListDiscoveredAppEntities_itemWithoutValueIsAnError(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{"ipAddress": "10.0.0.1"}, map[string]any{"other": 1}}})
		return true
	}
	c, _, _ := graphClient(t, g)
	res, err := c.ListDiscoveredAppIPAddresses(context.Background(), "s", "P30D", "1")
	if err == nil || !strings.Contains(err.Error(), "item 1 has no ipAddress") {
		t.Fatalf("want an error naming the item, got %v (%v)", err, res.Values)
	}
	if _, err := c.ListDiscoveredAppDevices(context.Background(), "s", "P30D", "1"); err == nil || !strings.Contains(err.Error(), "has no name") {
		t.Fatalf("devices: want an error naming the field, got %v", err)
	}
}
