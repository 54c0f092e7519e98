package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const testAccStreamsRoute = "GET /api/discovery/streams/"

// rfc3339Pattern is a timestamp as the data sources write it.
var rfc3339Pattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$`)

// TestAccDiscoveryStreams_basic lists the seeded streams, filters them by name (ignoring
// case), and filters to nothing, one request per data source read.
func TestAccDiscoveryStreams_basic(t *testing.T) {
	m := acctest.StartMock(t)
	want := m.DiscoveryStreams()
	if len(want) != 5 {
		t.Fatalf("the mock seeds %d streams; the checks below expect the five of discovery_streams_seed.go", len(want))
	}
	ids := make([]knownvalue.Check, len(want))
	for i, s := range want {
		ids[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(s.ID), "name": knownvalue.StringExact(s.Name)})
	}
	const all = "data.mda_discovery_streams.all"
	stream := func(i int) tfjsonpath.Path { return tfjsonpath.New("streams").AtSliceIndex(i) }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `
data "mda_discovery_streams" "all" {}
data "mda_discovery_streams" "global" {
  name = "GLOBAL view"
}
data "mda_discovery_streams" "none" {
  name = "Global"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(all, tfjsonpath.New("streams"), knownvalue.ListExact(ids)),
				// The Global View: a view, no receiver, no log files of its own.
				statecheck.ExpectKnownValue(all, stream(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"id": knownvalue.StringExact("57869acdb4b3d5154f095af7"), "type": knownvalue.StringExact("view"),
					"log_type": knownvalue.StringExact("invalid"), "receiver_type": knownvalue.Null(), "protocol": knownvalue.Null(),
					"log_files": knownvalue.Null(), "failed_log_files": knownvalue.Null(),
					"created": knownvalue.StringRegexp(rfc3339Pattern), "last_data_received": knownvalue.StringRegexp(rfc3339Pattern),
					"raw_json": knownvalue.StringRegexp(regexp.MustCompile(`^\{.*"currentServicesCollectionName":"discovery_services"`)),
				})),
				statecheck.ExpectKnownValue(all, stream(1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"type": knownvalue.StringExact("input"), "log_type": knownvalue.StringExact("wdatp"),
				})),
				statecheck.ExpectKnownValue(all, stream(2), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"type": knownvalue.StringExact("input"), "log_type": knownvalue.StringExact("zscaler"),
					"receiver_type": knownvalue.StringExact("syslog"), "protocol": knownvalue.StringExact("tcp"),
					"log_files": knownvalue.Int64Exact(1204), "failed_log_files": knownvalue.Int64Exact(3),
					"last_modified": knownvalue.StringRegexp(rfc3339Pattern),
				})),
				statecheck.ExpectKnownValue(all, stream(3), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"log_type": knownvalue.StringExact("palo_alto"), "receiver_type": knownvalue.StringExact("ftp"),
				})),
				// The snapshot report never received data.
				statecheck.ExpectKnownValue(all, stream(4), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"log_type": knownvalue.StringExact("checkpoint"), "last_data_received": knownvalue.Null(),
					"log_files": knownvalue.Int64Exact(1), "failed_log_files": knownvalue.Int64Exact(0),
				})),
				statecheck.ExpectKnownValue("data.mda_discovery_streams.global", tfjsonpath.New("streams"), knownvalue.ListExact(ids[:1])),
				statecheck.ExpectKnownValue("data.mda_discovery_streams.none", tfjsonpath.New("streams"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
	// Three data sources, each read once per plan or refresh: a multiple of three, one
	// request each time.
	if got := m.Stats().Routes[testAccStreamsRoute]; got == 0 || got%3 != 0 {
		t.Errorf("%d streams requests, want a multiple of 3", got)
	}
}

// TestAccDiscoveryStreams_shapes: the bare array and the one bare object the docs show are
// read like the envelope; codes outside the tables show as unknown_<n> and as the number.
func TestAccDiscoveryStreams_shapes(t *testing.T) {
	cases := map[string]struct {
		body string
		want map[string]knownvalue.Check
	}{
		"bare array": {`[{"_id": "aaaaaaaaaaaaaaaaaaaaaaaa", "displayName": "Preview", "streamType": 5, "logType": 999}]`,
			map[string]knownvalue.Check{"id": knownvalue.StringExact("aaaaaaaaaaaaaaaaaaaaaaaa"), "type": knownvalue.StringExact("preview"), "log_type": knownvalue.StringExact("999")}},
		"one object": {`{"_id": "bbbbbbbbbbbbbbbbbbbbbbbb", "displayName": "dependency_udp", "streamType": 7, "logType": 223, "created": 1608139420687}`,
			map[string]knownvalue.Check{
				"type": knownvalue.StringExact("unknown_7"), "log_type": knownvalue.StringExact("cisco_firepower_v6_syslog"),
				"created": knownvalue.StringExact("2020-12-16T17:23:40.687Z"), "last_modified": knownvalue.Null(),
			}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m := acctest.StartMock(t)
			m.AddFault(mockserver.Fault{Match: testAccStreamsRoute, Status: http.StatusOK, Body: c.body, Count: 100})
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: acctest.ProviderConfig(m) + `data "mda_discovery_streams" "all" {}`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.mda_discovery_streams.all", tfjsonpath.New("streams"),
							knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(c.want)})),
					},
				}},
			})
		})
	}
}

