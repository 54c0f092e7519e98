package mockserver

import (
	"strings"
	"time"
)

// discoveryStream is one Cloud Discovery report ("stream"). The MDA REST API
// (GET /api/discovery/streams/, mda-api.md 7.1) and Graph beta (uploadedStreams,
// graph-discovery.md 4.1) show the same streams under the same ids, each in its own
// words: the REST API in numbers (streamType, logType), Graph in camelCase enums.
type discoveryStream struct {
	id   string
	name string
	// streamType is the REST code: 1 INPUT, 3 VIEW, 5 PREVIEW.
	streamType int
	// receiverType is "syslog" or "ftp"; "" for views and uploads, which receive nothing.
	receiverType string
	protocol     string // "udp", "tcp", "ftp"; "" when none
	// logType is the REST logType code (mda-api.md 7.1); logDataProvider is Graph's word
	// for the same format ("" for the Global view, whose logs come from every stream).
	logType         int
	logDataProvider string
	isManual        bool // a one-off upload
	snapshot        bool // Graph's isSnapshotReport
	// endpoint marks a Defender for Endpoint stream: Graph returns its apps as
	// endpointDiscoveredCloudAppDetail, with deviceCount and devices.
	endpoint         bool
	created          time.Time
	lastModified     time.Time
	lastDataReceived time.Time // zero: never received data (JSON null)
	filesHistory     int
	filesFails       int
	entityTypes      []int // supportedEntityTypes codes: 1 USER_NAME, 2 IP_ADDRESS, 3 MACHINE_NAME
	trafficTypes     []int // supportedTrafficTypes codes: 1 TOTAL, 2 DOWNLOADED, 3 UPLOADED
}

// seedStreams gives every tenant the built-in "Global View" (the name MCASPS matches;
// Graph live data spells it "Global view", so lookups compare case-insensitively), a
// Defender for Endpoint stream, two continuous firewall streams and one snapshot upload.
// The Global View's id is the one MCASPS's help shows (mda-api.md 7.1).
func (st *store) seedStreams(now time.Time) {
	day := 24 * time.Hour
	st.streams = []*discoveryStream{
		{
			id: "57869acdb4b3d5154f095af7", name: "Global View", streamType: 3, logType: 0,
			created: now.Add(-400 * day), lastModified: now.Add(-2 * time.Hour), lastDataReceived: now.Add(-time.Hour),
			entityTypes: []int{1, 2}, trafficTypes: []int{2, 3},
		},
		{
			id: st.newObjectID(), name: "Defender-managed endpoints", streamType: 1, logType: 195,
			logDataProvider: "microsoftDefenderForEndpoint", endpoint: true,
			created: now.Add(-300 * day), lastModified: now.Add(-3 * time.Hour), lastDataReceived: now.Add(-90 * time.Minute),
			filesHistory: 6893, entityTypes: []int{1, 2, 3}, trafficTypes: []int{2, 3},
		},
		{
			id: st.newObjectID(), name: "Zscaler proxy", streamType: 1, receiverType: "syslog", protocol: "tcp",
			logType: 120, logDataProvider: "zscaler",
			created: now.Add(-200 * day), lastModified: now.Add(-5 * day), lastDataReceived: now.Add(-4 * time.Hour),
			filesHistory: 1204, filesFails: 3, entityTypes: []int{1, 2}, trafficTypes: []int{1, 2, 3},
		},
		{
			id: st.newObjectID(), name: "Palo Alto firewall", streamType: 1, receiverType: "ftp", protocol: "ftp",
			logType: 112, logDataProvider: "paloAlto",
			created: now.Add(-150 * day), lastModified: now.Add(-20 * day), lastDataReceived: now.Add(-26 * time.Hour),
			filesHistory: 310, entityTypes: []int{2}, trafficTypes: []int{1},
		},
		{
			id: st.newObjectID(), name: "Checkpoint report", streamType: 1, logType: 103, logDataProvider: "checkpoint",
			isManual: true, snapshot: true,
			created: now.Add(-60 * day), lastModified: now.Add(-60 * day),
			filesHistory: 1, entityTypes: []int{1, 2}, trafficTypes: []int{2, 3},
		},
	}
}

// streamByID returns the stream with id, or nil.
func (st *store) streamByID(id string) *discoveryStream {
	for _, s := range st.streams {
		if s.id == id {
			return s
		}
	}
	return nil
}

// streamByName returns the stream called name, compared case-insensitively, or nil.
func (st *store) streamByName(name string) *discoveryStream {
	for _, s := range st.streams {
		if strings.EqualFold(s.name, name) {
			return s
		}
	}
	return nil
}

// addStream appends a stream with a new id (a snapshot report made by done_upload).
func (st *store) addStream(s *discoveryStream) *discoveryStream {
	s.id = st.newObjectID()
	st.streams = append(st.streams, s)
	return s
}
