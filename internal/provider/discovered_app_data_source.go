package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*discoveredAppDataSource)(nil)

// NewDiscoveredAppDataSource is the constructor for mda_discovered_app.
func NewDiscoveredAppDataSource() datasource.DataSource { return &discoveredAppDataSource{} }

// discoveredAppDataSource reads one app of a Cloud Discovery report from Microsoft Graph,
// with its catalogue entry and, when asked, who used it.
type discoveredAppDataSource struct{ client *mda.Client }

type discoveredAppDataModel struct {
	AppID              types.String `tfsdk:"app_id"`
	StreamID           types.String `tfsdk:"stream_id"`
	PeriodDays         types.Int64  `tfsdk:"period_days"`
	IncludeUsers       types.Bool   `tfsdk:"include_users"`
	IncludeIPAddresses types.Bool   `tfsdk:"include_ip_addresses"`
	IncludeDevices     types.Bool   `tfsdk:"include_devices"`
	discoveredAppModel
	AppInfo       *appInfoModel `tfsdk:"app_info"`
	UserList      []string      `tfsdk:"user_list"`
	IPAddressList []string      `tfsdk:"ip_address_list"`
	DeviceList    []string      `tfsdk:"device_list"`
}

type appInfoModel struct {
	Vendor                     types.String      `tfsdk:"vendor"`
	Headquarters               types.String      `tfsdk:"headquarters"`
	DataCenter                 types.String      `tfsdk:"data_center"`
	HostingCompany             types.String      `tfsdk:"hosting_company"`
	Founded                    types.Int64       `tfsdk:"founded"`
	GDPRReadinessStatement     types.String      `tfsdk:"gdpr_readiness_statement"`
	LogonURLs                  []string          `tfsdk:"logon_urls"`
	DataTypes                  []string          `tfsdk:"data_types"`
	CSAStarLevel               types.String      `tfsdk:"csa_star_level"`
	DataAtRestEncryptionMethod types.String      `tfsdk:"data_at_rest_encryption_method"`
	DataRetentionPolicy        types.String      `tfsdk:"data_retention_policy"`
	EncryptionProtocol         types.String      `tfsdk:"encryption_protocol"`
	FedRAMPLevel               types.String      `tfsdk:"fedramp_level"`
	Holding                    types.String      `tfsdk:"holding"`
	PCIDSSVersion              types.String      `tfsdk:"pci_dss_version"`
	DomainRegistration         types.String      `tfsdk:"domain_registration"`
	LatestBreach               types.String      `tfsdk:"latest_breach"`
	Compliance                 map[string]string `tfsdk:"compliance"`
	GDPR                       map[string]string `tfsdk:"gdpr"`
	Security                   map[string]string `tfsdk:"security"`
	RawJSON                    types.String      `tfsdk:"raw_json"`
}

func (d *discoveredAppDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovered_app"
}

