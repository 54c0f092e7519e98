package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// closeKind is one of the close endpoints (mda-api.md 3.3).
type closeKind struct {
	countKey   string // the response's count key
	resolution int    // resolutionStatusValue after the close
	reasons    []int  // the reasonIds allowed; nil: reasonId is refused
	what       string
}

var (
	closeBenign        = closeKind{"closed_benign", 4, benignReasons, "benign"}
	closeFalsePositive = closeKind{"closed_false_positive", 3, falsePositiveReasons, "false positive"}
	closeTruePositive  = closeKind{"closed_true_positive", 5, nil, "true positive"}
)

// closeAlerts serves POST /api/v1/alerts/close_<kind>/. It answers 200 with the count
// closed and, when filters.id.eq names alerts that do not exist, "alertsNotFound"
// ([C]). An alert that is already closed is closed again with the new resolution,
// reason and comment, and counted: the docs are silent ([U]), and an older XSOAR hint
// that such alerts came back as not found is about the removed dismiss endpoint.
func closeAlerts(k closeKind) func(*Server, http.ResponseWriter, *apiRequest) {
	return func(s *Server, w http.ResponseWriter, req *apiRequest) {
		fields, ok := req.fields(w)
		if !ok {
			return
		}
		match, ids, fe := alertSelection(fields, s.now())
		reason := closeReason(fields, k, &fe)
		comment := optionalString(fields, "comment", &fe)
		// The feedback goes to Microsoft, not onto the alert; it is only checked.
		optionalString(fields, "feedbackText", &fe)
		optionalString(fields, "contactEmail", &fe)
		optionalBool(fields, "sendFeedback", &fe)
		optionalBool(fields, "allowContact", &fe)
		if fe != nil {
			fe.write(w)
			return
		}

		s.mu.Lock()
		defer s.mu.Unlock()
		now := resolveStamp(s.now())
		n := 0
		for _, a := range s.store.alerts.items {
			if !match(a) {
				continue
			}
			n++
			a.Resolution, a.OmitResolution = k.resolution, false
			a.ResolveTime = now
			a.Comment = comment
			a.HandledByUser = s.handler()
			a.Reason = clonePtr(reason)
		}
		writeJSON(w, http.StatusOK, selectionResponse(k.countKey, n, s.store.alerts.missing(ids)))
	}
}

// reopenAlerts serves POST /api/v1/alerts/reopen/, which only MCASPS uses
// (Set-MCASAlert -BulkReopen, [3P]; unverified that it works). The mock implements it so
// tests can play "someone reopened the alert in the portal" through the API: the alert
// goes back to open without a resolve time or reason. The answer mirrors the close
// endpoints, {"reopened": n} ([U]).
func reopenAlerts(s *Server, w http.ResponseWriter, req *apiRequest) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	match, ids, fe := alertSelection(fields, s.now())
	comment := optionalString(fields, "comment", &fe)
	if fe != nil {
		fe.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.store.alerts.items {
		if !match(a) {
			continue
		}
		n++
		a.Resolution, a.OmitResolution = 0, false
		a.ResolveTime = nil
		a.Reason = nil
		a.HandledByUser = s.handler()
		if comment != "" {
			a.Comment = comment
		}
	}
	writeJSON(w, http.StatusOK, selectionResponse("reopened", n, s.store.alerts.missing(ids)))
}

func selectionResponse(countKey string, n int, notFound []string) map[string]any {
	out := map[string]any{countKey: n}
	if len(notFound) > 0 {
		out["alertsNotFound"] = notFound
	}
	return out
}

// alertSelection compiles the "filters" of a bulk request and returns the ids it names
// in id.eq (or ID.eq), for alertsNotFound. A bulk request without filters is refused
// rather than applied to every alert of the tenant ([I]: the docs never show one).
func alertSelection(fields map[string]json.RawMessage, now time.Time) (func(*alert) bool, []string, formErrors) {
	raw := fields["filters"]
	var probe map[string]json.RawMessage
	if isNull(raw) || (json.Unmarshal(raw, &probe) == nil && len(probe) == 0) {
		var fe formErrors
		fe.add("filters", requiredMessage, "")
		return nil, nil, fe
	}
	match, fe := alertCollection.compile(raw, now)
	if fe != nil {
		return nil, nil, fe
	}
	// compile accepted the shape, so this cannot fail.
	var byField map[string]map[string]json.RawMessage
	_ = json.Unmarshal(raw, &byField)
	var ids []string
	for _, key := range []string{"id", "ID"} {
		for _, el := range elements(byField[key]["eq"]) {
			var id string
			if json.Unmarshal(el, &id) == nil && !slices.Contains(ids, strings.ToLower(id)) {
				ids = append(ids, strings.ToLower(id))
			}
		}
	}
	return match, ids, nil
}

// missing returns the ids that name no alert, in request order.
func (as *alertStore) missing(ids []string) []string {
	var out []string
	for _, id := range ids {
		if as.byID[id] == nil {
			out = append(out, id)
		}
	}
	return out
}

// closeReason checks reasonId against the endpoint's list: benign 2, 4, 5, 6; false
// positive 0, 1, 3, 4; none for true positive ("Not accepted", mda-api.md 3.3). It is
// optional where allowed ([U]).
func closeReason(fields map[string]json.RawMessage, k closeKind, fe *formErrors) *int {
	raw, ok := fields["reasonId"]
	if !ok || isNull(raw) {
		return nil
	}
	text := operandText(raw)
	if k.reasons == nil {
		fe.add("reasonId", fmt.Sprintf("reasonId is not accepted when closing an alert as %s", k.what), text)
		return nil
	}
	x, err := parseNumber(raw, false)
	if err != nil || x != float64(int(x)) || !slices.Contains(k.reasons, int(x)) {
		fe.add("reasonId", fmt.Sprintf("%s is not a valid reason for closing an alert as %s", text, k.what), text)
		return nil
	}
	r := int(x)
	return &r
}

func optionalString(fields map[string]json.RawMessage, key string, fe *formErrors) string {
	raw, ok := fields[key]
	if !ok || isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		fe.invalid(key, raw)
	}
	return s
}

func optionalBool(fields map[string]json.RawMessage, key string, fe *formErrors) {
	if raw, ok := fields[key]; ok && !isNull(raw) {
		if _, err := parseBool(raw); err != nil {
			fe.invalid(key, raw)
		}
	}
}
