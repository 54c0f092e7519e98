package provider

import (
	"context"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*discoveryStreamsDataSource)(nil)

// discoveryStreamTypeCodes are the documented streamType codes (mda-api.md §7.1).
var discoveryStreamTypeCodes = map[string]int{
	"invalid":    0,
	"input":      1,
	"logical":    2,
	"view":       3,
	"enrichment": 4,
	"preview":    5,
}

var discoveryStreamTypeNames = invert(discoveryStreamTypeCodes)

// discoveryLogTypeNames is the logType table of the streams page (mda-api.md §7.1), each
// documented name in lower case, misspellings included (microsfot_isa): the words are
// the docs' names, so they can be looked up there.
var discoveryLogTypeNames = func() map[int]string {
	out := map[int]string{0: "invalid", 1: "other"}
	// 100..226, in order.
	for i, n := range strings.Fields(`LOG_3COM BARRACUDA BLUECOAT CHECKPOINT CISCO_ASA
		CISCO_SSL_WEBVPN_OR_SVC_VPN CISCO_IRONPORT_PROXY CISCO_NETFLOW FORTIGATE JUNIPER_NETWORKS GREENPLUM
		MICROSFOT_ISA PALO_ALTO SONICWALL SQUID SUN_MICROSYSTEMS_SUNSCREEN_FIREWALL SURICATA
		SYMANTEC_WEB_SECURITY_CLOUD WEBSENSE WATCH_GUARD ZSCALER MCAFEE_SWG HP_TIPPING_POINT HP_NETWORKING
		CISCO_SCAN_SAFE CHECKPOINT_OPSEC_LEA PALO_ALTO_SYSLOG METADATA_ACTIVE_DIRECTORY_LOGIN COX_SYSLOG
		JUNIPER_SRX SOPHOS_SG METADATA_HPE_LOGIN METADATA_CISCO_ISE CISCO_IRONPORT_PROXY_SYSLOG ZSCALER_NESTLE
		WEBSENSE_V7_5 FORTIGATE_SYSLOG PAN_DELOITTE WEBSENSE_SIEM_CEF BLUECOAT_SYSLOG CHECKPOINT_SYSLOG
		CISCO_ASA_SYSLOG CISCO_SCAN_SAFE_SYSLOG ZSCALER_SYSLOG MCAFEE_SWG_SYSLOG CHECKPOINT_OPSEC_LEA_SYSLOG
		SQUID_SYSLOG JUNIPER_SRX_SYSLOG SOPHOS_SG_SYSLOG MICROSFOT_ISA_SYSLOG WEBSENSE_SYSLOG
		WEBSENSE_V7_5_SYSLOG WEBSENSE_SIEM_CEF_SYSLOG MACHINE_ZONE_MERAKI MACHINE_ZONE_MERAKI_SYSLOG
		SQUID_NATIVE SQUID_NATIVE_SYSLOG CISCO_FWSM CISCO_FWSM_SYSLOG MICROSOFT_ISA_W3C SONICWALL_SYSLOG
		MICROSOFT_ISA_W3C_SYSLOG SOPHOS_CYBEROAM SOPHOS_CYBEROAM_SYSLOG CLAVISTER CLAVISTER_SYSLOG
		BARRACUDA_SYSLOG CUSTOM_PARSER JUNIPER_SSG JUNIPER_SSG_SYSLOG ZSCALER_QRADAR ZSCALER_QRADAR_SYSLOG
		JUNIPER_SRX_SD JUNIPER_SRX_SD_SYSLOG JUNIPER_SRX_WELF JUNIPER_SRX_WELF_SYSLOG ADALLOM_PROXY_RAW_TRAFFIC
		CISCO_ASA_FIREPOWER CISCO_ASA_FIREPOWER_SYSLOG GENERIC_CEF GENERIC_CEF_SYSLOG GENERIC_LEEF
		GENERIC_LEEF_SYSLOG GENERIC_W3C GENERIC_W3C_SYSLOG I_FILTER I_FILTER_SYSLOG CHECKPOINT_XML
		CHECKPOINT_XML_SYSLOG CHECKPOINT_SMART_VIEW_TRACKER CHECKPOINT_SMART_VIEW_TRACKER_SYSLOG
		BARRACUDA_NEXT_GEN_FW BARRACUDA_NEXT_GEN_FW_SYSLOG BARRACUDA_NEXT_GEN_FW_WEBLOG
		BARRACUDA_NEXT_GEN_FW_WEBLOG_SYSLOG WDATP ZSCALER_CEF ZSCALER_CEF_SYSLOG SOPHOS_XG SOPHOS_XG_SYSLOG
		IBOSS IBOSS_SYSLOG FORCEPOINT FORCEPOINT_SYSLOG FORTIOS FORTIOS_SYSLOG CISCO_IRONPORT_WSA_II
		CISCO_IRONPORT_WSA_II_SYSLOG PALO_ALTO_LEEF PALO_ALTO_LEEF_SYSLOG FORCEPOINT_LEEF FORCEPOINT_LEEF_SYSLOG
		STORMSHIELD STORMSHIELD_SYSLOG CONTENTKEEPER CONTENTKEEPER_SYSLOG CISCO_IRONPORT_WSA_III
		CISCO_IRONPORT_WSA_III_SYSLOG CHECKPOINT_CEF CHECKPOINT_CEF_SYSLOG CORRATA CORRATA_SYSLOG
		CISCO_FIREPOWER_V6 CISCO_FIREPOWER_V6_SYSLOG MENLO_SECURITY_CEF WATCHGUARD_XTM WATCHGUARD_XTM_SYSLOG`) {
		out[100+i] = strings.ToLower(n)
	}
	return out
}()