func (d *discoveredAppDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := discoveredAppAttributes()
	list := func(desc string) schema.Attribute {
		return schema.ListAttribute{MarkdownDescription: desc, Computed: true, ElementType: types.StringType}
	}
	include := func(what, attr string) schema.Attribute {
		return schema.BoolAttribute{
			MarkdownDescription: fmt.Sprintf("Read the %s that used the app in the period into `%s`. Off by default: "+
				"Microsoft Graph pages them 100 at a time, so this costs one request per 100 %s.", what, attr, what),
			Optional: true,
		}
	}
	attrs["app_id"] = schema.StringAttribute{
		MarkdownDescription: "The app's id in MDA's cloud app catalogue, such as `11760`, as `mda_discovered_apps` shows it " +
			"in `apps[*].id`. The data source fails when the report has no such app in the period.",
		Required:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["stream_id"] = schema.StringAttribute{
		MarkdownDescription: "The id of the Cloud Discovery report (stream) to read, as `mda_discovery_streams` returns it. " +
			"When unset, the stream named \"Global view\", which aggregates every other, found by listing the streams " +
			"(one more request); the id read is set here.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["period_days"] = schema.Int64Attribute{
		MarkdownDescription: "The period of the report, in days: `7`, `30` (the default) or `90`, the only ones Microsoft Graph serves.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.Int64{int64validator.OneOf(mda.GraphPeriodDays...)},
	}
	attrs["include_users"] = include("users", "user_list")
	attrs["include_ip_addresses"] = include("IP addresses", "ip_address_list")
	attrs["include_devices"] = schema.BoolAttribute{
		MarkdownDescription: "Read the devices that used the app in the period into `device_list`. Off by default: " +
			"Microsoft Graph pages them 100 at a time, so this costs one request per 100 devices. Only Defender for Endpoint " +
			"streams (\"Defender-managed endpoints\") know devices: for an app of any other stream, `device_list` is empty, " +
			"a warning says why, and no request is sent.",
		Optional: true,
	}
	attrs["user_list"] = list("The users that used the app in the period (Graph's `userIdentifier`): user principal names, " +
		"or anonymised tokens such as `User_KSzxdM1v833oYU1kLo9m7w==` when the stream anonymises users. In Graph's order, " +
		"each once. Null unless `include_users` is true.")
	attrs["ip_address_list"] = list("The IP addresses that used the app in the period, in Graph's order, each once. " +
		"Null unless `include_ip_addresses` is true.")
	attrs["device_list"] = list("The names of the devices that used the app in the period, in Graph's order, each once. " +
		"Null unless `include_devices` is true; empty for apps of streams other than Defender for Endpoint's.")
	attrs["app_info"] = schema.SingleNestedAttribute{
		MarkdownDescription: "The app's entry in MDA's cloud app catalogue (Graph's `appInfo`): who runs it and how it " +
			"scores on compliance, GDPR and security. Every field is null (lists and maps empty) when the catalogue does not know it.",
		Computed:   true,
		Attributes: appInfoAttributes(),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one app of a Cloud Discovery report from Microsoft Graph (beta) by its catalogue id: " +
			"its traffic in the report's period, its catalogue entry (`app_info`) and, when asked, the users, IP addresses " +
			"and devices that used it. It needs an Entra application or managed identity with the Graph application permission " +
			"`CloudApp-Discovery.Read.All` and admin consent; with the legacy API token, the Azure CLI or a national cloud it " +
			"fails at plan time without sending a request. It fails when the report has no such app in the period.",
		Attributes: attrs,
	}
}

// appInfoAttributes describes app_info. The flags are three maps rather than 66
// attributes: Graph adds flags over time, and a map passes new ones through.
func appInfoAttributes() map[string]schema.Attribute {
	enum := func(wire, examples string) schema.Attribute {
		return computedString(fmt.Sprintf("Graph's `%s`, as Graph spells the value (such as %s); new values are passed through.", wire, examples))
	}
	flags := func(name, key, desc string) schema.Attribute {
		return schema.MapAttribute{
			MarkdownDescription: desc + " Each value is `true`, `false` or `unknown` (kept as Graph sends it should it send " +
				"another). A flag Graph does not send is not in the map: read one with " +
				fmt.Sprintf("`lookup(data.mda_discovered_app.x.app_info.%s, %q, \"unknown\")`.", name, key),
			Computed:    true,
			ElementType: types.StringType,
		}
	}
	return map[string]schema.Attribute{
		"vendor":                   computedString("The company that makes the app."),
		"headquarters":             computedString("The country or region of the vendor's headquarters."),
		"data_center":              computedString("Where the app's data centres are (countries or regions, as Graph writes them)."),
		"hosting_company":          computedString("The company that hosts the app."),
		"founded":                  computedInt64("The year the vendor was founded."),
		"gdpr_readiness_statement": computedString("The vendor's GDPR readiness statement (usually a URL)."),
		"logon_urls": schema.ListAttribute{
			MarkdownDescription: "The app's sign-in URLs. Graph sends one string or a list; both are read as a list.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"data_types": schema.ListAttribute{
			MarkdownDescription: "The kinds of data users can upload (`documents`, `mediaFiles`, `codingFiles`, `creditCards`, " +
				"`databaseFiles`, `none`, ...). Graph sends one string or a list; both are read as a list.",
			Computed:    true,
			ElementType: types.StringType,
		},
		"csa_star_level":                 enum("csaStarLevel", "`selfAssessment`, `attestation` or `continuousMonitoring`"),
		"data_at_rest_encryption_method": enum("dataAtRestEncryptionMethod", "`aes`, `bitLocker`, `rsA` (sic) or `notSupported`"),
		"data_retention_policy":          enum("dataRetentionPolicy", "`dataRetained` or `deletedWithinOneMonth`"),
		"encryption_protocol":            enum("encryptionProtocol", "`tls1_2`, `tls1_3` or `notSupported`"),
		"fedramp_level":                  enum("fedRampLevel", "`high`, `moderate`, `low` or `liSaaS`"),
		"holding":                        enum("holding", "`private` or `public`"),
		"pci_dss_version":                enum("pciDssVersion", "`v3_2_1`, `v4` or `notSupported`"),
		"domain_registration":            computedString("When the app's domain was registered, as an RFC 3339 timestamp in UTC."),
		"latest_breach":                  computedString("When the vendor's latest known data breach happened, as an RFC 3339 timestamp in UTC; null when none is known."),
		"compliance": flags("compliance", "soc2", "Compliance certifications, from Graph's `is<Standard>Compliant` flags and `isDmca`, keyed by the "+
			"standard in snake_case: `hipaa`, `soc1`, `soc2`, `soc3`, `iso27001`, `iso27017`, `iso27018`, `isae3402`, `ssae16`, "+
			"`sox`, `hitrust_csf`, `privacy_shield`, `sp80053`, `fisma`, `finra`, `ffiec`, `ferpa`, "+
			"`coppa`, `cobit`, `gaap`, `glba`, `itar`, `dmca`."),
		"gdpr": flags("gdpr", "right_to_erasure", "GDPR readiness, from Graph's `isGdpr<Right>` flags, keyed by the rest of the name in snake_case: "+
			"`right_to_erasure`, `right_to_access`, `right_to_be_informed`, `right_to_object`, `right_to_rectification`, "+
			"`right_to_restriction_of_processing`, `right_to_data_portability` (Graph misspells this wire name "+
			"`isGdprRightToDataPortablility`; the key is spelt correctly), `rights_related_to_automated_decision_making`, "+
			"`data_protection_officer`, `data_protection_impact_assessment`, `impact_assessment`, "+
			"`lawful_basis_for_processing`, `report_data_breaches`, `secure_cross_border_data_control`, "+
			"`data_protection_secure_cross_border_data_transfer`."),
		"security": flags("security", "multi_factor_authentication", "Security capabilities, from every other `is<Capability>` flag of Graph, keyed by the capability "+
			"in snake_case: `multi_factor_authentication`, `supports_saml`, `admin_audit_trail`, `data_audit_trail`, "+
			"`user_audit_trail`, `ip_address_restriction`, `password_policy`, `penetration_testing`, `trusted_certificate`, "+
			"`file_sharing`, `user_can_upload_data`, `http_security_headers_strict_transport_security`, ... . Flags Graph "+
			"adds later land here, named the same way."),
		"raw_json": computedString("The catalogue entry as Graph sent it, as JSON, for fields this provider does not map; " +
			"read it with `jsondecode`."),
	}
}

func (d *discoveredAppDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *discoveredAppDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !checkGraphAvailable(&resp.Diagnostics, d.client, "mda_discovered_app") {
		return
	}
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg discoveredAppDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	days := int64(defaultDiscoveredAppsPeriod)
	if !cfg.PeriodDays.IsNull() {
		days = cfg.PeriodDays.ValueInt64()
	}
	period, err := mda.GraphPeriod(days)
	if err != nil { // the validator has refused it already; this guards against a bypass
		resp.Diagnostics.AddAttributeError(path.Root("period_days"), "Invalid period", sentence(err.Error()))
		return
	}
	appID := cfg.AppID.ValueString()
	streamID := cfg.StreamID.ValueString()
	if streamID == "" {
		if streamID, err = d.client.GlobalViewStreamID(ctx); err != nil {
			addGlobalViewError(&resp.Diagnostics, err)
			return
		}
	}

	app, err := d.client.GetDiscoveredApp(ctx, streamID, period, appID)
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("app_id"), "Discovered app not found", fmt.Sprintf(
			"Microsoft Graph has no app %q in the Cloud Discovery stream %q for the last %d days (it answers the same for "+
				"a stream that does not exist). Take the id from mda_discovered_apps (apps[*].id) for the same stream and "+
				"period, or try a longer period_days: an app not seen in the period is not in the report. %s",
			appID, streamID, days, sentence(err.Error())))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("read discovered app %s in stream %s", appID, streamID), err)
		return
	}
	info, err := d.client.GetDiscoveredAppInfo(ctx, streamID, period, appID)
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("read the catalogue entry of discovered app %s in stream %s", appID, streamID), err)
		return
	}
	requests := 2

	m := discoveredAppDataModel{
		AppID:              cfg.AppID,
		StreamID:           types.StringValue(streamID),
		PeriodDays:         types.Int64Value(days),
		IncludeUsers:       cfg.IncludeUsers,
		IncludeIPAddresses: cfg.IncludeIPAddresses,
		IncludeDevices:     cfg.IncludeDevices,
		discoveredAppModel: discoveredAppFromAPI(app),
		AppInfo:            appInfoFromAPI(info),
	}
	lists := []struct {
		asked bool
		what  string
		list  func(context.Context, string, string, string) (mda.AppEntityList, error)
		into  *[]string
	}{
		{cfg.IncludeUsers.ValueBool(), "users", d.client.ListDiscoveredAppUsers, &m.UserList},
		{cfg.IncludeIPAddresses.ValueBool(), "IP addresses", d.client.ListDiscoveredAppIPAddresses, &m.IPAddressList},
		{cfg.IncludeDevices.ValueBool(), "devices", d.client.ListDiscoveredAppDevices, &m.DeviceList},
	}
	for _, l := range lists {
		if !l.asked {
			continue
		}
		if l.what == "devices" && !app.Endpoint {
			// Only Defender for Endpoint streams have devices; Graph answers 404 elsewhere.
			// An empty list lets one configuration read apps of every stream.
			m.DeviceList = []string{}
			resp.Diagnostics.AddAttributeWarning(path.Root("include_devices"), "No devices outside Defender for Endpoint streams",
				fmt.Sprintf("App %q of stream %q is not from a Defender for Endpoint stream, and only those record devices, "+
					"so device_list is empty and no request was sent for it. Set stream_id to the \"Defender-managed endpoints\" "+
					"stream's id to see devices, or leave include_devices unset for this stream.", appID, streamID))
			continue
		}
		res, err := l.list(ctx, streamID, period, appID)
		requests += res.Requests
		if err != nil {
			addAPIError(&resp.Diagnostics, fmt.Sprintf("list the %s of discovered app %s in stream %s", l.what, appID, streamID), err)
			return
		}
		*l.into = append([]string{}, res.Values...)
	}
	tflog.Debug(ctx, "read discovered app", map[string]any{"app_id": appID, "stream_id": streamID, "graph_requests": requests})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// addGlobalViewError reports a failure to find the Global view stream: a request that
