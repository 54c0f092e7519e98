package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The log upload's MDA side (mda-api.md 7.4): upload_url hands out a blob URL on this
// server's blob target (blob.go), done_upload checks the file arrived there and queues it
// for the data source, or makes a snapshot report of it.

// sourceWord is the shape of upload_url's source names (GENERIC_CEF, WEBSENSE_V7_5). The
// mock checks the shape, not the documented list: what MDA answers for a name outside
// the list is unknown ([U]), and the client's own list is what users see.
var sourceWord = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// uploadLogTypes maps the source names that are also logType names (mda-api.md 7.1) to
// their logType code, for the snapshot reports done_upload makes; others become 1 OTHER.
var uploadLogTypes = map[string]int{
	"BARRACUDA": 101, "BLUECOAT": 102, "CHECKPOINT": 103, "CISCO_ASA": 104, "CISCO_IRONPORT_PROXY": 106,
	"FORTIGATE": 108, "PALO_ALTO": 112, "SQUID": 114, "ZSCALER": 120, "PALO_ALTO_SYSLOG": 126,
	"WEBSENSE_V7_5": 135, "GENERIC_CEF": 179, "GENERIC_LEEF": 181, "GENERIC_W3C": 183,
	"CISCO_FIREPOWER_V6_SYSLOG": 223, "WATCHGUARD_XTM_SYSLOG": 226,
}

// uploadURL is GET /api/v1/discovery/upload_url/?filename=&source=. The URL points at
// the host the request came to, so it works behind httptest and cmd/mda-mock alike.
func (s *Server) uploadURL(w http.ResponseWriter, req *apiRequest) {
	q := req.r.URL.Query()
	filename, source := strings.TrimSpace(q.Get("filename")), q.Get("source")
	switch {
	case filename == "":
		writeDetail(w, http.StatusBadRequest, "filename is required")
		return
	case !sourceWord.MatchString(source):
		// [U] the real wording; the mock names the parameter and the expected form.
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Invalid source %q: expected a log format name such as GENERIC_CEF", source))
		return
	}
	pathAndQuery, provider := s.blobs.newBlob(filename, source)
	writeJSON(w, http.StatusOK, map[string]string{"url": "http://" + req.r.Host + pathAndQuery, "provider": provider})
}

// doneUpload is POST /api/v1/discovery/done_upload/ with uploadUrl, inputStreamName and
// uploadAsSnapshot, as JSON or a form. Its answer is not documented ([U]); the mock
// sends {}. [I] choices: an uploadUrl that was never issued, or whose blob was not
// committed, is a 400; so is a second done_upload for the same blob, and a data source
// that does not exist when the upload is not a snapshot.
func (s *Server) doneUpload(w http.ResponseWriter, req *apiRequest) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	var rawURL, streamName string
	_ = json.Unmarshal(fields["uploadUrl"], &rawURL)
	_ = json.Unmarshal(fields["inputStreamName"], &streamName)
	snapshot, err := flexBool(fields["uploadAsSnapshot"])
	switch {
	case rawURL == "":
		writeDetail(w, http.StatusBadRequest, "uploadUrl is required")
		return
	case strings.TrimSpace(streamName) == "":
		writeDetail(w, http.StatusBadRequest, "inputStreamName is required")
		return
	case err != nil:
		writeDetail(w, http.StatusBadRequest, "uploadAsSnapshot: "+err.Error())
		return
	}
	u, err := url.Parse(rawURL)
	if err != nil || !strings.HasPrefix(u.Path, blobPrefix) {
		writeDetail(w, http.StatusBadRequest, "uploadUrl is not an upload URL this tenant issued")
		return
	}
	container, name, _ := strings.Cut(strings.TrimPrefix(u.Path, blobPrefix), "/")
	sig := u.Query().Get("sig")
	if sig == "" {
		sig = u.Query().Get("X-Amz-Signature")
	}

	bs := &s.blobs
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b := bs.lookup(container, name, sig)
	switch {
	case b == nil:
		writeDetail(w, http.StatusBadRequest, "uploadUrl is not an upload URL this tenant issued")
		return
	case !b.info.Committed:
		writeDetail(w, http.StatusBadRequest, "No file was uploaded to uploadUrl: PUT the file there before calling done_upload")
		return
	case b.info.Finished:
		writeDetail(w, http.StatusBadRequest, "This upload was already submitted for processing")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if st := s.store.streamByName(streamName); snapshot {
		if st == nil || !st.snapshot {
			logType, ok := uploadLogTypes[b.info.Source]
			if !ok {
				logType = 1
			}
			st = s.store.addStream(&discoveryStream{
				name: streamName, streamType: 1, logType: logType, isManual: true, snapshot: true,
				created: now, entityTypes: []int{1, 2}, trafficTypes: []int{2, 3},
			})
		}
		st.filesHistory++
		st.lastModified, st.lastDataReceived = now, now
	} else {
		if st == nil || st.streamType != 1 || st.snapshot {
			writeDetail(w, http.StatusBadRequest, fmt.Sprintf("No data source named %q: create it under Settings > Cloud Discovery > Automatic log upload, or upload as a snapshot", streamName))
			return
		}
		st.filesHistory++
		st.lastDataReceived = now
	}
	b.info.Finished = true
	writeJSON(w, http.StatusOK, map[string]any{})
}

// flexBool reads a JSON boolean, or the "true"/"false" string a form sends; absent is false.
func flexBool(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return true, nil
		case "false", "0", "":
			return false, nil
		}
	}
	return false, fmt.Errorf("expected true or false, got %s", raw)
}