// discoveryLogTypeWord names a logType code; a code outside the documented table is shown
// as its number, so a format MDA adds later is still visible and can be looked up.
func discoveryLogTypeWord(code int) string {
	if w, ok := discoveryLogTypeNames[code]; ok {
		return w
	}
	return strconv.Itoa(code)
}

// NewDiscoveryStreamsDataSource is the constructor for mda_discovery_streams.
func NewDiscoveryStreamsDataSource() datasource.DataSource { return &discoveryStreamsDataSource{} }

// discoveryStreamsDataSource lists the Cloud Discovery reports (streams).
type discoveryStreamsDataSource struct{ client *mda.Client }

type discoveryStreamsDataSourceModel struct {
	ID      types.String           `tfsdk:"id"`
	Name    types.String           `tfsdk:"name"`
	Streams []discoveryStreamModel `tfsdk:"streams"`
}

type discoveryStreamModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	Type             types.String `tfsdk:"type"`
	ReceiverType     types.String `tfsdk:"receiver_type"`
	Protocol         types.String `tfsdk:"protocol"`
	LogType          types.String `tfsdk:"log_type"`
	Created          types.String `tfsdk:"created"`
	LastModified     types.String `tfsdk:"last_modified"`
	LastDataReceived types.String `tfsdk:"last_data_received"`
	LogFiles         types.Int64  `tfsdk:"log_files"`
	FailedLogFiles   types.Int64  `tfsdk:"failed_log_files"`
	RawJSON          types.String `tfsdk:"raw_json"`
}

func (d *discoveryStreamsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovery_streams"
}

func (d *discoveryStreamsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	int64Computed := func(desc string) schema.Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's Cloud Discovery reports (the API's streams): continuous reports fed by " +
			"log collectors or Microsoft Defender for Endpoint, the built-in Global View, and snapshot reports of " +
			"uploaded logs. One API request per read. A stream's `id` is what `mda_discovery_categories` takes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A fixed identifier for this listing, required by Terraform.",
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Only the streams with this name, compared exactly but ignoring case (`\"global view\"` " +
					"finds `Global View`). The filter is applied by the provider: MDA has none, and the request is the same.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"streams": schema.ListNestedAttribute{
				MarkdownDescription: "The streams, in the order MDA returned them. Empty when none matches `name`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":   computedString("The stream's id (`_id`), as `mda_discovery_categories` and Graph's `uploadedStreams` take it."),
					"name": computedString("The stream's name (`displayName`)."),
					"type": computedString("`input` (a continuous report or upload), `view` (such as the Global View) or " +
						"`preview`; also `invalid`, `logical` or `enrichment`, which the API documents, and `unknown_<n>` for a " +
						"code the provider does not know."),
					"receiver_type": computedString("How the log collector receives logs: `syslog` or `ftp`; null for views and uploads."),
					"protocol":      computedString("The collector's protocol, such as `udp`, `tcp` or `ftp`; null when MDA sends none."),
					"log_type": computedString("The log format (`logType`), as the lower-case name of the API's table: `palo_alto`, " +
						"`zscaler`, `wdatp` (Defender for Endpoint), `generic_cef`, ...; the number itself for a code outside the table."),
					"created":            computedString("When the stream was created, as an RFC 3339 timestamp in UTC."),
					"last_modified":      computedString("When the stream was last changed, as an RFC 3339 timestamp in UTC."),
					"last_data_received": computedString("When the stream last received logs, as an RFC 3339 timestamp in UTC; null if it never did."),
					"log_files":          int64Computed("How many log files the stream has processed (`logFilesHistoryCount`); null when MDA does not say."),
					"failed_log_files":   int64Computed("How many of them failed to parse (`logFilesFailsCount`); null when MDA does not say."),
					"raw_json": computedString("The stream as MDA sent it, as JSON, for fields this provider does not map; read it with " +
						"`jsondecode`."),
				}},
			},
		},
	}
}

func (d *discoveryStreamsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *discoveryStreamsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg discoveryStreamsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	streams, err := d.client.ListDiscoveryStreams(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "list Cloud Discovery streams", err)
		return
	}
	cfg.Streams = []discoveryStreamModel{}
	for _, s := range streams {
		if !cfg.Name.IsNull() && !strings.EqualFold(s.Name, cfg.Name.ValueString()) {
			continue
		}
		cfg.Streams = append(cfg.Streams, discoveryStreamFromAPI(s))
	}
	cfg.ID = types.StringValue("discovery_streams")
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func discoveryStreamFromAPI(s mda.DiscoveryStream) discoveryStreamModel {
	m := discoveryStreamModel{
		ID:               stringOrNull(s.ID),
		Name:             stringOrNull(s.Name),
		Type:             types.StringValue(enumWord(discoveryStreamTypeNames, s.StreamType)),
		ReceiverType:     stringOrNull(s.ReceiverType),
		Protocol:         stringOrNull(s.Protocol),
		LogType:          types.StringValue(discoveryLogTypeWord(s.LogType)),
		Created:          activityTime(s.Created),
		LastModified:     activityTime(s.LastModified),
		LastDataReceived: activityTime(s.LastDataReceived),
		LogFiles:         types.Int64PointerValue(s.LogFilesHistoryCount),
		FailedLogFiles:   types.Int64PointerValue(s.LogFilesFailsCount),
		RawJSON:          types.StringValue(compactJSON(s.Raw)),
	}
	if len(s.Raw) == 0 {
		m.RawJSON = types.StringNull()
	}
	return m
}