// failed, or a tenant whose streams include none of that name.
func addGlobalViewError(diags *diag.Diagnostics, err error) {
	var apiErr *mda.APIError
	var tokenErr *mda.TokenError
	if errors.As(err, &apiErr) || errors.As(err, &tokenErr) || mda.IsNoAnswer(err) || mda.IsCanceled(err) || mda.IsDeadlineExceeded(err) {
		addAPIError(diags, "list Cloud Discovery streams to find the Global view", err)
		return
	}
	diags.AddAttributeError(path.Root("stream_id"), "No Global view stream", sentence(err.Error()))
}

// appInfoFromAPI maps a catalogue entry. Lists and maps are empty rather than null, so
// that length() and lookup() work without a null check.
func appInfoFromAPI(a mda.AppInfo) *appInfoModel {
	m := &appInfoModel{
		Vendor:                     stringOrNull(a.Vendor),
		Headquarters:               stringOrNull(a.Headquarters),
		DataCenter:                 stringOrNull(a.DataCenter),
		HostingCompany:             stringOrNull(a.HostingCompany),
		Founded:                    types.Int64PointerValue(a.Founded),
		GDPRReadinessStatement:     stringOrNull(a.GDPRReadinessStatement),
		LogonURLs:                  append([]string{}, a.LogonURLs...),
		DataTypes:                  append([]string{}, a.DataTypes...),
		CSAStarLevel:               stringOrNull(a.CSAStarLevel),
		DataAtRestEncryptionMethod: stringOrNull(a.DataAtRestEncryptionMethod),
		DataRetentionPolicy:        stringOrNull(a.DataRetentionPolicy),
		EncryptionProtocol:         stringOrNull(a.EncryptionProtocol),
		FedRAMPLevel:               stringOrNull(a.FedRAMPLevel),
		Holding:                    stringOrNull(a.Holding),
		PCIDSSVersion:              stringOrNull(a.PCIDSSVersion),
		DomainRegistration:         stringOrNull(a.DomainRegistration.RFC3339()),
		LatestBreach:               stringOrNull(a.LatestBreach.RFC3339()),
		RawJSON:                    types.StringNull(),
	}
	groups := a.GroupedFlags()
	m.Compliance, m.GDPR, m.Security = groups[mda.FlagCompliance], groups[mda.FlagGDPR], groups[mda.FlagSecurity]
	if len(a.Raw) > 0 {
		m.RawJSON = types.StringValue(compactJSON(a.Raw))
	}
	return m
}