// testAccDiscoveryFault is a failure of a data source's one request: each must end the read
// with an error naming what happened (the step's ExpectError), so no result reaches the
// state.
type testAccDiscoveryFault struct {
	name  string
	fault mockserver.Fault
	words string
}

func testAccDiscoveryFaults() []testAccDiscoveryFault {
	return []testAccDiscoveryFault{
		{"404 HTML", mockserver.Fault{Status: http.StatusNotFound, Body: acctest.NotFoundPage}, `HTTP 404.*portal URL`},
		{"tenant not found", mockserver.Fault{Status: http.StatusNotFound, Body: acctest.TenantNotFound}, `tenant not found`},
		{"500 HTML", mockserver.Fault{Status: http.StatusInternalServerError, Body: acctest.ErrorPage(http.StatusInternalServerError)}, `HTTP 500`},
		{"dropped connection", mockserver.Fault{Drop: true}, `EOF|connection`},
		{"empty answer", mockserver.Fault{Status: http.StatusOK, Body: " "}, `(empty body|not the expected JSON)`},
	}
}

// testAccDiscoveryFaultMatrix runs each fault against route, every attempt of it, with
// config (given the mock) and expects summary and the fault's words.
func testAccDiscoveryFaultMatrix(t *testing.T, route, summary string, config func(m *acctest.Mock) string) {
	for _, f := range testAccDiscoveryFaults() {
		if f.name == "empty answer" && route == testAccBlockScriptRoute {
			continue // an empty script is a script: TestAccDiscoveryBlockScript_answers
		}
		t.Run(f.name, func(t *testing.T) {
			m := acctest.StartMock(t)
			fault := f.fault
			fault.Match, fault.Count = route, 100
			m.AddFault(fault)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(m) + config(m),
					ExpectError: expectErrorWords(summary + `.*(` + f.words + `)`),
				}},
			})
			if m.Stats().Routes[route] == 0 {
				t.Errorf("the fault was never hit: %v", m.Stats().Routes)
			}
		})
	}
}

func TestAccDiscoveryStreams_faults(t *testing.T) {
	testAccDiscoveryFaultMatrix(t, testAccStreamsRoute, "Unable to list Cloud Discovery streams",
		func(*acctest.Mock) string { return `data "mda_discovery_streams" "all" {}` })
}

// TestAccDiscoveryStreams_validation: an empty name is refused at plan time, with no request.
func TestAccDiscoveryStreams_validation(t *testing.T) {
	testAccRefusedAtPlan(t, "mda_discovery_streams", map[string]testAccRefusal{
		"empty name": {`name = ""`, `Invalid Attribute Value Length.*name`},
	})
}

// testAccRefusal is a data source body that must fail at plan time with want.
type testAccRefusal struct{ body, want string }

// testAccRefusedAtPlan plans each body of dataSource in parallel against one mock, expects
// its error, and checks once they are done that none of them reached the API.
func testAccRefusedAtPlan(t *testing.T, dataSource string, cases map[string]testAccRefusal) {
	m := acctest.StartMock(t)
	t.Cleanup(func() {
		if st := m.Stats(); st.Total != 0 {
			t.Errorf("a refused configuration reached the API: %v", st.Routes)
		}
	})
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(m) + fmt.Sprintf("data %q \"x\" {\n%s\n}\n", dataSource, c.body),
					PlanOnly:    true,
					ExpectError: expectErrorWords(c.want),
				}},
			})
		})
	}
}

func TestDiscoveryLogTypeWords(t *testing.T) {
	for code, want := range map[int]string{
		0: "invalid", 1: "other", 100: "log_3com", 102: "bluecoat", 111: "microsfot_isa", 112: "palo_alto", 120: "zscaler",
		135: "websense_v7_5", 167: "custom_parser", 179: "generic_cef", 195: "wdatp", 196: "zscaler_cef", 226: "watchguard_xtm_syslog",
		2: "2", 227: "227", -1: "-1",
	} {
		if got := discoveryLogTypeWord(code); got != want {
			t.Errorf("logType %d = %q, want %q", code, got, want)
		}
	}
	if len(discoveryLogTypeNames) != 129 {
		t.Errorf("%d log types, want the docs' 129 (0, 1 and 100..226)", len(discoveryLogTypeNames))
	}
}
